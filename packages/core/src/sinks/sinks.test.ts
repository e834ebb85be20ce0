import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { directorySink, pathHash } from './directory.js';
import { memorySink } from './memory.js';
import { zipFileSink } from './zip.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'lsconv-sink-'));

describe('directorySink', () => {
  it('shows nothing under the final name until commit', async () => {
    const root = tmp();
    const out = join(root, 'out');
    const sink = directorySink(out);
    await sink.writeFile('a/b.txt', 'hello');
    const file = await sink.createFile('big.txt');
    for (let i = 0; i < 10_000; i++) await file.write(`line ${i}\n`);
    await file.close();
    await sink.mkdir('images');
    expect(existsSync(out)).toBe(false);
    await sink.commit();
    expect(readFileSync(join(out, 'a/b.txt'), 'utf8')).toBe('hello');
    expect(readFileSync(join(out, 'big.txt'), 'utf8').split('\n')).toHaveLength(10_001);
    expect(existsSync(join(out, 'images'))).toBe(true);
    expect(readdirSync(root)).toEqual(['out']);
  });

  it('leaves nothing behind on abort, and keeps a previous output intact', async () => {
    const root = tmp();
    const out = join(root, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'result.csv'), 'previous');
    const sink = directorySink(out);
    await sink.writeFile('result.csv', 'new');
    await sink.abort();
    expect(readFileSync(join(out, 'result.csv'), 'utf8')).toBe('previous');
    expect(readdirSync(root)).toEqual(['out']);
  });

  it('writes many small files: all land, the last write of a name wins, a reused buffer is fine', async () => {
    const root = tmp();
    const out = join(root, 'out');
    const sink = directorySink(out);
    const reused = Buffer.alloc(3);
    for (let i = 0; i < 200; i++) {
      reused.write(String(i % 1000).padStart(3, '0'));
      await sink.writeFile(`labels/${i}.txt`, reused);
    }
    for (let i = 0; i < 20; i++) await sink.writeFile('same.txt', `version ${i}`);
    await sink.writeFile('streamed.txt', 'whole');
    const streamed = await sink.createFile('streamed.txt');
    await streamed.write('streamed');
    await streamed.close();
    await sink.commit();
    expect(readdirSync(join(out, 'labels'))).toHaveLength(200);
    expect(readFileSync(join(out, 'labels/7.txt'), 'utf8')).toBe('007');
    expect(readFileSync(join(out, 'labels/199.txt'), 'utf8')).toBe('199');
    expect(readFileSync(join(out, 'same.txt'), 'utf8')).toBe('version 19');
    expect(readFileSync(join(out, 'streamed.txt'), 'utf8')).toBe('streamed');
    expect(sink.filesWritten).toBe(222);
  });

  it('turns a failed write into a clear error naming the file, and abort leaves nothing', async () => {
    const root = tmp();
    const out = join(root, 'out');
    const sink = directorySink(out);
    await sink.mkdir('taken');
    // A file where a folder is.
    const error = await sink.writeFile('taken', 'x').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'OUTPUT_WRITE' });
    expect((error as Error).message).toMatch(/"taken".*EISDIR/);
    await sink.abort();
    expect(readdirSync(root)).toEqual([]);
  });

  it('writes a whole file larger than the synchronous limit, and the last write of a name wins', async () => {
    const root = tmp();
    const out = join(root, 'out');
    const sink = directorySink(out);
    const big = Buffer.alloc(3 * 1024 * 1024, 0x62);
    await sink.writeFile('big.bin', big);
    await sink.writeFile('twice.txt', big);
    await sink.writeFile('twice.txt', 'small');
    await sink.commit();
    expect(readFileSync(join(out, 'big.bin')).equals(big)).toBe(true);
    expect(readFileSync(join(out, 'twice.txt'), 'utf8')).toBe('small');
    expect(sink.bytesWritten).toBe(2 * big.length + 5);
  });

  it('knows which paths it wrote without keeping their names, even when two share a hash', async () => {
    // Two names with the same 30-bit hash, found by a birthday search.
    const seen = new Map<number, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; !pair; i++) {
      const name = `labels/${i}.txt`;
      const other = seen.get(pathHash(name));
      if (other) pair = [other, name];
      else seen.set(pathHash(name), name);
    }
    const [first, second] = pair;
    const sink = directorySink(join(tmp(), 'out'));
    await sink.writeFile(first, 'a');
    expect(sink.has(first)).toBe(true);
    expect(sink.has(second)).toBe(false);
    expect(sink.has('labels/other.txt')).toBe(false);
    expect(sink.has('../escape.txt')).toBe(false);
    await sink.mkdir('folder');
    expect(sink.has('folder')).toBe(false);
    const open = sink.createFile(second);
    expect(sink.has(second)).toBe(true); // begun, not yet on disk
    await (await open).close();
    expect(sink.has(second)).toBe(true);
    await sink.abort();
  });

  it('merges into an existing folder on commit', async () => {
    const root = tmp();
    const out = join(root, 'out');
    mkdirSync(out);
    writeFileSync(join(out, 'keep.txt'), 'keep');
    writeFileSync(join(out, 'result.csv'), 'old');
    const sink = directorySink(out);
    await sink.writeFile('result.csv', 'new');
    await sink.commit();
    expect(readFileSync(join(out, 'result.csv'), 'utf8')).toBe('new');
    expect(readFileSync(join(out, 'keep.txt'), 'utf8')).toBe('keep');
  });

  it('merges folders: new ones move whole, existing ones file by file, a file in the way is replaced', async () => {
    const root = tmp();
    const out = join(root, 'out');
    mkdirSync(join(out, 'labels'), { recursive: true });
    writeFileSync(join(out, 'labels', 'old.txt'), 'old');
    writeFileSync(join(out, 'labels', 'a.txt'), 'stale');
    writeFileSync(join(out, 'images'), 'a file where the output has a folder');
    mkdirSync(join(out, 'labels', 'c.txt', 'inner'), { recursive: true });
    const sink = directorySink(out);
    await sink.writeFile('labels/c.txt', 'a file where a folder was');
    await sink.writeFile('labels/a.txt', 'a');
    await sink.writeFile('labels/deep/b.txt', 'b');
    await sink.writeFile('images/c.jpg', 'c');
    await sink.writeFile('masks/x/y/z.png', 'z');
    await sink.commit();
    const read = (...parts: string[]) => readFileSync(join(out, ...parts), 'utf8');
    expect(read('labels', 'old.txt')).toBe('old');
    expect(read('labels', 'a.txt')).toBe('a');
    expect(read('labels', 'c.txt')).toBe('a file where a folder was');
    expect(read('labels', 'deep', 'b.txt')).toBe('b');
    expect(read('images', 'c.jpg')).toBe('c');
    expect(read('masks', 'x', 'y', 'z.png')).toBe('z');
    // Nothing is left beside the output.
    expect(readdirSync(root)).toEqual(['out']);
  });

  it('refuses paths that leave the output', async () => {
    const sink = directorySink(join(tmp(), 'out'));
    for (const bad of [
      '../x',
      '/etc/passwd',
      'a/../../b',
      'a\\b',
      'nul\0byte',
      '',
      'a//b',
      `${'x'.repeat(300)}.txt`,
    ]) {
      await expect(sink.writeFile(bad, 'x')).rejects.toThrow(/refused output path/);
    }
    await sink.abort();
  });
});

