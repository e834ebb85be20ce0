// The server's side of a job thread: starts one thread per job, speaks `protocol.ts`
// with it, and turns its answer (or its crash) into the job's result or error.
import { Worker } from 'node:worker_threads';
import { LsconvError } from '@lsconv/core';
import {
  type ConvertRequest,
  type FromJobThread,
  fromWireError,
  type JobRequest,
  type JobResults,
  jobWorkerUrl,
  type SnapshotRequest,
  type ToJobThread,
} from './protocol.js';

/** How long a cancelled thread may take to answer before it is terminated. */
const CANCEL_GRACE_MS = 5000;

/**
 * Runs one job in a worker thread and resolves with its result. Aborting the signal
 * asks the thread to stop (its sinks and files clean up), then terminates it if it
 * does not answer within a few seconds (then files may remain in the job's work
 * folder, which the caller removes). An LsconvError comes back with its message; a
 * thread that dies without answering is an error saying so.
 */
function runJob<K extends JobRequest['kind']>(
  request: Extract<JobRequest, { kind: K }>,
  signal?: AbortSignal,
  onProgress?: (tasks: number) => void,
): Promise<JobResults[K]> {
  const what = request.kind === 'convert' ? 'conversion' : 'snapshot';
  const cancelled = () => new LsconvError('ABORTED', `the ${what} was cancelled`);
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
      worker.postMessage({ type: 'cancel' } satisfies ToJobThread);
      killTimer = setTimeout(() => finish(() => reject(cancelled())), CANCEL_GRACE_MS);
      killTimer.unref();
    };
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: FromJobThread) => {
      if (message.type === 'progress') onProgress?.(message.tasks);
      else if (message.type === 'done') finish(() => resolvePromise(message.result as JobResults[K]));
      else if (message.aborted) finish(() => reject(cancelled()));
      else finish(() => reject(fromWireError(message.error)));
    });
    worker.once('error', (error) => finish(() => reject(error)));
    worker.once('exit', (code) =>
      finish(() => reject(new Error(`the ${what} worker stopped (exit code ${code}) before answering`))),
    );
  });
}

/** Converts a stored JSON export in a worker thread (see {@link ConvertRequest}). */
export function convertInWorker(
  request: ConvertRequest,
  signal?: AbortSignal,
): Promise<JobResults['convert']> {
  return runJob({ kind: 'convert', convert: request }, signal);
}

/**
 * Writes a snapshot's JSON export in a worker thread with its own connection to the
 * store; `onProgress` hears the number of tasks written now and then.
 */
export function writeSnapshotInWorker(
  request: SnapshotRequest,
  signal?: AbortSignal,
  onProgress?: (tasks: number) => void,
): Promise<JobResults['snapshot']> {
  return runJob({ kind: 'snapshot', snapshot: request }, signal, onProgress);
}
