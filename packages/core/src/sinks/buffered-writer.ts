import { type FileWriter, utf8 } from './types.js';

const FLUSH_AT = 256 * 1024;

/**
 * Collects small writes in one buffer of 256 KiB, allocated once per file, and hands it to
 * `flush` whenever it is full, so formats can write line by line without a system call per
 * line. Text is encoded straight into that buffer and bytes are copied into it: a write
 * leaves no buffer behind for the collector. Memory outside the JavaScript heap is freed
 * only when the heap is collected, which a small heap seldom is, so an export that made a
 * fresh buffer per flush (and per read of a spill) held tens of megabytes of dead ones at
 * its peak. Writes of 256 KiB or more go to `flush` as they are.
 *
 * The chunk `flush` receives is valid until the promise it returns settles: the buffer is
 * written into again after that, so `flush` copies what it keeps. Bytes given to
 * {@link write} are copied before it returns (or handed to `flush` and awaited), so the
 * caller may reuse its own buffer once the write settles.
 */
export class BufferedWriter implements FileWriter {
  private buffer: Buffer | undefined;
  private used = 0;
  private closed = false;
  private tail: Promise<void> = Promise.resolve();
  bytes = 0;

  constructor(
    private readonly flushChunk: (chunk: Buffer) => Promise<void>,
    private readonly onClose: () => Promise<void>,
  ) {}

  write(chunk: string | Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new Error('write after close'));
    // One write at a time, in the order they were made, even when a caller does not await:
    // the buffer is being written out while a flush is pending.
    const run = this.tail.then(() =>
      typeof chunk === 'string' ? this.writeText(chunk) : this.writeBytes(chunk),
    );
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async writeText(chunk: string): Promise<void> {
    let text = chunk;
    for (;;) {
      if (text.length >= FLUSH_AT) {
        await this.flush();
        await this.emit(Buffer.from(text, 'utf8'));
        return;
      }
      this.buffer ??= Buffer.allocUnsafeSlow(FLUSH_AT);
      // Whole characters only: a pair of surrogates that does not fit waits for the next buffer.
      const { read, written } = utf8.encodeInto(text, this.buffer.subarray(this.used));
      this.used += written;
      if (read === text.length) break;
      text = text.slice(read);
      await this.flush();
    }
    if (this.used === FLUSH_AT) await this.flush();
  }

  private async writeBytes(chunk: Uint8Array): Promise<void> {
    if (chunk.byteLength >= FLUSH_AT) {
      await this.flush();
      await this.emit(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      return;
    }
    let from = 0;
    while (from < chunk.byteLength) {
      this.buffer ??= Buffer.allocUnsafeSlow(FLUSH_AT);
      const n = Math.min(FLUSH_AT - this.used, chunk.byteLength - from);
      this.buffer.set(chunk.subarray(from, from + n), this.used);
      this.used += n;
      from += n;
      if (this.used === FLUSH_AT) await this.flush();
    }
  }

  private async flush(): Promise<void> {
    if (this.used === 0 || !this.buffer) return;
    const chunk = this.buffer.subarray(0, this.used);
    this.used = 0;
    await this.emit(chunk);
  }

  private async emit(chunk: Buffer): Promise<void> {
    this.bytes += chunk.byteLength;
    await this.flushChunk(chunk);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.tail;
      await this.flush();
    } finally {
      this.buffer = undefined;
      await this.onClose();
    }
  }

  /** True once closed. */
  get isClosed(): boolean {
    return this.closed;
  }
}
