import { randomBytes } from 'node:crypto';
import { constants, promises as fs, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { IntSet } from '../compact-set.js';
import { LsconvError } from '../errors.js';
import { checkOutputPath } from '../safe-path.js';
import { BufferedWriter } from './buffered-writer.js';
import { removeStaleTemps } from './stale.js';
import { chunkLength, type FileWriter, type Sink } from './types.js';

/** Whole files up to this size are written synchronously (see `writeFile`). */
const SYNC_WRITE_BYTES = 1024 * 1024;

/** Options of {@link directorySink}. */
export interface DirectorySinkOptions {
  /**
   * What to do when the output folder exists and is not empty: `merge` (default)
   * moves the new files into it, replacing same-named ones, as the Python
   * converter writes into an existing folder; `replace` swaps the whole folder;
   * `fail` refuses.
   */
  existing?: 'merge' | 'replace' | 'fail';
}

/**
 * A sink that writes a folder. Files go to a hidden temporary folder beside the
 * target and are moved into place only by `commit()`, so a failed or interrupted
 * export never leaves a half-written output under the final name.
 */
export function directorySink(outDir: string, options: DirectorySinkOptions = {}): Sink {
  const target = resolve(outDir);
  const temp = join(
    dirname(target),
    `.${basename(target)}.lsconv-tmp-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
  const existing = options.existing ?? 'merge';
  // Hashes of the paths written, not the paths, in a typed-array set (8–16 bytes per file
  // instead of a string and a `Set` slot); a hash match is confirmed on disk (see `has`).
  const written = new IntSet();
  // Paths begun but not yet on disk (a few at a time): `has` answers for them by name.
  const opening = new Set<string>();
  const writers = new Set<BufferedWriter>();
  let files = 0;
  let bytes = 0;
  let state: 'open' | 'committed' | 'aborted' = 'open';

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
    has(path) {
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
    },
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
      try {
        for (const writer of [...writers]) await writer.close();
        await ensureTemp();
        await moveIntoPlace(temp, target, outDir, existing);
        state = 'committed';
        await removeStaleTemps(target);
      } catch (error) {
        await this.abort();
        fail(error);
      }
    },
    async abort() {
      if (state === 'committed') return;
      state = 'aborted';
      for (const writer of [...writers]) await writer.close().catch(() => undefined);
      await fs.rm(temp, { recursive: true, force: true }).catch(() => undefined);
    },
  };
}

/** Makes the temporary folder (once) and the folders in it (each once). */
function tempFolder(temp: string): {
  ensureTemp: () => Promise<void>;
  ensureDir: (relDir: string) => Promise<void>;
} {
  const madeDirs = new Set<string>();
  let tempReady: Promise<void> | undefined;
  const ensureTemp = () => {
    tempReady ??= fs.mkdir(temp, { recursive: true }).then(() => undefined);
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

/**
 * Moves the finished temporary folder to the target: renamed into place when there is
 * none or an empty one, else as `existing` says (refused, replaced or merged into).
 */
async function moveIntoPlace(
  temp: string,
  target: string,
  outDir: string,
  existing: NonNullable<DirectorySinkOptions['existing']>,
): Promise<void> {
  const current = await fs.lstat(target).catch(() => undefined);
  if (!current) {
    await fs.mkdir(dirname(target), { recursive: true });
    await fs.rename(temp, target);
  } else if (!current.isDirectory()) {
    throw new LsconvError('OUTPUT_EXISTS', `the output ${outDir} exists and is not a folder`, {
      hint: 'choose another output path',
    });
  } else if ((await fs.readdir(target)).length === 0) {
    await fs.rmdir(target);
    await fs.rename(temp, target);
  } else if (existing === 'fail') {
    throw new LsconvError('OUTPUT_EXISTS', `the output folder ${outDir} is not empty`, {
      hint: 'remove it or allow overwriting',
    });
  } else if (existing === 'replace') {
    const old = `${temp}-old`;
    await fs.rename(target, old);
    await fs.rename(temp, target);
    await fs.rm(old, { recursive: true, force: true });
  } else {
    await mergeInto(temp, target);
    await fs.rm(temp, { recursive: true, force: true });
  }
}

/** The `OUTPUT_WRITE` error for a failed write (an LsconvError is thrown as it is). */
function writeFailure(error: unknown, outDir: string, path?: string): never {
  if (error instanceof LsconvError) throw error;
  const code = (error as NodeJS.ErrnoException).code;
  throw new LsconvError(
    'OUTPUT_WRITE',
    `cannot write ${path ? `"${path}" in ` : ''}${outDir}: ${code ?? (error as Error).message}`,
    {
      hint: code === 'ENOSPC' ? 'the disk is full' : 'check that the output folder is writable',
      cause: error,
    },
  );
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

async function mergeInto(from: string, to: string): Promise<void> {
  let moved = 0;
  for (const entry of await fs.readdir(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const destination = join(to, entry.name);
    if (entry.isDirectory()) {
      const stat = await fs.lstat(destination).catch(() => undefined);
      if (stat && !stat.isDirectory()) await fs.rm(destination, { force: true });
      // A folder the output does not have yet moves whole: one rename instead of one per
      // file (100,000 label files took 12.4 s to move one by one).
      if (!stat?.isDirectory()) await fs.rename(source, destination);
      else await mergeInto(source, destination);
    } else {
      // A file replaces whatever file has its name with one synchronous rename (an async
      // lstat and rename per file took 14.5 s for 100,000 files); a folder in its way is
      // removed first. Other work gets a turn every MERGE_TURN files.
      if (++moved % MERGE_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
      try {
        renameSync(source, destination);
      } catch (error) {
        const stat = await fs.lstat(destination).catch(() => undefined);
        if (!stat?.isDirectory()) throw error;
        await fs.rm(destination, { recursive: true, force: true });
        await fs.rename(source, destination);
      }
    }
  }
}

const MERGE_TURN = 256;

/** True when the path exists and can be read. */
export async function isReadable(path: string): Promise<boolean> {
  try {
    await fs.access(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
