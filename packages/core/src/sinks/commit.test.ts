import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isLsconvError } from '../errors.js';
import { OUTPUT_MARKER, writeFailure } from './commit.js';
import { directorySink } from './directory.js';
import { removeStaleTemps } from './stale.js';

const roots: string[] = [];
const tmp = () => {
  const root = mkdtempSync(join(tmpdir(), 'lsconv-commit-'));
  roots.push(root);
  return root;
};
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** An output folder holding `files` (path → text). */
function folder(files: Record<string, string>): { root: string; out: string } {
  const root = tmp();
  const out = join(root, 'out');
  mkdirSync(out);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(out, path, '..'), { recursive: true });
    writeFileSync(join(out, path), text);
  }
  return { root, out };
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isLsconvError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a failure');
}

describe('the output folder rule', () => {
  it('own: marks a new folder, replaces a marked one whole, and refuses one lsconv did not write', async () => {
    const root = tmp();
    const out = join(root, 'out');
    const first = directorySink(out, { existing: 'own', marker: 'm1\n' });
    await first.writeFile('labels/a.txt', 'a');
    await first.writeFile('labels/old.txt', 'old');
    await first.commit();
    expect(readFileSync(join(out, OUTPUT_MARKER), 'utf8')).toBe('m1\n');

    const second = directorySink(out, { existing: 'own', marker: 'm2\n' });
    await second.writeFile('labels/a.txt', 'new a');
    await second.commit();
    // Replaced, not merged: the file the second export did not write is gone.
    expect(readdirSync(join(out, 'labels'))).toEqual(['a.txt']);
    expect(readFileSync(join(out, OUTPUT_MARKER), 'utf8')).toBe('m2\n');
    expect(readdirSync(root)).toEqual(['out']);

    const foreign = folder({ 'labels/x.txt': 'theirs' });
    const third = directorySink(foreign.out, { existing: 'own', marker: 'm\n' });
    await third.writeFile('classes.txt', 'Car\n');
    expect(await failure(third.commit())).toMatchObject({
      code: 'OUTPUT_EXISTS',
      message: expect.stringMatching(/not empty and was not written by lsconv.*--merge/),
    });
    expect(readdirSync(foreign.out)).toEqual(['labels']);
    expect(readdirSync(foreign.root)).toEqual(['out']);
  });

  it('merge: keeps the old files it does not replace, and does not mark a folder that held other files', async () => {
    const { root, out } = folder({ 'labels/keep.txt': 'keep', 'labels/a.txt': 'old a', 'notes.txt': 'n' });
    const sink = directorySink(out, { existing: 'merge', marker: 'm\n' });
    await sink.writeFile('labels/a.txt', 'new a');
    await sink.writeFile('classes.txt', 'Car\n');
    await sink.commit();
    expect(readFileSync(join(out, 'labels/keep.txt'), 'utf8')).toBe('keep');
    expect(readFileSync(join(out, 'labels/a.txt'), 'utf8')).toBe('new a');
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('n');
    expect(existsSync(join(out, OUTPUT_MARKER))).toBe(false);
    expect(readdirSync(root)).toEqual(['out']);
  });

  it('a merge cancelled before the swap leaves the old folder exactly as it was', async () => {
    const files = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`labels/${i}.txt`, `old ${i}`]));
    const { root, out } = folder(files);
    const controller = new AbortController();
    const sink = directorySink(out, { existing: 'merge', signal: controller.signal });
    await sink.writeFile('labels/0.txt', 'new 0');
    await sink.writeFile('labels/new.txt', 'new');
    controller.abort();
    expect(await failure(sink.commit())).toMatchObject({ code: 'ABORTED' });
    expect(readdirSync(join(out, 'labels'))).toHaveLength(1000);
    expect(readFileSync(join(out, 'labels/0.txt'), 'utf8')).toBe('old 0');
    expect(readdirSync(root)).toEqual(['out']);
  });

  it('puts back an output that a killed process left renamed aside in the middle of a swap', async () => {
    const { root, out } = folder({ 'labels/a.txt': 'old' });
    // What a process killed between the two renames leaves: the old folder renamed aside,
    // the new one complete under its temporary name, nothing under the output's name.
    const dead = 999_999_999;
    const temp = join(root, `.out.lsconv-tmp-${dead}-0123abcd`);
    mkdirSync(temp);
    writeFileSync(join(temp, 'new.txt'), 'new');
    renameSync(out, `${temp}-old`);
    await removeStaleTemps(out);
    expect(readFileSync(join(out, 'labels/a.txt'), 'utf8')).toBe('old');
    expect(readdirSync(root)).toEqual(['out']);
  });

  it('fails at once on a path no folder can be made in, instead of spinning', async () => {
    const sink = directorySink('/proc/lsconv-test-output');
    const started = Date.now();
    expect(await failure(sink.writeFile('a.txt', 'a'))).toMatchObject({ code: 'OUTPUT_WRITE' });
    expect(Date.now() - started).toBeLessThan(5000);
    await sink.abort();
  });

  it('says in words why a write failed: a read-only file system is named as such', () => {
    const erofs = Object.assign(new Error('EROFS: read-only file system'), { code: 'EROFS' });
    expect(() => writeFailure(erofs, '/mnt/ro/out', 'labels/a.txt')).toThrow(
      /cannot write "labels\/a.txt" in \/mnt\/ro\/out: the file system is read-only \(EROFS\)/,
    );
  });
});
