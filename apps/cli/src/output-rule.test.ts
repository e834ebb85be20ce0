import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from './main.js';
import { CLI_BIN, CONFORMANCE, fakeIo, tempDir } from './test-helpers.js';

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
  it('takes an absolute --image-dir inside the output as a folder of the output', async () => {
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
  });
});

describe('an --image-dir outside the output', () => {
  /** Two local-storage images and their tasks in a fresh folder. */
  function localImages(): { dir: string; args: string[] } {
    const dir = tempDir();
    dirs.push(dir);
    mkdirSync(join(dir, 'media'));
    const names = ['a b.png', 'c.png'];
    for (const name of names) writeFileSync(join(dir, 'media', name), png(40, 30));
    const tasks = names.map((name, i) => ({
      id: i + 1,
      data: { image: `/data/local-files/?d=media/${encodeURIComponent(name)}` },
      annotations: [{ id: i + 1, result: [box()] }],
    }));
    writeFileSync(join(dir, 'tasks.json'), JSON.stringify(tasks));
    writeFileSync(join(dir, 'config.xml'), CONFIG);
    const args = ['export', '-i', join(dir, 'tasks.json'), '-c', join(dir, 'config.xml')];
    args.push('--local-files-root', dir, '-q');
    return { dir, args };
  }

  it('receives the images, and the output refers to them by their path from the output', async () => {
    const { dir, args } = localImages();
    const pics = join(dir, 'pics');
    const io = fakeIo();
    const out = join(dir, 'out');
    const code = await main([...args, '-f', 'COCO_WITH_IMAGES', '-o', out, '--image-dir', pics], io);
    expect(code, io.err()).toBe(0);
    expect(readdirSync(pics).sort()).toEqual(['76752361__a b.png', '9cd622df__c.png']);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['.lsconv-output', 'result.json']);
    const coco = JSON.parse(readFileSync(join(dir, 'out', 'result.json'), 'utf8'));
    const names = coco.images.map((image: { file_name: string }) => image.file_name);
    expect(names).toEqual(['../pics/76752361__a b.png', '../pics/9cd622df__c.png']);
    for (const name of names) expect(existsSync(join(dir, 'out', name))).toBe(true);
  });

  it('is the same for a relative --image-dir leading out of the output, and YOLO points data.yaml at it', async () => {
    const { dir, args } = localImages();
    const io = fakeIo();
    const out = join(dir, 'out');
    const code = await main([...args, '-f', 'YOLO_WITH_IMAGES', '-o', out, '--image-dir', '../imgs'], io);
    expect(code, io.err()).toBe(0);
    expect(readdirSync(join(dir, 'imgs')).sort()).toEqual(['a b.png', 'c.png']);
    expect(readdirSync(join(dir, 'out', 'labels')).sort()).toEqual(['a b.txt', 'c.txt']);
    expect(readFileSync(join(dir, 'out', 'data.yaml'), 'utf8')).toMatch(/^train: "\.\.\/imgs"$/m);
  });

  it('keeps names from task data inside it', async () => {
    const { dir } = localImages();
    const { withOutsideFolder, memorySink } = await import('@lsconv/core');
    const sink = withOutsideFolder(memorySink(), { prefix: '../pics', folder: join(dir, 'pics') });
    await expect(sink.writeFile('../pics/../../escape.txt', 'x')).rejects.toThrow(/refused output path/);
    await expect(sink.writeFile('../other/x.txt', 'x')).rejects.toThrow(/refused output path/);
    await sink.writeFile('../pics/sub/ok.txt', 'x');
    await sink.writeFile('inside.txt', 'y');
    expect(readFileSync(join(dir, 'pics', 'sub', 'ok.txt'), 'utf8')).toBe('x');
    expect(sink.has('../pics/sub/ok.txt') && sink.has('inside.txt')).toBe(true);
    expect(existsSync(join(dir, 'escape.txt'))).toBe(false);
  });
});

const CONFIG =
  '<View><Image name="image" value="$image"/><RectangleLabels name="label" toName="image">' +
  '<Label value="Car"/></RectangleLabels></View>';

function box() {
  return {
    id: 'r1',
    from_name: 'label',
    to_name: 'image',
    type: 'rectanglelabels',
    original_width: 40,
    original_height: 30,
    value: { x: 10, y: 10, width: 50, height: 50, rotation: 0, rectanglelabels: ['Car'] },
  };
}

/** A tiny valid RGB PNG of that size. */
function png(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.alloc((width * 3 + 1) * height))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

// A real read-only file system: a tmpfs mounted read-only in a private mount namespace
// (`unshare -rm`, which needs no privileges where user namespaces are allowed).
const canMount = spawnSync('unshare', ['-rm', 'true']).status === 0;
describe('a read-only file system', () => {
  it.skipIf(!canMount)('is said in words, naming the output', () => {
    const dir = workspace();
    const ro = join(dir, 'ro');
    mkdirSync(ro);
    const cli = [process.execPath, CLI_BIN, 'export', '-i', join(dir, 'tasks.json'), '-o', join(ro, 'out')];
    const script = `mount -t tmpfs -o ro tmpfs "$1" && shift && exec "$@"`;
    const run = spawnSync('unshare', ['-rm', 'sh', '-c', script, 'sh', ro, ...cli], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/cannot write .*\/ro\/out.*: the file system is read-only \(EROFS\)/);
    expect(run.stderr).not.toMatch(/ENOENT|at .*\.js:\d+/);
  });
});
