/**
 * How a finished temporary folder takes the place of the output folder, so that at every
 * moment the output holds either its old content or the new, never a mix.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs, linkSync, lstatSync, mkdirSync } from 'node:fs';
import { basename, dirname, join, parse } from 'node:path';
import { LsconvError } from '../errors.js';

/**
 * The file lsconv writes into an output folder it made (when asked to mark it): a later
 * export with the `own` rule may replace a folder that holds it, and refuses one that
 * does not.
 */
export const OUTPUT_MARKER = '.lsconv-output';

/**
 * What to do with an output folder that exists and is not empty:
 * - `own`: replace it when lsconv wrote it (it holds {@link OUTPUT_MARKER}), else refuse;
 * - `replace`: replace it whatever it holds;
 * - `merge`: the new files are added to its content, replacing same-named ones;
 * - `fail`: refuse.
 */
export type ExistingOutputRule = 'own' | 'replace' | 'merge' | 'fail';

/** What {@link moveIntoPlace} needs besides the two folders. */
export interface MoveOptions {
  /** The output as the user named it, for messages. */
  outDir: string;
  existing: ExistingOutputRule;
  /** The marker's content, when the folder is to be marked as lsconv's. */
  marker?: string;
  /** True once the export is cancelled: checked until the swap begins. */
  cancelled: () => boolean;
}

/**
 * Moves the finished folder `temp` to `target`. A missing or empty target is replaced by
 * one rename. A non-empty one is handled as `existing` says; replacing or merging builds
 * the whole new content in `temp` first (a merge hard-links the old files the export does
 * not replace), then swaps the two folders with two renames. Between those two renames
 * the target is briefly absent; {@link recoverInterrupted} puts the old folder back when
 * a process died right there.
 */
export async function moveIntoPlace(temp: string, target: string, options: MoveOptions): Promise<void> {
  const { outDir, existing, marker } = options;
  const current = await fs.lstat(target).catch(() => undefined);
  if (current && !current.isDirectory()) {
    throw new LsconvError('OUTPUT_EXISTS', `the output ${outDir} exists and is not a folder`, {
      hint: 'choose another output path',
    });
  }
  const names = current ? await fs.readdir(target) : [];
  if (names.length === 0) {
    if (marker !== undefined) await fs.writeFile(join(temp, OUTPUT_MARKER), marker);
    if (!current) await makeFolders(dirname(target));
    // rename(2) replaces an empty folder in one step.
    await fs.rename(temp, target);
    return;
  }
  const marked = names.includes(OUTPUT_MARKER);
  if (existing === 'fail' || (existing === 'own' && !marked)) {
    throw new LsconvError(
      'OUTPUT_EXISTS',
      `the output folder ${outDir} is not empty${existing === 'own' ? ' and was not written by lsconv' : ''}`,
      {
        hint:
          existing === 'own'
            ? 'choose another output folder, empty this one, or add --merge to add the new files to it'
            : 'choose another output folder or empty this one',
      },
    );
  }
  if (existing === 'merge') await linkOldFiles(target, temp, options.cancelled);
  // A merge keeps an old marker (linked above) but never marks a folder that held files
  // lsconv did not write: a later export would replace them.
  if (marker !== undefined && existing !== 'merge') await fs.writeFile(join(temp, OUTPUT_MARKER), marker);
  if (options.cancelled()) throw cancelledError(outDir);
  await swap(temp, target);
}

/**
 * The hidden temporary name beside `target` an export writes to:
 * `.<name>.lsconv-tmp-<pid>-<hex>` (`removeStaleTemps` knows it by that shape).
 */
