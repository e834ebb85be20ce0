import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from './main.js';
import { CONFORMANCE, fakeIo, tempDir } from './test-helpers.js';

const TASKS = JSON.stringify([{ id: 7, data: { text: 'hello' }, annotations: [] }]);
const dirs: string[] = [];
function workspace(): string {
  const dir = tempDir();
  dirs.push(dir);
  writeFileSync(join(dir, 'tasks.json'), TASKS);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('the output folder rule', () => {
  it('refuses a non-empty folder lsconv did not write, before reading anything; --merge adds to it', async () => {
    const dir = workspace();
    mkdirSync(join(dir, 'out'));
    writeFileSync(join(dir, 'out', 'stale.txt'), 'from another project');
    const io = fakeIo({ cwd: dir });
    expect(await main(['export', '-i', 'tasks.json', '-o', 'out'], io)).toBe(1);
    expect(io.err()).toMatch(/the output folder out is not empty and was not written by lsconv.*--merge/);
    expect(readdirSync(join(dir, 'out'))).toEqual(['stale.txt']);

    const merging = fakeIo({ cwd: dir });
    expect(await main(['export', '-i', 'tasks.json', '-o', 'out', '--merge', '-q'], merging)).toBe(0);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['result.json', 'stale.txt']);
  });

  it('replaces a folder it wrote: nothing of the previous export stays beside the new one', async () => {
    const dir = workspace();
    expect(await main(['export', '-i', 'tasks.json', '-o', 'out', '-q'], fakeIo({ cwd: dir }))).toBe(0);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['.lsconv-output', 'result.json']);
    writeFileSync(join(dir, 'out', 'left-from-before.txt'), 'x');
    expect(await main(['export', '-i', 'tasks.json', '-o', 'out', '-q'], fakeIo({ cwd: dir }))).toBe(0);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['.lsconv-output', 'result.json']);
    expect(JSON.parse(readFileSync(join(dir, 'out', '.lsconv-output'), 'utf8'))).toEqual({
      writtenBy: 'lsconv',
      format: 'JSON',
    });
  });

  it('writes a zip file for -o NAME.zip without --zip', async () => {
    const dir = workspace();
    expect(await main(['export', '-i', 'tasks.json', '-o', 'out.zip', '-q'], fakeIo({ cwd: dir }))).toBe(0);
    const zip = readFileSync(join(dir, 'out.zip'));
    // A zip file (local file header signature), holding the export's file.
    expect(zip.subarray(0, 4)).toEqual(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
    expect(zip.includes('result.json')).toBe(true);
  });

  it('fails at once on an output under /proc instead of spinning', async () => {
    const dir = workspace();
    const io = fakeIo({ cwd: dir });
    expect(await main(['export', '-i', 'tasks.json', '-o', '/proc/lsconv-test-out'], io)).toBe(1);
    expect(io.err()).toMatch(/cannot write .*\/proc\/lsconv-test-out/);
    expect(existsSync('/proc/lsconv-test-out')).toBe(false);
  }, 10_000);
});

describe('paths from the command line are the user’s', () => {
  it('takes an absolute --image-dir inside the output, and refuses one outside with a message for users', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const bbox = join(CONFORMANCE, 'tpl-bbox');
    const args = [
      'export',
      '-i',
      join(bbox, 'tasks.json'),
      '-c',
      join(bbox, 'config.xml'),
      '-f',
      'COCO',
      '-q',
    ];
    const out = join(dir, 'out');
    expect(await main([...args, '-o', out, '--image-dir', join(out, 'pics')], fakeIo())).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['.lsconv-output', 'pics', 'result.json']);
    const io = fakeIo();
    expect(await main([...args, '-o', join(dir, 'out2'), '--image-dir', join(dir, 'elsewhere')], io)).toBe(2);
    expect(io.err()).toMatch(/--image-dir .*elsewhere is outside the output folder/);
    expect(io.err()).not.toMatch(/safeBaseName|formats must/);
  });
});
