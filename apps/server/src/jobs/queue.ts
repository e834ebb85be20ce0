/** A queued background job. */
export interface Job {
  /** For logs: `snapshot 7`, `conversion 3 (CSV)`. */
  name: string;
  /** Downloads media: such jobs never take the last free slot (see {@link JobQueue}). */
  downloads?: boolean;
  run(signal: AbortSignal): Promise<void>;
}

/** The reason a job's signal carries when it ran past its deadline. */
export class JobDeadlineError extends Error {
  override readonly name = 'JobDeadlineError';
  constructor(readonly ms: number) {
    super(`it ran longer than the job deadline (${ms / 1000} s, --job-deadline)`);
  }
}

/** True when a job stopped because it ran past its deadline. */
export function isJobDeadline(signal: AbortSignal): boolean {
  return signal.aborted && signal.reason instanceof JobDeadlineError;
}

/**
 * Runs background jobs (snapshots, conversions) with at most `concurrency` at a
 * time; the rest wait in order. A job that downloads media never takes the last free
 * slot (when there are two or more), so slow media hosts cannot hold every slot and
 * conversions without downloads never wait behind them. Each job is aborted past
 * `deadlineMs` (its signal's reason is a {@link JobDeadlineError}). `stop()` refuses
 * new jobs, waits for the running ones up to a grace period, then aborts them.
 */
export class JobQueue {
  private readonly waiting: Job[] = [];
  private readonly running = new Map<Job, Promise<void>>();
  private readonly controller = new AbortController();
  private stopped = false;

  constructor(
    private readonly concurrency: number,
    private readonly onError: (job: Job, error: unknown) => void,
    private readonly deadlineMs = 0,
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

  /** The next job that may start now: the first waiting one, unless it downloads and only the last slot is free. */
  private next(): Job | undefined {
    const free = this.concurrency - this.running.size;
    if (free <= 0) return undefined;
    const index = this.waiting.findIndex((job) => !job.downloads || free > 1 || this.concurrency === 1);
    return index < 0 ? undefined : this.waiting.splice(index, 1)[0];
  }

  /** The job's signal: the queue's, and its deadline when there is one (cleared by `done`). */
  private signalFor(): { signal: AbortSignal; done: () => void } {
    if (this.deadlineMs <= 0) return { signal: this.controller.signal, done: () => undefined };
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new JobDeadlineError(this.deadlineMs)), this.deadlineMs);
    timer.unref();
    return {
      signal: AbortSignal.any([this.controller.signal, deadline.signal]),
      done: () => clearTimeout(timer),
    };
  }

  private pump(): void {
    while (!this.stopped) {
      const job = this.next();
      if (!job) return;
      const { signal, done: finished } = this.signalFor();
      const done = job
        .run(signal)
        .catch((error) => this.onError(job, error))
        .finally(() => {
          finished();
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