describe('zipFileSink', () => {
  it('writes one archive, renamed into place on commit', async () => {
    const root = tmp();
    const file = join(root, 'out.zip');
    const sink = zipFileSink(file);
    await sink.writeFile('result.json', '[]');
    const writer = await sink.createFile('labels/a.txt');
    await writer.write('0 0.5 0.5 1 1\n');
    await writer.close();
    await sink.mkdir('images');
    expect(existsSync(file)).toBe(false);
    await sink.commit();
    const entries = unzipSync(readFileSync(file));
    expect(Object.keys(entries).sort()).toEqual(['images/', 'labels/a.txt', 'result.json']);
    expect(Buffer.from(entries['labels/a.txt']!).toString()).toBe('0 0.5 0.5 1 1\n');
    expect(readdirSync(root)).toEqual(['out.zip']);
  });

  it('deflates small whole files and large streamed ones, and both read back intact', async () => {
    const root = tmp();
    const file = join(root, 'out.zip');
    const sink = zipFileSink(file);
    const small = '<annotation><size><width>640</width></size></annotation>\n'.repeat(20);
    for (let i = 0; i < 50; i++) await sink.writeFile(`Annotations/${i}.xml`, `${small}${i}`);
    const writer = await sink.createFile('labels/one.txt');
    await writer.write(small);
    await writer.close();
    // Over the 256 KB buffer: streamed in several pushes.
    const big = Buffer.alloc(700 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = 97 + ((i * 7) % 13);
    const stream = await sink.createFile('result.json');
    for (let i = 0; i < big.length; i += 100_000) await stream.write(big.subarray(i, i + 100_000));
    await stream.close();
    await sink.commit();
    const bytes = readFileSync(file);
    const entries = unzipSync(bytes);
    for (let i = 0; i < 50; i++)
      expect(Buffer.from(entries[`Annotations/${i}.xml`]!).toString()).toBe(`${small}${i}`);
    expect(Buffer.from(entries['labels/one.txt']!).toString()).toBe(small);
    expect(Buffer.compare(Buffer.from(entries['result.json']!), big)).toBe(0);
    // Every entry's local header says deflate (method 8), and the archive is smaller than its content.
    let offset = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
    let headers = 0;
    while (offset >= 0) {
      expect(bytes.readUInt16LE(offset + 8)).toBe(8);
      headers++;
      offset = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x03, 0x04]), offset + 4);
    }
    expect(headers).toBeGreaterThanOrEqual(52);
    expect(bytes.length).toBeLessThan(big.length / 4);
  });

  it('removes its temporary file on abort', async () => {
    const root = tmp();
    const sink = zipFileSink(join(root, 'out.zip'));
    await sink.writeFile('result.json', '[]');
    await sink.abort();
    expect(readdirSync(root)).toEqual([]);
  });
});

describe('memorySink', () => {
  it('keeps files only after commit', async () => {
    const sink = memorySink();
    await sink.writeFile('x.txt', 'x');
    expect(sink.files.size).toBe(0);
    await sink.commit();
    expect(sink.text('x.txt')).toBe('x');
    await expect(sink.writeFile('y.txt', 'y')).rejects.toThrow(/already committed/);
  });
});
