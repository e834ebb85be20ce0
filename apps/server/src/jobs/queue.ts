/** A queued background job. */
export interface Job {
  /** For logs: `snapshot 7`, `conversion 3 (CSV)`. */
  name: string;
  run(signal: AbortSignal): Promise<void>;
}

/**
 * Runs background jobs (snapshots, conversions) with at most `concurrency` at a
 * time; the rest wait in order. `stop()` refuses new jobs, waits for the running
 * ones up to a grace period, then aborts them.
 */
export class JobQueue {
  private readonly waiting: Job[] = [];
  private readonly running = new Map<Job, Promise<void>>();
  private readonly controller = new AbortController();
  private stopped = false;

  constructor(
    private readonly concurrency: number,
    private readonly onError: (job: Job, error: unknown) => void,
  ) {}

  /** Number of jobs running and waiting. */
  get size(): { running: number; waiting: number } {
    return { running: this.running.size, waiting: this.waiting.length };
  }

  /** Queues a job (at the front with `first`); false when the queue is stopping. */
  add(job: Job, options: { first?: boolean } = {}): boolean {
    if (this.stopped) return false;
    if (options.first) this.waiting.unshift(job);
    else this.waiting.push(job);
    this.pump();
    return true;
  }

  /** Resolves when no job is running or waiting. */
  async idle(): Promise<void> {
    while (this.running.size > 0 || this.waiting.length > 0) {
      await Promise.allSettled([...this.running.values()]);
    }
  }

  private pump(): void {
    while (!this.stopped && this.running.size < this.concurrency && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      const done = job
        .run(this.controller.signal)
        .catch((error) => this.onError(job, error))
        .finally(() => {
          this.running.delete(job);
          this.pump();
        });
      this.running.set(job, done);
    }
  }

  /** Stops: no new jobs, waiting ones dropped (they stay `created` in the store), running ones get `graceMs`, then are aborted. */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    this.waiting.length = 0;
    const all = Promise.allSettled([...this.running.values()]);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => {
      timer = setTimeout(() => r('timeout'), graceMs);
    });
    const result = await Promise.race([all.then(() => 'done' as const), timeout]);
    clearTimeout(timer);
    if (result === 'timeout') {
      this.controller.abort();
      await all;
    }
  }
}
