import { Worker } from 'node:worker_threads';
import { type ErrorCode, type ErrorLocation, LsconvError, type ResourceOptions } from '@lsconv/core';
import type { Converted } from './exporter.js';

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

/** What a conversion worker answers. */
export type ConvertResponse =
  | { ok: true; result: Converted }
  | {
      ok: false;
      aborted: boolean;
      /** An LsconvError's parts, so it is rebuilt with the same message. */
      error?: { code: ErrorCode; reason: string; location: ErrorLocation; hint: string | undefined };
      /** Any other error's stack. */
      message?: string;
    };

/** The worker script: the built file even when this module runs from source (tests). */
export function convertWorkerUrl(): URL {
  const here = import.meta.url;
  if (here.endsWith('.ts')) return new URL('../dist/convert-worker.js', here);
  return new URL('./convert-worker.js', here);
}

/**
 * Runs one conversion in a worker thread and resolves with its result. Aborting the
 * signal asks the worker to stop (its sinks clean up), then terminates it if it does
 * not answer within a few seconds (then files may remain in `workDir`, which the
 * caller removes). Errors come back as errors of this thread: an
 * LsconvError keeps its message.
 */
export function convertInWorker(request: ConvertRequest, signal?: AbortSignal): Promise<Converted> {
  return new Promise((resolvePromise, reject) => {
    const worker = new Worker(convertWorkerUrl(), {
      workerData: request,
      // A modest young generation: several conversions may run at once, each in its own heap.
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
        () => finish(() => reject(new LsconvError('ABORTED', 'the conversion was cancelled'))),
        5000,
      );
      killTimer.unref();
    };
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (answer: ConvertResponse) => {
      if (answer.ok) finish(() => resolvePromise(answer.result));
      else if (answer.aborted)
        finish(() => reject(new LsconvError('ABORTED', 'the conversion was cancelled')));
      else if (answer.error) {
        const { code, reason, location, hint } = answer.error;
        finish(() => reject(new LsconvError(code, reason, { ...location, ...(hint ? { hint } : {}) })));
      } else finish(() => reject(new Error(answer.message)));
    });
    worker.once('error', (error) => finish(() => reject(error)));
    worker.once('exit', (code) =>
      finish(() => reject(new Error(`the conversion worker stopped (exit code ${code}) before answering`))),
    );
  });
}