export function tempBeside(target: string): string {
  return join(
    dirname(target),
    `.${basename(target)}.lsconv-tmp-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
}

/** The suffix of the old output folder while two folders are being swapped. */
export const OLD_SUFFIX = '-old';

/** Swaps `temp` into `target`'s place; the old folder is renamed aside, then removed. */
async function swap(temp: string, target: string): Promise<void> {
  const old = `${temp}${OLD_SUFFIX}`;
  await fs.rename(target, old);
  try {
    await fs.rename(temp, target);
  } catch (error) {
    await fs.rename(old, target).catch(() => undefined);
    throw error;
  }
  await fs.rm(old, { recursive: true, force: true }).catch(() => undefined);
}

/**
 * Hard-links into `to` every file of `from` that `to` does not have (folders are walked),
 * so `to` becomes the merged content while `from` is untouched. Where a hard link is
 * refused, the file is copied.
 */
async function linkOldFiles(from: string, to: string, cancelled: () => boolean): Promise<void> {
  let done = 0;
  const walk = async (relDir: string): Promise<void> => {
    // What the new export has in this folder: true for a folder, false for anything else.
    const mine = new Map(
      (await fs.readdir(join(to, relDir), { withFileTypes: true })).map((e) => [e.name, e.isDirectory()]),
    );
    for (const entry of await fs.readdir(join(from, relDir), { withFileTypes: true })) {
      // Other work (a signal) gets a turn now and then; a cancel stops here, before the swap.
      if (++done % 256 === 0) {
        await new Promise((resolve) => setImmediate(resolve));
        if (cancelled()) throw cancelledError(from);
      }
      const rel = join(relDir, entry.name);
      const kind = mine.get(entry.name);
      if (entry.isDirectory()) {
        // A file of the new export in the place of an old folder wins.
        if (kind === false) continue;
        if (kind === undefined) await fs.mkdir(join(to, rel));
        await walk(rel);
        continue;
      }
      if (kind !== undefined) continue;
      // One synchronous link per file: an async call per file costs a thread-pool round trip.
      try {
        linkSync(join(from, rel), join(to, rel));
      } catch {
        await copyEntry(join(from, rel), join(to, rel));
      }
    }
  };
  await walk('');
}

async function copyEntry(source: string, destination: string): Promise<void> {
  const stat = await fs.lstat(source);
  if (stat.isSymbolicLink()) await fs.symlink(await fs.readlink(source), destination);
  else await fs.copyFile(source, destination);
}

function cancelledError(outDir: string): LsconvError {
  return new LsconvError('ABORTED', `the export was cancelled before ${outDir} was replaced`, {
    hint: 'the output folder was left as it was',
  });
}

/**
 * Makes a folder and its missing parents, one level at a time, and fails on the first
 * level that cannot be made. (`fs.mkdir` with `recursive` spins forever on some special
 * file systems, such as a path under /proc.)
 */
export async function makeFolders(folder: string): Promise<void> {
  const missing: string[] = [];
  let dir = folder;
  const { root } = parse(folder);
  while (dir !== root && !(await fs.lstat(dir).catch(() => undefined))) {
    missing.push(dir);
    dir = dirname(dir);
  }
  for (const level of missing.reverse()) {
    try {
      await fs.mkdir(level);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/**
 * Puts back an output folder that a process killed in the middle of a swap left renamed
 * aside: when `target` is missing and a dead process's `…-old` folder is beside it.
 */
export async function recoverInterrupted(target: string, deadTemps: readonly string[]): Promise<void> {
  const old = deadTemps.find((name) => name.endsWith(OLD_SUFFIX));
  if (!old) return;
  if (await fs.lstat(target).catch(() => undefined)) return;
  await fs.rename(join(dirname(target), old), target).catch(() => undefined);
}

/** The `OUTPUT_WRITE` error for a failed write (an LsconvError is thrown as it is). */
export function writeFailure(error: unknown, outDir: string, path?: string): never {
  if (error instanceof LsconvError) throw error;
  const code = (error as NodeJS.ErrnoException).code;
  const why = (code && WRITE_ERRORS[code]) ?? code ?? (error as Error).message;
  throw new LsconvError('OUTPUT_WRITE', `cannot write ${path ? `"${path}" in ` : ''}${outDir}: ${why}`, {
    hint: code === 'ENOSPC' ? 'the disk is full' : 'choose an output folder you can write to',
    cause: error,
  });
}

/** Plain words for the system errors a write meets most. */
const WRITE_ERRORS: Readonly<Record<string, string>> = {
  EROFS: 'the file system is read-only (EROFS)',
  EACCES: 'permission denied (EACCES)',
  EPERM: 'operation not permitted (EPERM)',
  ENOSPC: 'no space left on the device (ENOSPC)',
  EDQUOT: 'the disk quota is exceeded (EDQUOT)',
  ENOTDIR: 'a part of the path is a file, not a folder (ENOTDIR)',
  ENOENT: 'a folder on the way cannot be made here (ENOENT)',
};

/** {@link makeFolders}, synchronously. */
export function makeFoldersSync(folder: string): void {
  const missing: string[] = [];
  let dir = folder;
  const { root } = parse(folder);
  while (dir !== root && !lstatSync(dir, { throwIfNoEntry: false })) {
    missing.push(dir);
    dir = dirname(dir);
  }
  for (const level of missing.reverse()) {
    try {
      mkdirSync(level);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
