// Easy export (`GET /api/projects/{id}/export`): the tasks are written to a JSON file
// and converted in a job thread (never on the thread that answers requests), then
// sent as the file itself or as a zip, with the report's counts in a header; at most
// `maxConcurrentEasyExports` at once, the others get 503 with Retry-After.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { type CompatMode, type FormatDefinition, parseLabelConfig, zipFileSink } from '@lsconv/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from './context.js';
import { deliverZip } from './deliver.js';
import { emptyExportReason, reportCounts } from './export-report.js';
import { type Converted, convertJsonFile, exportStem, tempName, writeTasksJson } from './exporter.js';
import { HttpError, sendFile } from './http.js';
import { convertInWorker } from './jobs/threads.js';
import type { ProjectRow, TaskQuery } from './store/types.js';
import type { SerializeOptions } from './tasks.js';

/** One easy export. */
export interface EasyExport {
  project: ProjectRow;
  format: FormatDefinition<any>;
  query: TaskQuery;
  serialize: SerializeOptions;
  download: boolean;
  formatOptions: Record<string, unknown>;
  compat: CompatMode;
}

/** Runs easy exports under the server's cap. */
export function createEasyExporter(ctx: ServerContext) {
  const limit = ctx.options.maxConcurrentEasyExports ?? 8;
  let running = 0;
  return async function easyExport(request: FastifyRequest, reply: FastifyReply, job: EasyExport) {
    if (running >= limit) {
      throw new HttpError(
        503,
        `Too many exports are running (${limit}); retry shortly or create a snapshot`,
        undefined,
        { 'retry-after': '5' },
      );
    }
    running++;
    const res = reply.raw;
    // The slot is free once the answer's last byte is handed to the socket ('prefinish',
    // in the same tick as end()), so a keep-alive client that asks again the moment it has
    // read the body never meets its own finished export still counted.
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      running--;
    };
    res.once('prefinish', release);
    const controller = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) controller.abort();
    };
    res.on('close', onClose);
    ctx.shutdown.addEventListener('abort', onClose);
    const work = join(ctx.tmpDir, tempName('easy'));
    try {
      await exportInto(ctx, request, reply, job, work, controller.signal);
    } catch (error) {
      // Once the headers are out, the answer can only be cut short.
      if (!reply.sent) throw error;
      ctx.log(
        `lsconv-server: ${request.method} ${request.url} failed while streaming: ${String((error as Error)?.message ?? error)}`,
      );
      res.destroy();
    } finally {
      release();
      res.off('prefinish', release);
      res.off('close', onClose);
      ctx.shutdown.removeEventListener('abort', onClose);
      await fs.rm(work, { recursive: true, force: true });
    }
  };
}

async function exportInto(
  ctx: ServerContext,
  request: FastifyRequest,
  reply: FastifyReply,
  job: EasyExport,
  work: string,
  signal: AbortSignal,
): Promise<void> {
  const { project, format } = job;
  await fs.mkdir(work, { recursive: true });
  // Refuse an unusable config before any work.
  const support = format.supports(parseLabelConfig(project.labelConfig, { file: 'label_config' }));
  if (!support.ok) {
    throw new HttpError(400, `format ${format.id} cannot export this labeling config: ${support.reason}`);
  }
  const input = join(work, 'tasks.json');
  // Written here a page at a time (the event loop gets a turn between pages); the conversion,
  // the part that can take long on one task, runs in a job thread.
  const written = await writeTasksJson(ctx.store, project.id, job.query, job.serialize, input, { signal });
  const zipPath = join(work, 'result.zip');
  const moduleUrl = ctx.workerModuleOf(format);
  const convert = {
    labelConfig: project.labelConfig,
    input,
    workDir: work,
    formatOptions: job.formatOptions,
    compat: job.compat,
  };
  // Off this thread whenever the format can be loaded in a worker: requests keep being answered.
  const result: Converted = moduleUrl
    ? await convertInWorker(
        {
          ...convert,
          moduleUrl,
          formatId: format.id,
          zipPath,
          resources: { ...ctx.plainResources, download: job.download },
        },
        signal,
      )
    : await convertJsonFile({
        ...convert,
        format,
        resources: ctx.resourcesFor(job.download, signal),
        signal,
        zipSink: zipFileSink(zipPath),
      });
  const empty = emptyExportReason(format, result.report);
  if (empty) throw new HttpError(400, empty);
  const stem = exportStem(project.id, written.md5);
  const headers: Record<string, string> = {};
  if (result.report) {
    const id = ctx.reports.add(project.id, result.report);
    headers['x-lsconv-report'] = reportCounts(result.report);
    headers['x-lsconv-report-url'] = `/api/projects/${project.id}/export/reports/${id}`;
  }
  if (result.kind === 'file') {
    const type = `application/${result.ext.slice(1) || 'octet-stream'}`;
    await sendFile(
      request.raw,
      reply.raw,
      result.path,
      `${stem}${result.ext}`,
      type,
      () => reply.hijack(),
      headers,
    );
    return;
  }
  if (result.kind !== 'zipped') await deliverZip(result, zipFileSink(zipPath));
  await sendFile(
    request.raw,
    reply.raw,
    zipPath,
    `${stem}.zip`,
    'application/zip',
    () => reply.hijack(),
    headers,
  );
}
