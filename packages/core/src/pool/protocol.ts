import type { DatasetPlan } from '../dataset-options.js';
import { isLsconvError, LsconvError } from '../errors.js';
import type { CompatMode } from '../format.js';
import type { NumberParsing } from '../numbers.js';
import type { SkipEntry } from '../report.js';

// The one protocol of lsconv's worker threads: what a thread is told (a job, or a batch
// of work, then `cancel`), the events it answers with (progress, then `done` or `error`),
// and how an error crosses over. Core's prepare pool and the server's job threads both
// speak it; each adds only its own request and result types.

/** Main thread → worker: stop the work in hand (its sinks and files clean up), then answer. */
export type ThreadCommand = { type: 'cancel' };

/**
 * Worker → main thread: progress while it works, then one `done` with the result or one
 * `error` (`aborted` when it stopped because it was told to) per job or batch.
 */
export type ThreadEvent<R> =
  | { type: 'progress'; tasks: number }
  | { type: 'done'; result: R }
  | { type: 'error'; aborted: boolean; error: WireError };

/** What every prepare worker is started with. */
export interface PrepareWorkerData {
  /** URL of the module exporting the format definition. */
  moduleUrl: string;
  formatId: string;
  configXml: string;
  options: Record<string, unknown>;
  compat: CompatMode;
  input: string;
  /** Which number tokens parsing keeps (numbers.ts). */
  numbers: NumberParsing;
  /** The dataset options, applied before `prepare` as in the main thread. */
  dataset?: DatasetPlan;
}

/** A batch of raw task slices: one buffer, and per slice its [start, end, taskIndex, byteOffset]. */
export interface PrepareRequest {
  seq: number;
  bytes: Uint8Array;
  bounds: Float64Array;
  files: string[];
  /** Index into `files` per slice. */
  fileOf: Uint16Array;
  /** Per slice, 1 when it was cut at a line start (`guessed`, sources/line-slicer.ts); absent when none was. */
  guessed?: Uint8Array;
}

/** An error crossing the thread boundary. */
export interface WireError {
  lsconv: boolean;
  code: string;
  reason: string;
  location: Record<string, unknown>;
  hint: string | undefined;
  message: string;
}

/** The prepared values of a batch, with what `prepare` recorded, per slice. */
export interface PrepareResponse {
  seq: number;
  values: unknown[];
  /** Per value: skip entries and warnings recorded while preparing it (undefined when none). */
  notes: ({ skips: SkipEntry[]; warnings: string[]; tallies?: [string, number][] } | undefined)[];
  /** Set when slice `values.length` failed; the batch stops there. */
  error?: WireError;
  /**
   * Set when slice `values.length` was guessed and is not one JSON value: the input is read
   * again exactly from there. The batch stops there.
   */
  reslice?: true;
}

/**
 * Turns a thrown value into something that crosses a thread boundary and becomes the same
 * error again ({@link fromWireError}). Any other error keeps its message, or its stack
 * with `stack` (a server job's traceback).
 */
export function toWireError(error: unknown, options: { stack?: boolean } = {}): WireError {
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
  const message = String((options.stack ? (error as Error)?.stack : (error as Error)?.message) ?? error);
  return { lsconv: false, code: 'INTERNAL', reason: message, location: {}, hint: undefined, message };
}

/** Rebuilds an error that {@link toWireError} sent across a thread boundary. */
export function fromWireError(wire: WireError): Error {
  if (wire.lsconv)
    return new LsconvError(wire.code as never, wire.reason, { ...wire.location, hint: wire.hint });
  return new Error(wire.message);
}
