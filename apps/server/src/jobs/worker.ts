// Entry of a job worker thread (the thread's side of `protocol.ts`): converts a
// stored JSON export with a format (through core's `runExport`), or writes a
// snapshot's JSON export from the store, and answers with the result.
// Running jobs here keeps the server's event loop free for requests and lets several
// jobs use several cores.
import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { type FormatDefinition, isFormatDefinition, zipFileSink } from '@lsconv/core';
import { deliverZip } from '../deliver.js';
import { type Converted, convertJsonFile, writeTasksJson } from '../exporter.js';
import { openStore } from '../store/open.js';
import {
  type ConvertRequest,
  type FromJobThread,
  type JobRequest,
  type SnapshotRequest,
  type ToJobThread,
  toWireError,
} from './protocol.js';

/** How much lower than the server's a job thread's priority is (nice steps). */
const JOB_NICE = 10;

// Requests come first: this thread (and the threads it starts, which inherit it) runs at a
// lower scheduling priority than the server's event loop. On Linux a thread's nice value
// is its own, so only this thread is lowered. Where that is not allowed, it stays as it is.
try {
  setPriority(0, Math.min(19, getPriority(0) + JOB_NICE));
} catch {
  // Not permitted here: the job runs at the server's priority.
}

/** Snapshot progress is posted every this many pages. */
const PROGRESS_PAGES = 20;

async function convert(data: ConvertRequest, signal: AbortSignal): Promise<Converted> {
  const module = (await import(data.moduleUrl)) as Record<string, unknown>;
  const candidates = [
    ...Object.values(module),
    ...(Array.isArray(module.builtinFormats) ? (module.builtinFormats as unknown[]) : []),
  ];
  const format = candidates.find(
    (value): value is FormatDefinition<any> => isFormatDefinition(value) && value.id === data.formatId,
  );
  if (!format) throw new Error(`${data.moduleUrl} exports no format ${data.formatId}`);
  const result = await convertJsonFile({
    format,
    labelConfig: data.labelConfig,
    input: data.input,
    workDir: data.workDir,
    formatOptions: data.formatOptions,
    compat: data.compat,
    resources: { ...data.resources, signal },
    signal,
    zipSink: zipFileSink(data.zipPath),
  });
  if (result.kind !== 'folder') return result;
  // A format that wrote several files through its own folder: zip it here, off the main thread.
  const files = await deliverZip(result, zipFileSink(data.zipPath));
  return { kind: 'zipped', files, ...(result.report ? { report: result.report } : {}) };
}

async function snapshot(data: SnapshotRequest, signal: AbortSignal, post: (m: FromJobThread) => void) {
  // Its own connection; opening it never touches an import in progress nor migrates.
  const store = await openStore(data.database, data.dataDir, { recover: false });
  try {
    let pages = 0;
    return await writeTasksJson(store, data.projectId, data.query, data.serialize, data.file, {
      signal,
      onPage: async (tasks) => {
        if (++pages % PROGRESS_PAGES === 0) post({ type: 'progress', tasks });
      },
    });
  } finally {
    await store.close();
  }
}

async function start(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('job-worker must run in a worker thread');
  const request = workerData as JobRequest;
  const controller = new AbortController();
  port.on('message', (message: ToJobThread) => {
    if (message?.type === 'cancel') controller.abort();
  });
  const post = (message: FromJobThread) => port.postMessage(message);
  try {
    const result =
      request.kind === 'convert'
        ? await convert(request.convert, controller.signal)
        : await snapshot(request.snapshot, controller.signal, post);
    post({ type: 'done', result });
  } catch (error) {
    post({ type: 'error', aborted: controller.signal.aborted, error: toWireError(error) });
  }
}

void start();
