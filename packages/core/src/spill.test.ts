import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it, vi } from 'vitest';
import { memorySink } from './sinks/memory.js';
import { JsonArraySpill } from './spill.js';

async function readAll(spill: JsonArraySpill): Promise<unknown[]> {
  const values: unknown[] = [];
  for await (const batch of spill.readBatches()) for (const line of batch) values.push(JSON.parse(line));
  return values;
}

describe('JsonArraySpill', () => {
  it('gives back what was pushed, in order, across many flushes', async () => {
    const spill = await JsonArraySpill.create('test', '\n');
    try {
      expect(spill.path.startsWith(tmpdir())).toBe(true);
      // About 2.5 MB: several flushes on write and several reads back.
      const pad = 'p'.repeat(400);
      const values = Array.from({ length: 6_000 }, (_, i) => [
        [`k${i}`, `"line\nbreak ${i} é 😀 ${pad}"`],
        [],
        ['x', String(i)],
      ]);
      for (const value of values) await spill.push(value);
      expect(spill.count).toBe(values.length);
      expect(await readAll(spill)).toEqual(values);
    } finally {
      await spill.dispose();
    }
    expect(existsSync(spill.dir)).toBe(false);
  });

  it('handles a line longer than one read and multi-byte characters split between reads', async () => {
    const spill = await JsonArraySpill.create('test', '\n');
    try {
      const long = 'é'.repeat(1_500_000);
      const values = ['a', long, 'b', `${'x'.repeat(1_048_575)}€`, 'c'];
      for (const value of values) await spill.push(value);
      expect(await readAll(spill)).toEqual(values);
    } finally {
      await spill.dispose();
    }
  });

  it('reads back several megabytes through one buffer, joining no copies', async () => {
    const spill = await JsonArraySpill.create('test', '\n');
    const concat = vi.spyOn(Buffer, 'concat');
    try {
      const values = Array.from({ length: 40_000 }, (_, i) => `${i}-${'é'.repeat(i % 61)}`);
      for (const value of values) await spill.push(value);
      concat.mockClear();
      expect(await readAll(spill)).toEqual(values);
      // Each read used to join the previous read's unfinished element with the new bytes.
      expect(concat).not.toHaveBeenCalled();
    } finally {
      concat.mockRestore();
      await spill.dispose();
    }
  });

  it('reads nothing from an empty spill, and dispose is safe twice and before reading', async () => {
    const empty = await JsonArraySpill.create('test', '\n');
    expect(await readAll(empty)).toEqual([]);
    await empty.dispose();
    const unread = await JsonArraySpill.create('test', '\n');
    await unread.push({ a: 1 });
    await unread.dispose();
    await unread.dispose();
    expect(existsSync(unread.dir)).toBe(false);
  });
});

describe('JsonArraySpill, copied out', () => {
  it('joins the elements with its separator, whether pushed one by one or already joined', async () => {
    const spill = await JsonArraySpill.create('test');
    const chunks: Uint8Array[] = [];
    try {
      await spill.push({ a: 1 });
      await spill.pushJoined('2,\n3', 2);
      await spill.pushJoined('', 0);
      await spill.pushJson('"four"');
      expect(spill.count).toBe(4);
      await spill.pipeTo({
        write: async (chunk: string | Uint8Array) => void chunks.push(Buffer.from(chunk)),
        close: async () => undefined,
      } as never);
    } finally {
      await spill.dispose();
    }
    expect(Buffer.concat(chunks).toString('utf8')).toBe('{"a":1},\n2,\n3,\n"four"');
    await expect(async () => {
      for await (const _ of spill.readBatches()) break;
    }).rejects.toThrow(/separated by/);
  });

  it("copies a spill of several reads into core's own writer, which reuses the read buffer", async () => {
    const spill = await JsonArraySpill.create('test');
    const sink = memorySink();
    const expected: string[] = [];
    try {
      for (let i = 0; i < 20_000; i++) {
        const json = JSON.stringify({ i, text: `é${'z'.repeat(i % 97)}😀` });
        expected.push(json);
        await spill.pushJson(json);
      }
      const out = await sink.createFile('out.json');
      await out.write('[');
      await spill.pipeTo(out);
      await out.write(']');
      await out.close();
      await sink.commit();
    } finally {
      await spill.dispose();
    }
    const text = Buffer.from(sink.files.get('out.json')!).toString('utf8');
    expect(text.length).toBeGreaterThan(1024 * 1024);
    expect(text).toBe(`[${expected.join(',\n')}]`);
  });
});
