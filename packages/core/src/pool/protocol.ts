import { isLsconvError, LsconvError } from '../errors.js';
import type { CompatMode } from '../format.js';
import type { NumberParsing } from '../numbers.js';
import type { SkipEntry } from '../report.js';

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
}

/** A batch of raw task slices: one buffer, and per slice its [start, end, taskIndex, byteOffset]. */
export interface PrepareRequest {
  seq: number;
  bytes: Uint8Array;
  bounds: Float64Array;
  files: string[];
  /** Index into `files` per slice. */
  fileOf: Uint16Array;
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
  notes: ({ skips: SkipEntry[]; warnings: string[] } | undefined)[];
  /** Set when slice `values.length` failed; the batch stops there. */
  error?: WireError;
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
