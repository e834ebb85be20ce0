// Snapshot and conversion jobs: what each does with the store and the files, on the
// job queue; conversions of a snapshot still running wait for it without a slot.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import {
  type CompatMode,
  type FormatDefinition,
  isLsconvError,
  type ReportData,
  zipFileSink,
} from '@lsconv/core';
import type { ServerContext } from '../context.js';
import { deliverZip } from '../deliver.js';
import { emptyExportReason } from '../export-report.js';
import {
  type Converted,
  convertJsonFile,
  exportStem,
  fileMd5,
  tempName,
  writeTasksJson,
} from '../exporter.js';
import { snapshotPlan } from '../snapshot-options.js';
import type { ConversionRow, ProjectRow, SnapshotRow } from '../store/types.js';
import { isJobDeadline, type Job, JobQueue } from './queue.js';

/** How long one snapshot or conversion may run before it is stopped and failed. */
export const DEFAULT_JOB_DEADLINE_MS = 60 * 60 * 1000;

import { convertInWorker, writeSnapshotInWorker } from './threads.js';

/** Background jobs of one server. */
export interface JobRunner {
  /** Queues a snapshot; false when the server is shutting down. */
  addSnapshot(id: number): boolean;
  /** Queues a conversion (run as its stored plan asks); false when the server is shutting down. */
  addConversion(conversion: ConversionRow): boolean;
  /** Reruns from the start whatever was created or running when the server last stopped. */
  resume(): Promise<void>;
  /** Lets running jobs finish for up to `graceMs`, then aborts them (they rerun at the next start). */
  stop(graceMs: number): Promise<void>;
}

type Context = Omit<ServerContext, 'jobs' | 'imports'>;

/** How a conversion runs: the format's options and the compatibility mode (default: the server's). */
type ConversionPlan = NonNullable<ConversionRow['plan']>;

/** The job runner of a server context. */
export function createJobRunner(ctx: Context): JobRunner {
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
    addSnapshot: (id) => queue.add(snapshotJob(id)),
    addConversion: (c) => queue.add(conversionJob(c.id, c.downloadResources)),
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
  };
}

/** Writes a snapshot's JSON file (in a worker thread unless a test hook asks otherwise). */
async function runSnapshot(ctx: Context, id: number, signal: AbortSignal): Promise<void> {
  const { store, options } = ctx;
  const snapshot = await store.getSnapshot(id);
  if (!snapshot || snapshot.status === 'completed' || snapshot.status === 'failed') return;
  const project = await store.getProject(snapshot.projectId);
  if (!project) return;
  await store.updateSnapshot(id, { status: 'in_progress', counters: {} });
  const tmp = join(ctx.tmpDir, `${tempName('snapshot')}.json`);
  try {
    const { query, serialize } = snapshotPlan(snapshot.options);
    let pages = 0;
    // Progress for pollers; Label Studio fills the counters only at the end.
    const progress = (tasksWritten: number) =>
      store
        .updateSnapshot(id, { counters: { task_number: tasksWritten } })
        .catch((error) => ctx.log(`lsconv-server: snapshot ${id}: progress not saved: ${String(error)}`));
    const hook = options.beforeSnapshotPage;
    const written =
      options.jobWorkers !== false && !hook
        ? await writeSnapshotInWorker(
            {
              dataDir: ctx.dataDir,
              ...(options.database ? { database: options.database } : {}),
              projectId: project.id,
              query,
              serialize,
              file: tmp,
            },
            signal,
            progress,
          )
        : await writeTasksJson(store, project.id, query, serialize, tmp, {
            signal,
            onPage: async (tasksWritten) => {
              if (hook) await hook(id, signal);
              if (++pages % 20 === 0) await progress(tasksWritten);
            },
          });
    if (!(await store.getSnapshot(id))) {
      await fs.rm(tmp, { force: true });
      return;
    }
    const rel = await ctx.storeFile(tmp, exportFolder(project), exportStem(project.id, written.md5), '.json');
    await store.updateSnapshot(id, {
      status: 'completed',
      md5: written.md5,
      counters: { task_number: written.taskNumber },
      file: rel,
      finishedAt: new Date().toISOString(),
    });
  } catch (error) {
    await fs.rm(tmp, { force: true });
    if (signal.aborted && !isJobDeadline(signal)) {
      // Shutting down: leave it for the next start, which reruns it from the beginning.
      await store.updateSnapshot(id, { status: 'created' });
      return;
    }
    await store.updateSnapshot(id, {
      status: 'failed',
      error: String((error as Error)?.message ?? error),
      finishedAt: new Date().toISOString(),
    });
    throw error;
  }
}

