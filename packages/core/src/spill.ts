import { createReadStream } from 'node:fs';
import { type FileHandle, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BufferedWriter } from './sinks/buffered-writer.js';
import type { FileWriter } from './sinks/types.js';

/** Bytes per read of a spill file. */
const READ_BYTES = 256 * 1024;
const NEWLINE = 0x0a;

/**
 * A list of JSON values written element by element to a temporary file, so an export of
 * a million tasks holds about one megabyte of pending text, not every element. Written
 * once, then either copied into the real output joined by the separator
 * ({@link JsonArraySpill.pipeTo}: COCO's images and annotations) or read back a batch of
 * elements at a time ({@link JsonArraySpill.readBatches}, with the separator `\n`: the
 * CSV rows held back until the header is known). {@link JsonArraySpill.dispose} deletes
 * it; call it in a `finally`.
 */
export class JsonArraySpill {
  /** Elements written so far. */
  count = 0;
  private handle: FileHandle | undefined;
  private readonly writer: BufferedWriter;

  private constructor(
    /** The folder holding the spill file. */
    readonly dir: string,
    handle: FileHandle,
    /** The spill file. */
    readonly path: string,
    private readonly separator: string,
  ) {
    this.handle = handle;
    // Elements are encoded into one reused buffer and written out as it fills.
    this.writer = new BufferedWriter(
      async (chunk) => {
        let offset = 0;
        while (offset < chunk.length) offset += (await handle.write(chunk, offset)).bytesWritten;
      },
      async () => undefined,
    );
  }

  /**
   * Creates a spill file in a fresh folder under the system temp folder; `separator`
   * goes between elements (default `,\n`).
   */
  static async create(prefix: string, separator = ',\n'): Promise<JsonArraySpill> {
    const dir = await mkdtemp(join(tmpdir(), `lsconv-${prefix}-`));
    const path = join(dir, 'spill.jsonl');
    const handle = await open(path, 'w').catch(async (error: unknown) => {
      await rm(dir, { recursive: true, force: true });
      throw error;
    });
    return new JsonArraySpill(dir, handle, path, separator);
  }

  /** Appends one element. */
  async push(value: unknown): Promise<void> {
    await this.pushJoined(JSON.stringify(value), 1);
  }

  /** Appends one element given as its JSON text. */
  async pushJson(json: string): Promise<void> {
    await this.pushJoined(json, 1);
  }

  /** Appends `count` elements given as their text, already joined by the separator. */
  async pushJoined(text: string, count: number): Promise<void> {
    if (count <= 0) return;
    const first = this.count === 0;
    this.count += count;
    if (!first) await this.writer.write(this.separator);
    await this.writer.write(text);
  }

  private async flush(): Promise<void> {
    if (!this.handle) return;
    await this.writer.close();
  }

  /** Copies every element written into `out`, joined by the separator (without brackets). */
  async pipeTo(out: FileWriter): Promise<void> {
    await this.flush();
    if (!(out instanceof BufferedWriter)) {
      for await (const chunk of createReadStream(this.path)) await out.write(chunk as Uint8Array);
      return;
    }
    // Core's writer is done with the bytes once a write settles: one buffer serves every read.
    const input = await open(this.path, 'r');
    try {
      const buffer = Buffer.allocUnsafeSlow(READ_BYTES);
      for (;;) {
        const { bytesRead } = await input.read(buffer, 0, READ_BYTES);
        if (bytesRead === 0) break;
        await out.write(buffer.subarray(0, bytesRead));
      }
    } finally {
      await input.close();
    }
  }

  /**
   * Finishes writing and reads the elements back in order, a batch of element texts per
   * read (batching keeps the per-element cost low). Only for a spill whose separator is
   * `\n` and whose elements hold no raw newline (JSON text never does).
   */
  async *readBatches(): AsyncGenerator<string[]> {
    if (this.separator !== '\n') throw new TypeError('readBatches needs a spill separated by "\\n"');
    await this.flush();
    await this.handle?.close();
    this.handle = undefined;
    // One read buffer for the whole file: each batch is decoded out of it before the next
    // read, and the unfinished element after its last newline moves to the buffer's start,
    // where the next read continues it (a copy joined per read was a megabyte of garbage).
    const input = await open(this.path, 'r');
    let buffer = Buffer.allocUnsafeSlow(READ_BYTES * 4);
    let kept = 0;
    try {
      for (;;) {
        if (kept === buffer.length) {
          // An element longer than the buffer: a larger one takes it whole.
          const larger = Buffer.allocUnsafeSlow(buffer.length * 2);
          buffer.copy(larger, 0, 0, kept);
          buffer = larger;
        }
        const { bytesRead } = await input.read(buffer, kept, buffer.length - kept);
        if (bytesRead === 0) break;
        const end = kept + bytesRead;
        const last = buffer.subarray(kept, end).lastIndexOf(NEWLINE);
        if (last < 0) {
          kept = end;
          continue;
        }
        // Line by line: one string for the whole read would be a large object, which only a
        // full collection frees.
        const lines: string[] = [];
        for (let from = 0; from <= kept + last; ) {
          const at = buffer.indexOf(NEWLINE, from);
          lines.push(buffer.toString('utf8', from, at));
          from = at + 1;
        }
        buffer.copy(buffer, 0, kept + last + 1, end);
        kept = end - (kept + last + 1);
        yield lines;
      }
    } finally {
      await input.close();
    }
    if (kept > 0) yield [buffer.toString('utf8', 0, kept)];
  }

  /** Closes and deletes the temporary file. Safe to call twice. */
  async dispose(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await this.writer.close().catch(() => undefined);
    await handle?.close().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}
