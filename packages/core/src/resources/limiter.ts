/** Runs async jobs with at most `limit` of them at a time, in the order they were queued. */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {}

  /** Runs `job` when a slot is free. */
  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) {
      // The finishing job hands its slot over, so `active` is not incremented here.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    try {
      return await job();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }

  /** Jobs running now. */
  get running(): number {
    return this.active;
  }
}