/** Converts a completed snapshot and stores the result; failures become the conversion's traceback. */
async function runConversion(
  ctx: Context,
  id: number,
  plan: ConversionPlan,
  signal: AbortSignal,
): Promise<void> {
  const { store } = ctx;
  const conversion = (await store.getConversion(id))!;
  await store.updateConversion(id, { status: 'in_progress' });
  const work = join(ctx.tmpDir, tempName('convert'));
  const fail = (message: string) =>
    store.updateConversion(id, {
      status: 'failed',
      traceback: message,
      finishedAt: new Date().toISOString(),
    });
  try {
    const snapshot = await store.getSnapshot(conversion.exportId);
    if (snapshot?.status !== 'completed' || !snapshot.file) {
      await fail('The export snapshot did not complete, so it cannot be converted');
      return;
    }
    const project = await store.getProject(snapshot.projectId);
    const format = ctx.findFormat(conversion.exportType);
    if (!project || !format) {
      await fail(`${conversion.exportType} is not supported export format`);
      return;
    }
    await fs.mkdir(work, { recursive: true });
    const download = conversion.downloadResources;
    const out = await convertSnapshot(ctx, {
      project,
      snapshot,
      format,
      formatOptions: plan.formatOptions ?? {},
      compat: plan.compat ?? ctx.compat,
      download,
      work,
      signal,
    });
    if (out.report) await store.updateConversion(id, { report: out.report });
    const empty = emptyExportReason(format, out.report);
    if (empty) {
      await fail(empty);
      return;
    }
    if (!out.source) {
      await fail('No converted file found, probably there are no annotations in the export snapshot');
      return;
    }
    const md5 = await fileMd5(out.source);
    const rel = await ctx.storeFile(out.source, exportFolder(project), exportStem(project.id, md5), out.ext!);
    if (!(await store.getConversion(id))) {
      await fs.rm(ctx.storedPath(rel), { force: true });
      return;
    }
    await store.updateConversion(id, {
      status: 'completed',
      file: rel,
      finishedAt: new Date().toISOString(),
    });
  } catch (error) {
    if (isJobDeadline(signal)) {
      await fail(`The conversion stopped: ${(signal.reason as Error).message}`);
      return;
    }
    if (signal.aborted) {
      await store.updateConversion(id, { status: 'created' });
      return;
    }
    await fail(isLsconvError(error) ? error.message : String((error as Error)?.stack ?? error));
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

interface ConvertJob {
  project: ProjectRow;
  snapshot: SnapshotRow;
  format: FormatDefinition<any>;
  formatOptions: Record<string, unknown>;
  compat: CompatMode;
  download: boolean;
  work: string;
  signal: AbortSignal;
}

/** Runs the format over the snapshot file: the file to store and its extension (none when nothing came out), and the report. */
async function convertSnapshot(
  ctx: Context,
  job: ConvertJob,
): Promise<{ source?: string; ext?: string; report?: ReportData }> {
  const { project, snapshot, format, formatOptions, work, signal } = job;
  // Folder formats go straight into the zip: no temporary copy of thousands of files.
  const zipPath = join(work, 'result.zip');
  const input = ctx.storedPath(snapshot.file!);
  const moduleUrl = ctx.workerModuleOf(format);
  const result: Converted = moduleUrl
    ? await convertInWorker(
        {
          moduleUrl,
          formatId: format.id,
          labelConfig: project.labelConfig,
          input,
          workDir: work,
          zipPath,
          formatOptions,
          compat: job.compat,
          resources: { ...ctx.plainResources, download: job.download },
        },
        signal,
      )
    : await convertJsonFile({
        format,
        labelConfig: project.labelConfig,
        input,
        workDir: work,
        formatOptions,
        compat: job.compat,
        resources: ctx.resourcesFor(job.download, signal),
        signal,
        zipSink: zipFileSink(zipPath),
      });
  const report = result.report;
  if (result.kind === 'none' || (result.kind === 'zipped' && result.files === 0)) return { report };
  if (result.kind === 'file') return { source: result.path, ext: result.ext, report };
  if (result.kind === 'folder') await deliverZip(result, zipFileSink(zipPath));
  return { source: zipPath, ext: '.zip', report };
}

/** Where a project's export files are kept, relative to the data folder. */
export function exportFolder(project: ProjectRow): string {
  return join('export', String(project.id));
}
