import { describe, expect, it } from 'vitest';
import { JobQueue } from './jobs/queue.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('JobQueue', () => {
  it('runs at most `concurrency` jobs and starts queued ones in order as others finish', async () => {
    const queue = new JobQueue(2, () => undefined);
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    for (const [i, gate] of gates.entries()) {
      queue.add({
        name: `job ${i}`,
        run: async () => {
          started.push(i);
          await gate.promise;
        },
      });
    }
    expect(started).toEqual([0, 1]);
    expect(queue.size).toEqual({ running: 2, waiting: 2 });
    gates[1]!.resolve();
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    gates[0]!.resolve();
    gates[2]!.resolve();
    gates[3]!.resolve();
    await queue.idle();
    expect(started).toEqual([0, 1, 2, 3]);
  });

  it('starts a job queued with `first` before the ones already waiting', async () => {
    const queue = new JobQueue(1, () => undefined);
    const gate = deferred();
    const started: string[] = [];
    const job = (name: string, wait?: Promise<unknown>) => ({
      name,
      run: async () => {
        started.push(name);
        await wait;
      },
    });
    queue.add(job('running', gate.promise));
    queue.add(job('snapshot 2'));
    queue.add(job('snapshot 3'));
    queue.add(job('conversion 1'), { first: true });
    gate.resolve();
    await queue.idle();
    expect(started).toEqual(['running', 'conversion 1', 'snapshot 2', 'snapshot 3']);
  });

  it('reports a failing job and goes on', async () => {
    const errors: string[] = [];
    const queue = new JobQueue(1, (job, error) => errors.push(`${job.name}: ${(error as Error).message}`));
    const ran: string[] = [];
    queue.add({ name: 'bad', run: async () => Promise.reject(new Error('boom')) });
    queue.add({ name: 'good', run: async () => void ran.push('good') });
    await queue.idle();
    expect(errors).toEqual(['bad: boom']);
    expect(ran).toEqual(['good']);
  });

  it('aborts running jobs after the grace period and refuses new ones', async () => {
    const queue = new JobQueue(1, () => undefined);
    let aborted = false;
    queue.add({
      name: 'long',
      run: (signal) =>
        new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            resolve();
          });
        }),
    });
    await queue.stop(10);
    expect(aborted).toBe(true);
    expect(queue.add({ name: 'late', run: async () => undefined })).toBe(false);
  });
});

describe('JobQueue: slow media and deadlines', () => {
  it('never lets jobs that download take the last slot: a job without downloads starts at once', async () => {
    const queue = new JobQueue(2, () => undefined);
    const gate = deferred();
    const started: string[] = [];
    const job = (name: string, downloads: boolean) => ({
      name,
      downloads,
      run: async () => {
        started.push(name);
        await gate.promise;
      },
    });
    queue.add(job('media 1', true));
    queue.add(job('media 2', true));
    queue.add(job('csv', false));
    // The second download waits; the CSV conversion takes the free slot past it.
    expect(started).toEqual(['media 1', 'csv']);
    expect(queue.size).toEqual({ running: 2, waiting: 1 });
    gate.resolve();
    await queue.idle();
    expect(started).toEqual(['media 1', 'csv', 'media 2']);
  });

  it('stops a job past its deadline, with a reason that says so', async () => {
    const { isJobDeadline } = await import('./jobs/queue.js');
    const errors: unknown[] = [];
    const queue = new JobQueue(1, (_job, error) => errors.push(error), 50);
    let seen: AbortSignal | undefined;
    queue.add({
      name: 'drip',
      run: (signal) =>
        new Promise<void>((_resolve, reject) => {
          seen = signal;
          signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        }),
    });
    await queue.idle();
    expect(seen && isJobDeadline(seen)).toBe(true);
    expect(String(errors[0])).toMatch(/job deadline \(0.05 s, --job-deadline\)/);
  });
});
