// The in-process job runner (SQLite): snapshot and conversion jobs on this server's
// queue; conversions of a snapshot still running wait for it without a slot.
import type { ConversionRow } from '../store/types.js';
import { type Job, JobQueue } from './queue.js';
import { type JobContext, runConversion, runSnapshot } from './run-jobs.js';

/** How long one snapshot or conversion may run before it is stopped and failed. */
export const DEFAULT_JOB_DEADLINE_MS = 60 * 60 * 1000;

/** Background jobs of one server. */
export interface JobRunner {
  /** Queues a snapshot; false when the server is shutting down. */
  addSnapshot(id: number): Promise<boolean>;
  /** Queues a conversion (run as its stored plan asks); false when the server is shutting down. */
  addConversion(conversion: ConversionRow): Promise<boolean>;
  /** Reruns from the start whatever was created or running when the server last stopped. */
  resume(): Promise<void>;
  /**
   * Lets running jobs finish for up to `graceMs`, then aborts them: they rerun at the next
   * start (in-process queue) or go back to the shared queue for any instance to take.
   */
  stop(graceMs: number): Promise<void>;
  /** Resolves when the queue can take jobs (the readiness check); rejects otherwise. */
  ready(): Promise<void>;
}

/** The in-process job runner of a server context. */
export function createJobRunner(ctx: JobContext): JobRunner {
  const { store, options } = ctx;
  const queue = new JobQueue(
    options.maxConcurrentJobs ?? 4,
    (job, error) => ctx.log(`lsconv-server: ${job.name} failed: ${String(error)}`),
    options.jobDeadlineMs ?? DEFAULT_JOB_DEADLINE_MS,
  );
  // Conversions asked for while their snapshot is still queued or running wait here,
  // without holding a job slot, and are queued when the snapshot ends.
  const parked = new Map<number, (() => void)[]>();
  const releaseParked = (snapshotId: number) => {
    const waiting = parked.get(snapshotId) ?? [];
    parked.delete(snapshotId);
    for (const requeue of waiting) requeue();
  };

  const snapshotJob = (id: number): Job => ({
    name: `snapshot ${id}`,
    run: async (signal) => {
      try {
        await runSnapshot(ctx, id, signal);
      } finally {
        const status = (await store.getSnapshot(id))?.status;
        if (status !== 'created' && status !== 'in_progress') releaseParked(id);
      }
    },
  });

  const conversionJob = (id: number, downloads: boolean): Job => ({
    name: `conversion ${id}`,
    downloads,
    run: async (signal) => {
      const conversion = await store.getConversion(id);
      if (!conversion || conversion.status === 'completed' || conversion.status === 'failed') return;
      const pending = await store.getSnapshot(conversion.exportId);
      if (pending && (pending.status === 'created' || pending.status === 'in_progress')) {
        const list = parked.get(pending.id) ?? [];
        // Queued first when the snapshot ends: a conversion runs on a worker thread
        // while the next snapshots are written here, so both cores stay busy.
        list.push(() => queue.add(conversionJob(id, downloads), { first: true }));
        parked.set(pending.id, list);
        // The snapshot may have ended while its row was being read: then nobody else releases it.
        const now = (await store.getSnapshot(pending.id))?.status;
        if (now !== 'created' && now !== 'in_progress') releaseParked(pending.id);
        return;
      }
      await runConversion(ctx, id, conversion.plan ?? {}, signal);
    },
  });

  return {
    addSnapshot: async (id) => queue.add(snapshotJob(id)),
    addConversion: async (c) => queue.add(conversionJob(c.id, c.downloadResources)),
    async resume() {
      const unfinished = await store.unfinishedJobs();
      for (const s of unfinished.snapshots) {
        await store.updateSnapshot(s.id, { status: 'created' });
        queue.add(snapshotJob(s.id));
      }
      for (const c of unfinished.conversions) {
        await store.updateConversion(c.id, { status: 'created' });
        queue.add(conversionJob(c.id, c.downloadResources));
      }
      if (unfinished.snapshots.length + unfinished.conversions.length > 0) {
        ctx.log(
          `lsconv-server: resumed ${unfinished.snapshots.length} snapshot(s) and ${unfinished.conversions.length} conversion(s)`,
        );
      }
    },
    stop: (graceMs) => queue.stop(graceMs),
    ready: async () => undefined,
  };
}
