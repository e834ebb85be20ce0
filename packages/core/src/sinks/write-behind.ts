import { writeFile } from 'node:fs';

/** Files being written at once, past which `write` waits (memory stays bounded). */
const MAX_IN_FLIGHT = 32;
/** The largest file written behind (a larger one is written as before). */
export const WRITE_BEHIND_MAX_BYTES = 64 * 1024;

/**
 * Writes many small whole files on the system's file thread pool without waiting for
 * each, so that a format writing a file per task (YOLO labels, VOC annotations) does not
 * spend this thread in the system calls that create them: about a fifth of the thread's
 * time per file that a synchronous write costs, and no thread of its own to hold memory.
 * `write` starts a file and returns at once unless {@link MAX_IN_FLIGHT} are being
 * written; two writes of one path happen in the order they were made. `flush` waits until
 * every file is on disk and throws the first failure (`onWritten` tells the caller which
 * paths are done).
 */
export class WriteBehind {
  private readonly inFlight = new Map<string, Promise<void>>();
  private waiting: (() => void)[] = [];
  private failure: WriteBehindError | undefined;

  /** `onWritten` is called with the name (as given to `write`) once its file is on disk. */
  constructor(private readonly onWritten: (name: string) => void) {}

  /**
   * Starts writing one file of at most {@link WRITE_BEHIND_MAX_BYTES} (bytes are copied
   * at once, so the caller may reuse its buffer); `name` is what `onWritten` and errors
   * call it.
   */
  async write(path: string, name: string, data: string | Uint8Array): Promise<void> {
    this.check();
    while (this.inFlight.size >= MAX_IN_FLIGHT) await this.wait();
    this.check();
    const content = typeof data === 'string' ? data : Buffer.from(data);
    const before = this.inFlight.get(path);
    const done = (before ?? Promise.resolve()).then(
      () =>
        new Promise<void>((resolve) => {
          writeFile(path, content, (error) => {
            if (error) this.failure ??= new WriteBehindError(name, error);
            else this.onWritten(name);
            resolve();
          });
        }),
    );
    this.inFlight.set(path, done);
    void done.then(() => {
      if (this.inFlight.get(path) === done) this.inFlight.delete(path);
      this.release();
    });
  }

  /** Waits until every file begun is written; throws the first failure. */
  async flush(): Promise<void> {
    await this.settle();
    this.check();
  }

  /** Waits until no write is under way (failures aside): nothing is written after it returns. */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight.values());
  }

  private wait(): Promise<void> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }
}

/** A file written behind that could not be written: its name, and the system's error. */
export class WriteBehindError extends Error {
  constructor(
    readonly path: string,
    readonly error: NodeJS.ErrnoException,
  ) {
    super(error.message);
  }
}
