import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { LsconvError } from '../errors.js';
import { checkOutputPath } from '../safe-path.js';
import { BufferedWriter } from './buffered-writer.js';
import { removeStaleTemps } from './stale.js';
import { chunkLength, type FileWriter, type Sink } from './types.js';

/** Whole-file writes in flight at once. */
const MAX_INFLIGHT_WRITES = 16;

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
  const written = new Set<string>();
  const madeDirs = new Set<string>();
  const writers = new Set<BufferedWriter>();
  let tempReady: Promise<void> | undefined;
  const inflight = new Set<Promise<void>>();
  const inflightByPath = new Map<string, Promise<void>>();
  let writeFailure: { error: unknown; path: string } | undefined;
  /** Waits for the writes in flight; throws the first that failed. */
  const settleWrites = async () => {
    while (inflight.size > 0) await Promise.all(inflight);
    if (writeFailure) fail(writeFailure.error, writeFailure.path);
  };
  let files = 0;
  let bytes = 0;
  let state: 'open' | 'committed' | 'aborted' = 'open';

  const fail = (error: unknown, path?: string): never => {
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
  };
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
  const begin = (path: string) => {
    if (state !== 'open') throw new LsconvError('OUTPUT_WRITE', `the output ${outDir} is already ${state}`);
    const safe = checkOutputPath(path);
    written.add(safe);
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
      return written.has(path);
    },
    async writeFile(path, data) {
      const safe = begin(path);
      if (writeFailure) fail(writeFailure.error, writeFailure.path);
      try {
        await ensureDir(dirname(safe) === '.' ? '' : dirname(safe));
      } catch (error) {
        fail(error, safe);
      }
      // Write-behind: the file is written while the format prepares the next ones, a
      // few at a time, so the thread pool works in parallel (a folder format writes a
      // file per task, and each file costs open, write and close round trips).
      // Binary data is copied: the caller may reuse its buffer once this resolves.
      const bytesToWrite = typeof data === 'string' ? data : Buffer.from(data);
      // A second write of the same file waits for the first, so the last one wins.
      const earlier = inflightByPath.get(safe);
      if (earlier) await earlier;
      const pending: Promise<void> = fs
        .writeFile(join(temp, safe), bytesToWrite)
        .catch((error) => {
          writeFailure ??= { error, path: safe };
        })
        .finally(() => {
          inflight.delete(pending);
          if (inflightByPath.get(safe) === pending) inflightByPath.delete(safe);
        });
      inflight.add(pending);
      inflightByPath.set(safe, pending);
      files++;
      bytes += chunkLength(data);
      if (inflight.size >= MAX_INFLIGHT_WRITES) await Promise.race(inflight);
    },
    async createFile(path): Promise<FileWriter> {
      const safe = begin(path);
      // A whole-file write of the same name still in flight lands first, then this one replaces it.
      await inflightByPath.get(safe);
      let handle: fs.FileHandle;
      try {
        await ensureDir(dirname(safe) === '.' ? '' : dirname(safe));
        handle = await fs.open(join(temp, safe), 'w');
      } catch (error) {
        return fail(error, safe);
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
        await settleWrites();
        await ensureTemp();
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
      await Promise.allSettled([...inflight]);
      await fs.rm(temp, { recursive: true, force: true }).catch(() => undefined);
    },
  };
}

async function mergeInto(from: string, to: string): Promise<void> {
  for (const entry of await fs.readdir(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const destination = join(to, entry.name);
    if (entry.isDirectory()) {
      const stat = await fs.lstat(destination).catch(() => undefined);
      if (stat && !stat.isDirectory()) await fs.rm(destination, { force: true });
      if (!stat || !stat.isDirectory()) await fs.mkdir(destination);
      await mergeInto(source, destination);
    } else {
      const stat = await fs.lstat(destination).catch(() => undefined);
      if (stat?.isDirectory()) await fs.rm(destination, { recursive: true, force: true });
      await fs.rename(source, destination);
    }
  }
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
