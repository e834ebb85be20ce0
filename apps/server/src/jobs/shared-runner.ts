// The shared job runner (PostgreSQL): snapshot and conversion jobs go to pg-boss queues
// in the same database, and every instance's runner takes them from there, at most
// `--max-jobs` at a time. A running job's heartbeat keeps it claimed; when an instance
// dies its jobs' heartbeats stop, pg-boss's supervisor fails them back to the queue, and
// another instance takes them over. Two queues keep conversions that download media
// from holding up the others: a downloading job never takes an instance's last free slot.
import { hostname } from 'node:os';
import { PgBoss } from 'pg-boss';
import type { ConversionRow } from '../store/types.js';
import { type Job, JobQueue } from './queue.js';
import { type JobContext, runConversion, runSnapshot } from './run-jobs.js';
import { DEFAULT_JOB_DEADLINE_MS, type JobRunner } from './runner.js';

/** The queue of snapshots and conversions without downloads, and the one of conversions that download media. */
export const QUEUES = { plain: 'lsconv-jobs', downloads: 'lsconv-download-jobs' } as const;

/** What a queued job carries. */
interface JobData {
  kind: 'snapshot' | 'conversion';
  id: number;
}

/** Timing of the shared queue (tests shorten it). */
export interface SharedQueueTiming {
  /** Seconds without a heartbeat after which a running job is failed back to the queue (>= 10). Default 10. */
  heartbeatSeconds?: number;
  /** How often each instance's supervisor looks for such jobs, seconds. Default 5. */
  superviseSeconds?: number;
  /** How often an instance with free slots asks the queues for work, ms. Default 500. */
  pollMs?: number;
}

const PARKED_RETRY_SECONDS = 1;
/** The longest claim pg-boss allows (24 hours). */
const MAX_CLAIM_SECONDS = 24 * 60 * 60;

/**
 * The claim settings each job carries (so a queue created by an instance with other
 * settings does not decide them). A job handed back (shutdown) or taken over (an instance
 * died) is retried at once; a job whose run failed is failed in the store, not retried.
 * The deadline stops a job; the expiry only bounds a claim the heartbeat somehow kept
 * alive (pg-boss allows 24 hours at most, the bound of a job without a deadline).
 */
function claimSettings(heartbeatSeconds: number, deadlineMs: number) {
  return {
    heartbeatSeconds,
    retryLimit: 1_000_000,
    retryDelay: 0,
    expireInSeconds: Math.min(
      MAX_CLAIM_SECONDS,
      deadlineMs > 0 ? Math.ceil(deadlineMs / 1000) + 5 * heartbeatSeconds : MAX_CLAIM_SECONDS,
    ),
  };
}

