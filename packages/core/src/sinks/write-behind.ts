import { Worker } from 'node:worker_threads';

/** A batch of whole files for the write-behind thread: their paths, and their bytes end to end. */
export interface WriteBatch {
  seq: number;
  paths: string[];
  lengths: Uint32Array;
  bytes: Uint8Array;
}

/** The thread's answer to a batch: how many files it wrote, and why it stopped if it did. */
export interface WriteBatchDone {
  seq: number;
  written: number;
  /** The batch's buffer, handed back to be filled again. */
  bytes: Uint8Array;
  error?: { index: number; code: string | undefined; message: string };
}

/** Files per batch, and bytes per batch, past which a batch is sent. */
const BATCH_FILES = 128;
const BATCH_BYTES = 512 * 1024;
/** The largest file written behind (a larger one is written as before). */
export const WRITE_BEHIND_MAX_BYTES = 64 * 1024;
/** Batches sent and not yet answered, past which `write` waits (memory stays bounded). */
const MAX_IN_FLIGHT = 4;

/**
 * Where the thread's script is: beside this module in `dist`, or, when core runs from
 * its TypeScript sources (the test runner), in the built copy.
 */
function writerThreadUrl(): URL {
  const here = import.meta.url;
  if (here.endsWith('.ts')) return new URL('../../dist/sinks/writer-thread.js', here);
  return new URL('./writer-thread.js', here);
}

/**
 * Writes many small whole files on a thread of its own, so that a format writing a file
 * per task (YOLO labels, VOC annotations) does not spend its main thread in the system
 * calls that create them. `write` queues a file and returns at once unless
 * {@link MAX_IN_FLIGHT} batches are being written; `flush` waits until every queued file
 * is on disk and throws the first failure (`onWritten` tells the caller which paths are).
 */
export class WriteBehind {
  private readonly worker: Worker;
  private paths: string[] = [];
  private names: string[] = [];
  private lengths: number[] = [];
  private buffer: Buffer = Buffer.allocUnsafeSlow(BATCH_BYTES);
  private used = 0;
  /** Buffers the thread handed back (at most one per batch in flight). */
  private readonly spare: Buffer[] = [];
  private seq = 0;
  private readonly inFlight = new Map<number, string[]>();
  private waiting: (() => void)[] = [];
  private failure: { path: string; error: NodeJS.ErrnoException } | undefined;
  private exited: Error | undefined;

  /** `onWritten` is called with the names (as given to `write`) once their files are on disk. */
  constructor(private readonly onWritten: (names: readonly string[]) => void) {
    // It holds a batch at a time: a small heap keeps its share of memory small.
    this.worker = new Worker(writerThreadUrl(), {
      resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 },
    });
    this.worker.unref();
    this.worker.on('message', (done: WriteBatchDone) => this.answered(done));
    this.worker.on('error', (error) => this.stop(error));
    this.worker.on('exit', (code) =>
      this.stop(new Error(`the file writing thread stopped (exit code ${code})`)),
    );
  }

  /**
   * Queues one file of at most {@link WRITE_BEHIND_MAX_BYTES} (its bytes are copied at
   * once); `name` is what `onWritten` and errors call it.
   */
  async write(path: string, name: string, data: string | Uint8Array): Promise<void> {
    this.check();
    const length = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    if (this.used + length > this.buffer.length) await this.send();
    if (typeof data === 'string') this.buffer.write(data, this.used);
    else this.buffer.set(data, this.used);
    this.used += length;
    this.paths.push(path);
    this.names.push(name);
    this.lengths.push(length);
    if (this.paths.length >= BATCH_FILES) await this.send();
  }

  /** Waits until every queued file is written; throws the first failure. */
  async flush(): Promise<void> {
    if (this.paths.length) await this.send();
    while (this.inFlight.size > 0 && !this.exited && !this.failure) await this.wait();
    this.check();
  }

  /** Stops the thread (queued files are dropped). */
  async close(): Promise<void> {
    this.exited ??= new Error('the file writing thread was closed');
    await this.worker.terminate();
    this.release();
  }

  private async send(): Promise<void> {
    while (this.inFlight.size >= MAX_IN_FLIGHT && !this.exited && !this.failure) await this.wait();
    this.check();
    if (this.paths.length === 0) return;
    const bytes = this.buffer.subarray(0, this.used);
    const batch: WriteBatch = {
      seq: this.seq++,
      paths: this.paths,
      lengths: Uint32Array.from(this.lengths),
      bytes,
    };
    this.inFlight.set(batch.seq, this.names);
    this.paths = [];
    this.names = [];
    this.lengths = [];
    this.used = 0;
    this.worker.postMessage(batch, [bytes.buffer as ArrayBuffer]);
    this.buffer = this.spare.pop() ?? Buffer.allocUnsafeSlow(BATCH_BYTES);
  }

  private answered(done: WriteBatchDone): void {
    const names = this.inFlight.get(done.seq) ?? [];
    this.inFlight.delete(done.seq);
    if (done.bytes.buffer.byteLength === BATCH_BYTES)
      this.spare.push(Buffer.from(done.bytes.buffer as ArrayBuffer));
    this.onWritten(names.slice(0, done.written));
    if (done.error && !this.failure) {
      const error = Object.assign(new Error(done.error.message), { code: done.error.code });
      this.failure = { path: names[done.error.index] ?? '', error };
    }
    this.release();
  }

  private stop(error: Error): void {
    this.exited ??= error;
    this.release();
  }

  private wait(): Promise<void> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }

  /** Throws what stopped the writing, if anything did. */
  private check(): void {
    if (this.failure) throw new WriteBehindError(this.failure.path, this.failure.error);
    if (this.exited) throw this.exited;
  }
}

/** A file the write-behind thread could not write: its name, and the system's error. */
export class WriteBehindError extends Error {
  constructor(
    readonly path: string,
    readonly error: NodeJS.ErrnoException,
  ) {
    super(error.message);
  }
}
