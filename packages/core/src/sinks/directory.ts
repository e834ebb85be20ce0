import { constants, promises as fs, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { IntSet } from '../compact-set.js';
import { LsconvError } from '../errors.js';
import { checkOutputPath } from '../safe-path.js';
import { BufferedWriter } from './buffered-writer.js';
import {
  type ExistingOutputRule,
  type MoveOptions,
  makeFolders,
  moveIntoPlace,
  type OUTPUT_MARKER,
  tempBeside,
  writeFailure,
} from './commit.js';
import { removeStaleTemps } from './stale.js';
import { chunkLength, type FileWriter, type Sink } from './types.js';

/** Whole files up to this size are written synchronously (see `writeFile`). */
const SYNC_WRITE_BYTES = 1024 * 1024;

/** Options of {@link directorySink}. */
export interface DirectorySinkOptions {
  /**
   * What to do when the output folder exists and is not empty (see
   * {@link ExistingOutputRule}). Default `merge`: the new files are added to it,
   * replacing same-named ones, as the Python converter writes into an existing folder.
   * Whatever the rule, the folder holds its old content or the new at every moment.
   */
  existing?: ExistingOutputRule;
  /**
   * Marks the folder as written by lsconv: writes this text into {@link OUTPUT_MARKER},
   * so that a later export with `existing: 'own'` may replace it.
   */
  marker?: string;
  /** Cancels a commit that has not begun to swap the folders yet. */
  signal?: AbortSignal;
}

/**
 * A sink that writes a folder. Files go to a hidden temporary folder beside the
 * target and are moved into place only by `commit()`, so a failed or interrupted
 * export never leaves a half-written output under the final name.
 */
export function directorySink(outDir: string, options: DirectorySinkOptions = {}): Sink {
  const target = resolve(outDir);
  const temp = tempBeside(target);
  const existing = options.existing ?? 'merge';
  // Hashes of the paths written, not the paths, in a typed-array set (8–16 bytes per file
  // instead of a string and a `Set` slot); a hash match is confirmed on disk (see `has`).
  const written = new IntSet();
  // Paths begun but not yet on disk (a few at a time): `has` answers for them by name.
  const opening = new Set<string>();
  const writers = new Set<BufferedWriter>();
  let files = 0;
  let bytes = 0;
  let state: 'open' | 'committing' | 'committed' | 'aborted' = 'open';
  let committing: Promise<void> | undefined;
  let cancelled = false;

  const fail = (error: unknown, path?: string): never => writeFailure(error, outDir, path);
  const { ensureTemp, ensureDir } = tempFolder(temp);
  const begin = (path: string) => {
    if (state !== 'open') throw new LsconvError('OUTPUT_WRITE', `the output ${outDir} is already ${state}`);
    const safe = checkOutputPath(path);
    written.add(pathHash(safe));
    opening.add(safe);
    return safe;
  };

  return {
    get filesWritten() {
      return files;
    },
    get bytesWritten() {
      return bytes;
    },
    has: (path) => wasWritten(path, opening, written, temp),
    async writeFile(path, data) {
      const safe = begin(path);
      try {
        await ensureDir(dirname(safe) === '.' ? '' : dirname(safe));
      } catch (error) {
        opening.delete(safe);
        fail(error, safe);
      }
      // A small whole file is written synchronously: open, write and close on this
      // thread cost less than three thread-pool round trips, which dominate a format
      // that writes a file per task (YOLO, 100,000 tasks on tmpfs: 40.5 s with the
      // thread pool, 31.4 s synchronously, on one thread).
      // Exports run in a worker thread on the server, so this blocks no requests.
      try {
        if (chunkLength(data) <= SYNC_WRITE_BYTES) writeFileSync(join(temp, safe), data);
        else await fs.writeFile(join(temp, safe), data);
      } catch (error) {
        fail(error, safe);
      } finally {
        opening.delete(safe);
      }
      files++;
      bytes += chunkLength(data);
    },
    async createFile(path): Promise<FileWriter> {
      const safe = begin(path);
      let handle: fs.FileHandle;
      try {
        await ensureDir(dirname(safe) === '.' ? '' : dirname(safe));
        handle = await fs.open(join(temp, safe), 'w');
      } catch (error) {
        return fail(error, safe);
      } finally {
        opening.delete(safe);
      }
      files++;
      const writer: BufferedWriter = new BufferedWriter(
        async (chunk) => {
          try {
            await handle.write(chunk);
          } catch (error) {
            fail(error, safe);
          }
          bytes += chunk.byteLength;
        },
        async () => {
          writers.delete(writer);
          await handle.close();
        },
      );
      writers.add(writer);
      return writer;
    },
    async mkdir(path) {
      const safe = checkOutputPath(path);
      try {
        await ensureDir(safe);
      } catch (error) {
        fail(error, safe);
      }
    },
    async commit() {
      if (state !== 'open') throw new LsconvError('OUTPUT_WRITE', `the output ${outDir} is already ${state}`);
      state = 'committing';
      committing = finish(temp, target, writers, ensureTemp, {
        outDir,
        existing,
        marker: options.marker,
        cancelled: () => cancelled || options.signal?.aborted === true,
      });
      try {
        await committing;
        state = 'committed';
      } catch (error) {
        state = 'aborted';
        await removeTemp(temp, writers);
        fail(error);
      }
    },
    async abort() {
      if (state === 'committing') {
        // Stops a merge that is still linking; a swap that has begun is finished.
        cancelled = true;
        await committing?.catch(() => undefined);
        return;
      }
      if (state === 'committed' || state === 'aborted') return;
      state = 'aborted';
      await removeTemp(temp, writers);
    },
  };
}

/** True when `path` was begun (`opening`) or written (its hash in `written`, the file in `temp`). */
function wasWritten(path: string, opening: Set<string>, written: IntSet, temp: string): boolean {
  let safe: string;
  try {
    safe = checkOutputPath(path);
  } catch {
    return false;
  }
  if (opening.has(safe)) return true;
  if (!written.has(pathHash(safe))) return false;
  // Every file written so far is in the temporary folder: a hash shared by two
  // paths is told apart there.
  return statSync(join(temp, safe), { throwIfNoEntry: false })?.isFile() === true;
}

/** Closes the open files and moves the finished folder into place (see `moveIntoPlace`). */
async function finish(
  temp: string,
  target: string,
  writers: Set<BufferedWriter>,
  ensureTemp: () => Promise<void>,
  move: MoveOptions,
): Promise<void> {
  for (const writer of [...writers]) await writer.close();
  await ensureTemp();
  // A killed export may have left the old output renamed aside: put it back first.
  await removeStaleTemps(target);
  await moveIntoPlace(temp, target, move);
}

async function removeTemp(temp: string, writers: Set<BufferedWriter>): Promise<void> {
  for (const writer of [...writers]) await writer.close().catch(() => undefined);
  await fs.rm(temp, { recursive: true, force: true }).catch(() => undefined);
}

/** Makes the temporary folder (once) and the folders in it (each once). */
function tempFolder(temp: string): {
  ensureTemp: () => Promise<void>;
  ensureDir: (relDir: string) => Promise<void>;
} {
  const madeDirs = new Set<string>();
  let tempReady: Promise<void> | undefined;
  const ensureTemp = () => {
    tempReady ??= makeFolders(dirname(temp)).then(() => fs.mkdir(temp));
    return tempReady;
  };
  const ensureDir = async (relDir: string) => {
    await ensureTemp();
    if (relDir === '' || madeDirs.has(relDir)) return;
    await fs.mkdir(join(temp, relDir), { recursive: true });
    let d = relDir;
    while (d && d !== '.') {
      madeDirs.add(d);
      d = dirname(d) === '.' ? '' : dirname(d);
    }
  };
  return { ensureTemp, ensureDir };
}

/** A 30-bit FNV-1a hash of a path (a small integer, cheap to keep by the million). */
export function pathHash(path: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) {
    h ^= path.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h & 0x3fffffff;
}

/** True when the path exists and can be read. */
export async function isReadable(path: string): Promise<boolean> {
  try {
    await fs.access(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