/** The shared job runner over pg-boss in the store's PostgreSQL database. */
export async function createSharedJobRunner(ctx: JobContext, url: string): Promise<JobRunner> {
  const { options } = ctx;
  const timing = options.sharedQueue ?? {};
  const heartbeatSeconds = Math.max(10, timing.heartbeatSeconds ?? 10);
  const deadlineMs = options.jobDeadlineMs ?? DEFAULT_JOB_DEADLINE_MS;
  const instance = `${hostname()}:${process.pid}`;
  const boss = new PgBoss({
    connectionString: url,
    schema: 'lsconv_queue',
    application_name: 'lsconv-server queue',
    max: 4,
    superviseIntervalSeconds: timing.superviseSeconds ?? 5,
  });
  boss.on('error', (error) => ctx.log(`lsconv-server: job queue: ${String(error)}`));
  await boss.start();
  const claim = claimSettings(heartbeatSeconds, deadlineMs);
  for (const name of Object.values(QUEUES)) await boss.createQueue(name, claim);

  const slots = options.maxConcurrentJobs ?? 4;
  const local = new JobQueue(
    slots,
    (job, error) => ctx.log(`lsconv-server: ${job.name} failed: ${String(error)}`),
    deadlineMs,
  );
  let stopping = false;
  let pumping = false;

  /** Runs one claimed job here: heartbeats while it runs, then settles it in the queue. */
  const claimed = (queue: string, jobId: string, data: JobData): Job => ({
    name: `${data.kind} ${data.id}`,
    downloads: queue === QUEUES.downloads,
    run: async (signal) => {
      const beat = setInterval(
        () => void boss.touch(queue, jobId).catch(() => undefined),
        (heartbeatSeconds * 1000) / 3,
      );
      try {
        const outcome = await runClaimed(ctx, data, signal, () =>
          ctx.log(`lsconv-server: ${data.kind} ${data.id} started on ${instance}`),
        );
        if (outcome === 'ran') ctx.log(`lsconv-server: ${data.kind} ${data.id} finished on ${instance}`);
        if (outcome === 'parked') {
          // The snapshot it converts is still being written (maybe by another instance): look again shortly.
          await boss.send(queue, data, { ...claim, startAfter: PARKED_RETRY_SECONDS });
        }
        if (signal.aborted && outcome === 'handed-back') {
          await boss.fail(queue, jobId, { message: `handed back by ${instance} (shutting down)` });
          return;
        }
        await boss.complete(queue, jobId);
      } catch (error) {
        // A job that failed in the store is settled; one that could not reach the store (or
        // the queue) goes back to the queue for another try.
        const settled = await isFinished(ctx, data).catch(() => false);
        if (settled) await boss.complete(queue, jobId).catch(() => undefined);
        else await boss.fail(queue, jobId, { message: String(error) }).catch(() => undefined);
        throw error;
      } finally {
        clearInterval(beat);
      }
    },
  });

  /** Takes as many jobs as there are free slots; a downloading job never takes the last one. */
  const pump = async () => {
    if (pumping || stopping) return;
    pumping = true;
    try {
      for (const queue of [QUEUES.plain, QUEUES.downloads]) {
        const busy = local.size.running + local.size.waiting;
        const free = slots - busy - (queue === QUEUES.downloads && slots > 1 ? 1 : 0);
        if (free <= 0 || stopping) continue;
        const jobs = await boss.fetch<JobData>(queue, { batchSize: free });
        for (const job of jobs) local.add(claimed(queue, job.id, job.data));
      }
    } catch (error) {
      if (!stopping) ctx.log(`lsconv-server: job queue: ${String(error)}`);
    } finally {
      pumping = false;
    }
  };
  const timer = setInterval(() => void pump(), timing.pollMs ?? 500);
  const send = async (queue: string, data: JobData) => {
    if (stopping) return false;
    await boss.send(queue, data, claim);
    void pump();
    return true;
  };

  return {
    addSnapshot: (id) => send(QUEUES.plain, { kind: 'snapshot', id }),
    addConversion: (c: ConversionRow) =>
      send(c.downloadResources ? QUEUES.downloads : QUEUES.plain, { kind: 'conversion', id: c.id }),
    // Jobs wait in the queue itself: nothing to resume; the first poll takes them.
    resume: async () => void pump(),
    async stop(graceMs) {
      stopping = true;
      clearInterval(timer);
      // Running jobs get the grace period; those still running are aborted and handed back.
      await local.stop(graceMs);
      await boss.stop({ graceful: false, close: true }).catch(() => undefined);
    },
    async ready() {
      if (stopping) throw new Error('the server is shutting down');
      await boss.getQueue(QUEUES.plain);
    },
  };
}

const finished = (status: string | undefined) =>
  status === undefined || status === 'completed' || status === 'failed';

/** True when the job's row is completed, failed or gone. */
async function isFinished(ctx: JobContext, data: JobData): Promise<boolean> {
  const row =
    data.kind === 'snapshot' ? await ctx.store.getSnapshot(data.id) : await ctx.store.getConversion(data.id);
  return finished(row?.status);
}

/**
 * Runs a claimed job: `ran` when it ran to an end (completed or failed in the store),
 * `done` when there was nothing to do (finished before, or deleted), `parked` when a
 * conversion's snapshot is not written yet, `handed-back` when it stopped for a shutdown.
 */
async function runClaimed(
  ctx: JobContext,
  data: JobData,
  signal: AbortSignal,
  starting: () => void,
): Promise<'ran' | 'done' | 'parked' | 'handed-back'> {
  const { store } = ctx;
  if (data.kind === 'snapshot') {
    if (finished((await store.getSnapshot(data.id))?.status)) return 'done';
    starting();
    await runSnapshot(ctx, data.id, signal);
    return finished((await store.getSnapshot(data.id))?.status) ? 'ran' : 'handed-back';
  }
  const conversion = await store.getConversion(data.id);
  if (!conversion || finished(conversion.status)) return 'done';
  const snapshot = await store.getSnapshot(conversion.exportId);
  if (snapshot && !finished(snapshot.status)) return 'parked';
  starting();
  await runConversion(ctx, data.id, conversion.plan ?? {}, signal);
  return finished((await store.getConversion(data.id))?.status) ? 'ran' : 'handed-back';
}
