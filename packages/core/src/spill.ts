import { createReadStream } from 'node:fs';
import { type FileHandle, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileWriter } from './sinks/types.js';

const FLUSH_AT = 1 << 20;

/**
 * A JSON array written element by element to a temporary file, so an export of a
 * million tasks holds one buffer, not every element. {@link JsonArraySpill.pipeTo}
 * copies the elements, joined by the separator, into the real output afterwards.
 * Formats whose output holds one list per export (COCO's images and annotations) use it.
 */
export class JsonArraySpill {
  /** Elements written so far. */
  count = 0;
  private buffer: string[] = [];
  private buffered = 0;
  private constructor(
    private readonly dir: string,
    private readonly handle: FileHandle,
    private readonly path: string,
    private readonly separator: string,
  ) {}

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
    await this.pushJson(JSON.stringify(value));
  }

  /** Appends one element given as its JSON text. */
  async pushJson(json: string): Promise<void> {
    const text = this.count === 0 ? json : this.separator + json;
    this.count++;
    this.buffer.push(text);
    this.buffered += text.length;
    if (this.buffered >= FLUSH_AT) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const text = this.buffer.join('');
    this.buffer = [];
    this.buffered = 0;
    await this.handle.write(text);
  }

  /** Copies every element written into `out` (without brackets). */
  async pipeTo(out: FileWriter): Promise<void> {
    await this.flush();
    for await (const chunk of createReadStream(this.path)) await out.write(chunk as Uint8Array);
  }

  /** Closes and deletes the temporary file. Safe to call twice. */
  async dispose(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}
