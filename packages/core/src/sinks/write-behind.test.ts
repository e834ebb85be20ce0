// With `writeBehind`, the directory sink writes small whole files past its first thousand
// without waiting for each (write-behind.ts).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { directorySink } from './directory.js';

const root = mkdtempSync(join(tmpdir(), 'lsconv-write-behind-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const FILES = 2500;
const content = (n: number) => (n % 3 === 0 ? `label ${n} ✓\n` : Buffer.from(`bytes ${n}\n`));

describe('write-behind in the directory sink', () => {
  it('writes every file, and knows each one is written before it is on disk', async () => {
    const out = join(root, 'many');
    const sink = directorySink(out, { writeBehind: true });
    for (let n = 0; n < FILES; n++) {
      await sink.writeFile(`labels/${n}.txt`, content(n));
      expect(sink.has(`labels/${n}.txt`)).toBe(true);
    }
    expect(sink.has('labels/none.txt')).toBe(false);
    expect(sink.filesWritten).toBe(FILES);
    await sink.commit();
    expect(readdirSync(join(out, 'labels'))).toHaveLength(FILES);
    for (const n of [0, 999, 1000, 1001, 1500, FILES - 1])
      expect(readFileSync(join(out, 'labels', `${n}.txt`), 'utf8')).toBe(String(content(n)));
  });

  it('fails the commit, naming the file and the reason, when a write behind fails', async () => {
    const out = join(root, 'failing');
    const sink = directorySink(out, { writeBehind: true });
    for (let n = 0; n < 1200; n++) await sink.writeFile(`d/${n}.txt`, content(n));
    await sink.writeFile('keep.txt', 'x');
    // Once the files begun are on disk, the folder disappears behind the sink's back: the
    // next writes into it fail.
    const temp = readdirSync(root).find((name) => name.startsWith('.failing.lsconv-tmp-'))!;
    for (let waited = 0; readdirSync(join(root, temp, 'd')).length < 1200 && waited < 10_000; waited += 10)
      await new Promise((resolve) => setTimeout(resolve, 10));
    rmSync(join(root, temp, 'd'), { recursive: true, force: true });
    let failure: unknown;
    try {
      for (let n = 1200; n < 2000; n++) await sink.writeFile(`d/${n}.txt`, content(n));
      await sink.commit();
    } catch (error) {
      failure = error;
    }
    expect(failure).toMatchObject({ code: 'OUTPUT_WRITE' });
    expect((failure as Error).message).toMatch(
      /cannot write "d\/1\d{3}\.txt" in .*failing: a folder on the way/,
    );
    await sink.abort();
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(root).filter((name) => name.startsWith('.failing'))).toEqual([]);
  });

  it('writes one path twice in the order the writes were made', async () => {
    const out = join(root, 'twice');
    const sink = directorySink(out, { writeBehind: true, existing: 'merge' });
    for (let n = 0; n < 1000; n++) await sink.writeFile(`pre/${n}.txt`, 'x');
    for (let n = 0; n < 300; n++) {
      await sink.writeFile(`same/${n}.txt`, 'first, and much longer than the second'.repeat(50));
      await sink.writeFile(`same/${n}.txt`, `second ${n}`);
    }
    await sink.commit();
    for (let n = 0; n < 300; n++) expect(readFileSync(join(out, 'same', `${n}.txt`), 'utf8')).toBe(`second ${n}`);
  });

  it('writes in this thread unless asked', async () => {
    const out = join(root, 'inline');
    const sink = directorySink(out);
    for (let n = 0; n < 1200; n++) await sink.writeFile(`${n}.txt`, content(n));
    // Written synchronously: on disk before the commit.
    const temp = readdirSync(root).find((name) => name.startsWith('.inline.lsconv-tmp-'))!;
    expect(readdirSync(join(root, temp))).toHaveLength(1200);
    await sink.abort();
  });

  it('leaves nothing behind when aborted while files are queued', async () => {
    const out = join(root, 'aborted');
    const sink = directorySink(out, { writeBehind: true });
    for (let n = 0; n < 1700; n++) await sink.writeFile(`${n}.txt`, content(n));
    await sink.abort();
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(root).filter((name) => name.startsWith('.aborted'))).toEqual([]);
  });
});
