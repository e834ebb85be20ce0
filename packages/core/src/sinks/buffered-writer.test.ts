import { describe, expect, it } from 'vitest';
import { BufferedWriter } from './buffered-writer.js';

/** A writer whose flushes are recorded as copies, with the buffers they came in. */
function recorder(delay = false) {
  const chunks: Buffer[] = [];
  const buffers = new Set<ArrayBufferLike>();
  let closed = 0;
  const writer = new BufferedWriter(
    async (chunk) => {
      if (delay) await new Promise((resolve) => setTimeout(resolve, 1));
      buffers.add(chunk.buffer);
      chunks.push(Buffer.from(chunk));
    },
    async () => {
      closed++;
    },
  );
  return {
    writer,
    chunks,
    buffers,
    text: () => Buffer.concat(chunks).toString('utf8'),
    closed: () => closed,
  };
}

describe('BufferedWriter', () => {
  it('writes every small write out through one reused buffer, in chunks of 256 KiB', async () => {
    const { writer, chunks, buffers, text } = recorder();
    const line = 'x'.repeat(99) + '\n';
    let expected = '';
    for (let i = 0; i < 10_000; i++) {
      await writer.write(line);
      expected += line;
      if (i % 7 === 0) {
        await writer.write(Buffer.from('é€😀\n'));
        expected += 'é€😀\n';
      }
    }
    await writer.close();
    expect(text()).toBe(expected);
    expect(writer.bytes).toBe(Buffer.byteLength(expected));
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.slice(0, -1).every((c) => c.length === 256 * 1024)).toBe(true);
    // No fresh buffer per flush: the memory outside the heap stays one buffer per file.
    expect(buffers.size).toBe(1);
  });

  it('never splits a character across two buffers, and passes large writes through whole', async () => {
    const { writer, text, chunks } = recorder();
    // Fill the buffer to one byte short, then write pairs of surrogates (4 bytes each in UTF-8).
    const head = 'a'.repeat(256 * 1024 - 1);
    await writer.write(head);
    await writer.write('😀😀');
    const big = 'b'.repeat(300_000);
    await writer.write(big);
    await writer.write(new Uint8Array(300_000).fill(0x63));
    await writer.write('end');
    await writer.close();
    expect(text()).toBe(`${head}😀😀${big}${'c'.repeat(300_000)}end`);
    expect(chunks.map((c) => c.length)).toEqual([256 * 1024 - 1, 8, 300_000, 300_000, 3]);
  });

  it('keeps the order of writes that are not awaited, while a flush is pending', async () => {
    const { writer, text } = recorder(true);
    const parts = Array.from({ length: 3000 }, (_, i) => `${i}:${'y'.repeat(200)}\n`);
    await Promise.all(parts.map((part) => writer.write(part)));
    await writer.close();
    expect(text()).toBe(parts.join(''));
  });

  it('copies bytes, so the caller may reuse its buffer once a write settles', async () => {
    const { writer, text } = recorder();
    const reused = Buffer.alloc(10);
    for (const word of ['alpha-one\n', 'beta-two!\n']) {
      reused.write(word);
      await writer.write(reused);
    }
    await writer.close();
    expect(text()).toBe('alpha-one\nbeta-two!\n');
  });

  it('closes the file even when the last flush fails, and refuses writes after close', async () => {
    let closed = 0;
    const writer = new BufferedWriter(
      async () => {
        throw new Error('disk gone');
      },
      async () => {
        closed++;
      },
    );
    await writer.write('pending');
    await expect(writer.close()).rejects.toThrow('disk gone');
    expect(closed).toBe(1);
    await writer.close();
    expect(closed).toBe(1);
    await expect(writer.write('more')).rejects.toThrow('write after close');
  });
});
