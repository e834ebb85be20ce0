import { Worker } from 'node:worker_threads';
import { type ErrorCode, type ErrorLocation, LsconvError, type ResourceOptions } from '@lsconv/core';
import type { Converted, WrittenJson } from '../exporter.js';
import type { TaskQuery } from '../store/types.js';
import type { SerializeOptions } from '../tasks.js';

/** What a conversion worker is given (all of it crosses the thread boundary as data). */
export interface ConvertRequest {
  /** URL of the module exporting the format (a plugin entry, or `@lsconv/core` for built-ins). */
  moduleUrl: string;
  formatId: string;
  labelConfig: string;
  input: string;
  workDir: string;
  /** Folder formats are written straight into this zip; keep it inside `workDir` (the caller removes that folder). */
  zipPath: string;
  formatOptions: Record<string, unknown>;
  /** Resource options without the signal and progress callback. */
  resources: Omit<ResourceOptions, 'signal' | 'onProgress'>;
}

/** What a snapshot worker is given: it opens the store itself and writes the JSON export. */
export interface SnapshotRequest {
  dataDir: string;
  projectId: number;
  query: TaskQuery;
  serialize: SerializeOptions;
  /** The file to write. */
  file: string;
}

/** A job a worker thread runs. */
export type JobRequest =
  | { kind: 'convert'; convert: ConvertRequest }
  | { kind: 'snapshot'; snapshot: SnapshotRequest };

/** What a job worker posts: progress while it runs, then one answer. */
export type JobMessage =
  | { type: 'progress'; tasks: number }
  | { type: 'done'; ok: true; result: Converted | WrittenJson }
  | {
      type: 'done';
      ok: false;
      aborted: boolean;
      /** An LsconvError's parts, so it is rebuilt with the same message. */
      error?: { code: ErrorCode; reason: string; location: ErrorLocation; hint: string | undefined };
      /** Any other error's stack. */
      message?: string;
    };

/** The worker script: the built file even when this module runs from source (tests). */
export function jobWorkerUrl(): URL {
  const here = import.meta.url;
  if (here.endsWith('.ts')) return new URL('../../dist/jobs/worker.js', here);
  return new URL('./worker.js', here);
}

/**
 * Runs one job in a worker thread and resolves with its result. Aborting the signal
 * asks the worker to stop (its sinks and files clean up), then terminates it if it
 * does not answer within a few seconds (then files may remain in the job's work
 * folder, which the caller removes). An LsconvError comes back with its message.
 */
function runJob<T>(
  request: JobRequest,
  signal?: AbortSignal,
  onProgress?: (tasks: number) => void,
): Promise<T> {
  const what = request.kind === 'convert' ? 'conversion' : 'snapshot';
  return new Promise((resolvePromise, reject) => {
    const worker = new Worker(jobWorkerUrl(), {
      workerData: request,
      // A modest young generation: several jobs may run at once, each in its own heap.
      resourceLimits: { maxYoungGenerationSizeMb: 16 },
    });
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      clearTimeout(killTimer);
      fn();
      void worker.terminate();
    };
    const onAbort = () => {
      worker.postMessage({ type: 'abort' });
      killTimer = setTimeout(
        () => finish(() => reject(new LsconvError('ABORTED', `the ${what} was cancelled`))),
        5000,
      );
      killTimer.unref();
    };
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: JobMessage) => {
      if (message.type === 'progress') {
        onProgress?.(message.tasks);
        return;
      }
      if (message.ok) finish(() => resolvePromise(message.result as T));
      else if (message.aborted) finish(() => reject(new LsconvError('ABORTED', `the ${what} was cancelled`)));
      else if (message.error) {
        const { code, reason, location, hint } = message.error;
        finish(() => reject(new LsconvError(code, reason, { ...location, ...(hint ? { hint } : {}) })));
      } else finish(() => reject(new Error(message.message)));
    });
    worker.once('error', (error) => finish(() => reject(error)));
    worker.once('exit', (code) =>
      finish(() => reject(new Error(`the ${what} worker stopped (exit code ${code}) before answering`))),
    );
  });
}

/** Converts a stored JSON export in a worker thread (see {@link ConvertRequest}). */
export function convertInWorker(request: ConvertRequest, signal?: AbortSignal): Promise<Converted> {
  return runJob<Converted>({ kind: 'convert', convert: request }, signal);
}

/**
 * Writes a snapshot's JSON export in a worker thread with its own connection to the
 * store; `onProgress` hears the number of tasks written now and then.
 */
export function writeSnapshotInWorker(
  request: SnapshotRequest,
  signal?: AbortSignal,
  onProgress?: (tasks: number) => void,
): Promise<WrittenJson> {
  return runJob<WrittenJson>({ kind: 'snapshot', snapshot: request }, signal, onProgress);
}
