// The one protocol between the server and its job worker threads: what a job thread
// is started with, the messages each side posts, and how an error crosses over.
// `threads.ts` (the server's side) and `worker.ts` (the thread's side) both speak it
// and nothing else. A conversion inside the thread runs through core's `runExport`,
// which may start core's own prepare pool (core's protocol, core's business).
import {
  type ErrorCode,
  type ErrorLocation,
  isLsconvError,
  LsconvError,
  type ResourceOptions,
} from '@lsconv/core';
import type { Converted, WrittenJson } from '../exporter.js';
import type { TaskQuery } from '../store/types.js';
import type { SerializeOptions } from '../tasks.js';

/** What a conversion thread is given (all of it crosses the thread boundary as data). */
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

/** What a snapshot thread is given: it opens the store itself and writes the JSON export. */
export interface SnapshotRequest {
  dataDir: string;
  projectId: number;
  query: TaskQuery;
  serialize: SerializeOptions;
  /** The file to write. */
  file: string;
}

/** Start: the job a thread runs, passed as its `workerData` (one job per thread). */
export type JobRequest =
  | { kind: 'convert'; convert: ConvertRequest }
  | { kind: 'snapshot'; snapshot: SnapshotRequest };

/** What each kind of job answers with. */
export interface JobResults {
  convert: Converted;
  snapshot: WrittenJson;
}

/** Server → thread: stop the job (its sinks and files clean up), then answer. */
export type ToJobThread = { type: 'cancel' };

/** An error crossing the thread boundary, with the same fields as core's prepare pool sends. */
export interface WireError {
  /** An LsconvError: rebuilt from code, reason, location and hint, so its message is the same. */
  lsconv: boolean;
  code: ErrorCode;
  reason: string;
  location: ErrorLocation;
  hint: string | undefined;
  /** Any other error: its stack (it becomes a failed conversion's traceback). */
  message: string;
}

/** Thread → server: progress while it runs, then exactly one `done` or `error`. */
export type FromJobThread =
  | { type: 'progress'; tasks: number }
  | { type: 'done'; result: JobResults[keyof JobResults] }
  | { type: 'error'; aborted: boolean; error: WireError };

/** Turns a thrown value into a {@link WireError}. */
export function toWireError(error: unknown): WireError {
  if (isLsconvError(error)) {
    return {
      lsconv: true,
      code: error.code,
      reason: error.reason,
      location: { ...error.location },
      hint: error.hint,
      message: error.message,
    };
  }
  const message = String((error as Error)?.stack ?? error);
  return { lsconv: false, code: 'INTERNAL', reason: message, location: {}, hint: undefined, message };
}

/** The error a {@link WireError} stands for. */
export function fromWireError(wire: WireError): Error {
  if (!wire.lsconv) return new Error(wire.message);
  return new LsconvError(wire.code, wire.reason, {
    ...wire.location,
    ...(wire.hint ? { hint: wire.hint } : {}),
  });
}

/** The thread's script: the built file even when this module runs from source (tests). */
export function jobWorkerUrl(): URL {
  const here = import.meta.url;
  if (here.endsWith('.ts')) return new URL('../../dist/jobs/worker.js', here);
  return new URL('./worker.js', here);
}
