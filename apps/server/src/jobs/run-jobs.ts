// What a snapshot job and a conversion job do with the store and the files, whichever
// queue runs them (the in-process one of `runner.ts`, the shared one of `shared-runner.ts`).
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
import { isJobDeadline } from './queue.js';
import { convertInWorker, writeSnapshotInWorker } from './threads.js';

/** What a job uses of the server context. */
export type JobContext = Omit<ServerContext, 'jobs' | 'imports'>;
type Context = JobContext;

/** How a conversion runs: the format's options and the compatibility mode (default: the server's). */
export type ConversionPlan = NonNullable<ConversionRow['plan']>;

/** Writes a snapshot's JSON file (in a worker thread unless a test hook asks otherwise). */
export async function runSnapshot(ctx: Context, id: number, signal: AbortSignal): Promise<void> {
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
    const rel = await ctx.storage.put(
      tmp,
      exportFolder(project),
      exportStem(project.id, written.md5),
      '.json',
    );
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
export async function runConversion(
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
    const rel = await ctx.storage.put(
      out.source,
      exportFolder(project),
      exportStem(project.id, md5),
      out.ext!,
    );
    if (!(await store.getConversion(id))) {
      await ctx.storage.remove(rel);
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
  const input = (await ctx.storage.local(snapshot.file!, join(work, 'input'))).path;
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
