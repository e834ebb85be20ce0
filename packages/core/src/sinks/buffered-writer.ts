import type { FileWriter } from './types.js';

const FLUSH_AT = 256 * 1024;

/**
 * Collects small writes and hands them to `flush` in chunks of about 256 KiB, so
 * formats can write line by line without a system call per line.
 */
export class BufferedWriter implements FileWriter {
  private parts: (string | Uint8Array)[] = [];
  private size = 0;
  private closed = false;
  bytes = 0;

  constructor(
    private readonly flushChunk: (chunk: Buffer) => Promise<void>,
    private readonly onClose: () => Promise<void>,
  ) {}

  async write(chunk: string | Uint8Array): Promise<void> {
    if (this.closed) throw new Error('write after close');
    this.parts.push(chunk);
    // Strings count by length: close enough for the threshold, exact counting happens at flush.
    this.size += typeof chunk === 'string' ? chunk.length : chunk.byteLength;
    if (this.size >= FLUSH_AT) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const parts = this.parts;
    this.parts = [];
    this.size = 0;
    let buffer: Buffer;
    if (parts.every((p) => typeof p === 'string')) buffer = Buffer.from((parts as string[]).join(''), 'utf8');
    else buffer = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
    this.bytes += buffer.byteLength;
    await this.flushChunk(buffer);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    await this.onClose();
  }

  /** True once closed. */
  get isClosed(): boolean {
    return this.closed;
  }
}
