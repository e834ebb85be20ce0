import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { openTaskSource, READ_CHUNK_BYTES, rawTaskJson } from './index.js';

const tasks = [
  { id: 1, data: { text: 'a' }, annotations: [] },
  { id: 2, data: { text: 'b' } },
  { id: 10, data: { text: 'c' } },
];

async function collect(source: AsyncIterable<unknown>) {
  const out: unknown[] = [];
  for await (const t of source) out.push(t);
  return out;
}

describe('openTaskSource', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lsconv-src-'));

  it('reads a JSON list file, keeping raw bytes on request', async () => {
    const file = join(dir, 'tasks.json');
    writeFileSync(file, JSON.stringify(tasks, null, 1));
    const read = await collect(openTaskSource(file, { keepRaw: true, chunkSize: 7 }));
    expect(read).toEqual(tasks);
    expect(JSON.parse(Buffer.from(rawTaskJson(read[0] as object)!).toString())).toEqual(tasks[0]);
  });

  it('reads a file 256 KiB at a time, so the buffers the tasks keep alive stay small', async () => {
    const file = join(dir, 'big.json');
    const many = Array.from({ length: 3000 }, (_, i) => ({ id: i, data: { text: 'x'.repeat(300) } }));
    writeFileSync(file, JSON.stringify(many));
    const reads: number[] = [];
    const read = await collect(openTaskSource(file, { onBytes: (n) => reads.push(n) }));
    expect(read).toHaveLength(3000);
    expect(READ_CHUNK_BYTES).toBe(256 * 1024);
    expect(Math.max(...reads)).toBe(READ_CHUNK_BYTES);
    expect(reads.length).toBeGreaterThan(3);
  });

  it('reads JSON Lines and a lone task', async () => {
    const jsonl = join(dir, 'tasks.jsonl');
    writeFileSync(jsonl, `${tasks.map((t) => JSON.stringify(t)).join('\n')}\n`);
    expect(await collect(openTaskSource(jsonl))).toEqual(tasks);
    const single = join(dir, 'one.json');
    writeFileSync(single, JSON.stringify(tasks[1]));
    expect(await collect(openTaskSource(single))).toEqual([tasks[1]]);
  });

  it('reads a folder of per-task files in natural order', async () => {
    const folder = join(dir, 'per-task');
    mkdirSync(folder);
    for (const t of tasks) writeFileSync(join(folder, `${t.id}.json`), JSON.stringify(t));
    writeFileSync(join(folder, 'notes.txt'), 'not a task');
    expect(await collect(openTaskSource(folder))).toEqual(tasks);
  });

  it('reads a stream', async () => {
    const stream = Readable.from([Buffer.from('[{"data":{"x":1}},'), Buffer.from('{"data":{"x":2}}]')]);
    expect(await collect(openTaskSource(stream))).toEqual([{ data: { x: 1 } }, { data: { x: 2 } }]);
  });

  it('names the file, the task and the field of a bad task', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify([
        { id: 1, data: {} },
        { id: 7, meta: {} },
      ]),
    );
    await expect(collect(openTaskSource(file))).rejects.toThrow(
      /task has no "data" field \(file .*bad\.json, task #1 \(id 7\), field data\)/,
    );
  });

  it('names the task of invalid JSON inside a task', async () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '[{"data":{}},{"data":{"a":tru}}]');
    await expect(collect(openTaskSource(file))).rejects.toThrow(/invalid JSON.*task #1/);
  });

  it('says when the input does not exist', async () => {
    await expect(collect(openTaskSource(join(dir, 'missing.json')))).rejects.toThrow(
      /cannot read the input: ENOENT/,
    );
  });
});
