import { createReadStream } from 'node:fs';
import { type FileHandle, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FLUSH_AT = 1 << 20;
const NEWLINE = 0x0a;

/**
 * A temporary file of lines (one value per line, JSON or any text without a raw newline) in `os.tmpdir()`: written once,
 * read back once, deleted by {@link JsonLineSpill.dispose} (call it in a `finally`).
 * Memory holds about one megabyte of pending text, whatever the number of lines.
 */
export class JsonLineSpill {
  private pending = '';
  private handle: FileHandle | undefined;
  private lineCount = 0;

  private constructor(
    /** The folder holding the spill file. */
    readonly dir: string,
    /** The spill file. */
    readonly path: string,
    handle: FileHandle,
  ) {
    this.handle = handle;
  }

  /** Creates an empty spill in a fresh temporary folder. */
  static async create(prefix = 'lsconv-spill-'): Promise<JsonLineSpill> {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    try {
      const path = join(dir, 'rows.jsonl');
      return new JsonLineSpill(dir, path, await open(path, 'w'));
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** Number of values pushed. */
  get length(): number {
    return this.lineCount;
  }

  /** Appends one value. JSON text never holds a raw newline, so a line is a value. */
  async push(value: unknown): Promise<void> {
    this.pending += `${JSON.stringify(value)}\n`;
    this.lineCount++;
    if (this.pending.length >= FLUSH_AT) await this.flush();
  }

  /** Appends `count` lines already serialised (each JSON text followed by `\n`). */
  async pushLines(lines: string, count: number): Promise<void> {
    this.pending += lines;
    this.lineCount += count;
    if (this.pending.length >= FLUSH_AT) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pending === '' || !this.handle) return;
    const bytes = Buffer.from(this.pending, 'utf8');
    this.pending = '';
    let offset = 0;
    while (offset < bytes.length) {
      const { bytesWritten } = await this.handle.write(bytes, offset);
      offset += bytesWritten;
    }
  }

  /**
   * Finishes writing and reads the lines back, in order, a batch of raw lines per
   * read (`JSON.parse` them, or whatever wrote them); batching keeps the per-line cost low.
   */
  async *readBatches(): AsyncGenerator<string[]> {
    await this.flush();
    await this.handle?.close();
    this.handle = undefined;
    const stream = createReadStream(this.path, { highWaterMark: FLUSH_AT });
    let carry: Buffer[] = [];
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        const last = chunk.lastIndexOf(NEWLINE);
        if (last < 0) {
          // A line longer than a read: keep the pieces and join them once.
          carry.push(chunk);
          continue;
        }
        const head =
          carry.length > 0 ? Buffer.concat([...carry, chunk.subarray(0, last)]) : chunk.subarray(0, last);
        carry = last + 1 < chunk.length ? [chunk.subarray(last + 1)] : [];
        yield head.toString('utf8').split('\n');
      }
    } finally {
      stream.destroy();
    }
    if (carry.length > 0) {
      const tail = Buffer.concat(carry).toString('utf8');
      if (tail !== '') yield [tail];
    }
  }

  /** Deletes the file and its folder. Safe to call more than once. */
  async dispose(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    this.pending = '';
    await handle?.close().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}
