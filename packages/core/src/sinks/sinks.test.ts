import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { directorySink } from './directory.js';
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
