// What the server's job threads are given and answer, in core's one thread protocol
// (`ThreadCommand` / `ThreadEvent`, errors as `WireError`): only the job requests and
// results are the server's own. `threads.ts` (the server's side) and `worker.ts` (the
// thread's side) both speak it. A conversion inside the thread runs through core's
// `runExport`, whose prepare pool speaks the same protocol.
import {
  type CompatMode,
  toWireError as coreToWireError,
  type ResourceOptions,
  type ThreadCommand,
  type ThreadEvent,
  type WireError,
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
  compat: CompatMode;
  /** Resource options without the signal and progress callback. */
  resources: Omit<ResourceOptions, 'signal' | 'onProgress'>;
}

/** What a snapshot thread is given: it opens the store itself and writes the JSON export. */
export interface SnapshotRequest {
  dataDir: string;
  /** The PostgreSQL database, when the store is there rather than SQLite in `dataDir`. */
  database?: string;
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
export type ToJobThread = ThreadCommand;

/** Thread → server: progress while it runs, then exactly one `done` or `error`. */
export type FromJobThread = ThreadEvent<JobResults[keyof JobResults]>;

export { fromWireError, type WireError } from '@lsconv/core';

/** Turns a thrown value into a {@link WireError}; any other error keeps its stack (a failed conversion's traceback). */
export function toWireError(error: unknown): WireError {
  return coreToWireError(error, { stack: true });
}

/** The thread's script: the built file even when this module runs from source (tests). */
export function jobWorkerUrl(): URL {
  const here = import.meta.url;
  if (here.endsWith('.ts')) return new URL('../../dist/jobs/worker.js', here);
  return new URL('./worker.js', here);
}
