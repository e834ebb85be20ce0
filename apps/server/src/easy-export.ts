// Easy export (`GET /api/projects/{id}/export`): the tasks are written to a JSON file,
// converted, and streamed to the client as the file itself or as a zip; at most
// `maxConcurrentEasyExports` at once, the others get 503 with Retry-After.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { type FormatDefinition, parseLabelConfig, zipStreamSink } from '@lsconv/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from './context.js';
import { deliverZip } from './deliver.js';
import { convertJsonFile, exportStem, tempName, writeTasksJson } from './exporter.js';
import { downloadHeaders, HttpError, sendFile } from './http.js';
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
  const res = reply.raw;
  await fs.mkdir(work, { recursive: true });
  const input = join(work, 'tasks.json');
  const written = await writeTasksJson(ctx.store, project.id, job.query, job.serialize, input, { signal });
  const stem = exportStem(project.id, written.md5);
  const startZip = () => {
    reply.hijack();
    res.writeHead(200, downloadHeaders(`${stem}.zip`, 'application/zip'));
    return zipStreamSink(res);
  };
  let zipSink: ReturnType<typeof zipStreamSink> | undefined;
  if (format.output === 'folder') {
    // Refuse an unusable config before the headers go out; then stream the zip as the format writes.
    const support = format.supports(parseLabelConfig(project.labelConfig, { file: 'label_config' }));
    if (!support.ok) {
      throw new HttpError(400, `format ${format.id} cannot export this labeling config: ${support.reason}`);
    }
    zipSink = startZip();
  }
  const result = await convertJsonFile({
    format,
    labelConfig: project.labelConfig,
    input,
    workDir: work,
    formatOptions: job.formatOptions,
    resources: ctx.resourcesFor(job.download, signal),
    signal,
    ...(zipSink ? { zipSink } : {}),
  });
  if (result.kind === 'zipped') return;
  if (result.kind === 'file') {
    const type = `application/${result.ext.slice(1) || 'octet-stream'}`;
    await sendFile(request.raw, res, result.path, `${stem}${result.ext}`, type, () => reply.hijack());
    return;
  }
  await deliverZip(result, startZip());
}
