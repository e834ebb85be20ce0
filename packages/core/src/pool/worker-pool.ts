import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { PrepareContext } from '../format.js';
import type { NumberParsing } from '../numbers.js';
import type { ConversionReport } from '../report.js';
import { parseTaskSlice } from '../sources/index.js';
import type { JsonSlice } from '../sources/json-slicer.js';
import {
  fromWireError,
  type PrepareRequest,
  type PrepareResponse,
  type PrepareWorkerData,
  type ThreadEvent,
} from './protocol.js';

/** Default thread count: the cores this process may use. */
export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

/**
 * Where the worker script is. Workers need JavaScript: when core runs from its
 * TypeScript sources (the test runner), the worker comes from the built copy in
 * `dist`, so tests that use the pool need `pnpm build` first.
 */
export function prepareWorkerUrl(): URL {
  const here = import.meta.url;
  if (here.endsWith('.ts')) return new URL('../../dist/pool/prepare-worker.js', here);
  return new URL('./prepare-worker.js', here);
}

/** A fixed set of prepare workers; each answers its batches in the order it received them. */
export class PreparePool {
  private readonly workers: {
    worker: Worker;
    pending: { resolve: (r: PrepareResponse) => void; reject: (e: unknown) => void }[];
  }[] = [];
  private failure: unknown;

  constructor(data: PrepareWorkerData, threads: number, script: URL = prepareWorkerUrl()) {
    for (let i = 0; i < threads; i++) {
      // A bounded young generation per worker: with several heaps in one process the
      // default semi-spaces alone would push peak RSS past what one thread uses. 16 MB
      // measured best: 8 MB spent a fifth of a worker's time in scavenges (CONLL2003
      // about 15% slower), 32 MB took COCO's peak RSS past 300 MB.
      const worker = new Worker(script, {
        workerData: data,
        resourceLimits: { maxYoungGenerationSizeMb: 16 },
      });
      const slot = {
        worker,
        pending: [] as { resolve: (r: PrepareResponse) => void; reject: (e: unknown) => void }[],
      };
      const fail = (error: unknown) => {
        this.failure ??= error;
        for (const p of slot.pending.splice(0)) p.reject(error);
      };
      // A batch's own failure travels inside its result (the values before it still count).
      worker.on('message', (event: ThreadEvent<PrepareResponse>) => {
        if (event.type === 'done') slot.pending.shift()?.resolve(event.result);
        else if (event.type === 'error') fail(fromWireError(event.error));
      });
      worker.on('error', fail);
      worker.on('exit', (code) => {
        if (slot.pending.length) fail(new Error(`a prepare worker stopped (exit code ${code})`));
      });
      this.workers.push(slot);
    }
  }

  /** Sends a batch to the least busy worker (the bytes are transferred, not copied). */
  submit(request: PrepareRequest): Promise<PrepareResponse> {
    if (this.failure) return Promise.reject(this.failure);
    let best = this.workers[0]!;
    for (const slot of this.workers) if (slot.pending.length < best.pending.length) best = slot;
    return new Promise((resolve, reject) => {
      best.pending.push({ resolve, reject });
      best.worker.postMessage(request, [request.bytes.buffer as ArrayBuffer]);
    });
  }

  /** Stops every worker. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((slot) => slot.worker.terminate()));
  }
}

/** Options of {@link prepareSlices}. */
export interface PrepareSlicesOptions {
  /** Prepare workers; 1 prepares in this thread. */
  threads: number;
  /** What the workers start with; without it everything is prepared in this thread. */
  worker: PrepareWorkerData | undefined;
  /** Below this many input bytes the pool is not started (it would cost more than it saves). */
  minParallelBytes: number;
  /** Bytes of input per batch sent to a worker. */
  batchBytes?: number;
  /** Which number tokens parsing keeps (numbers.ts); default `exact`. */
  numbers?: NumberParsing;
  /** The prepare step and its context, for the in-thread path. */
  prepare: (task: import('../task.js').Task, pctx: PrepareContext<any>) => unknown;
  pctx: Omit<PrepareContext<any>, 'taskIndex'>;
  /** Where the workers' skips and warnings are merged, in input order. */
  report: ConversionReport;
}

type FileSlice = JsonSlice & { file: string };

/**
 * Parses and prepares raw task slices, in input order: in this thread for small
 * inputs or one thread, otherwise on a pool of workers with a bounded number of
 * batches in flight (memory stays flat), reassembled by sequence number.
 */
export async function* prepareSlices(
  slices: AsyncIterable<FileSlice>,
  options: PrepareSlicesOptions,
): AsyncGenerator<unknown> {
  const iterator = slices[Symbol.asyncIterator]();
  const head: FileSlice[] = [];
  let headBytes = 0;
  let ended = false;
  try {
    if (options.threads > 1 && options.worker) {
      while (headBytes < options.minParallelBytes) {
        const next = await iterator.next();
        if (next.done) {
          ended = true;
          break;
        }
        head.push(next.value);
        headBytes += next.value.bytes.length;
      }
    }
    if (options.threads <= 1 || !options.worker || ended) {
      const pctx = { ...options.pctx, taskIndex: 0 };
      const numbers = options.numbers ?? options.worker?.numbers ?? 'exact';
      const inline = function* (slice: FileSlice) {
        pctx.taskIndex = slice.index;
        yield options.prepare(parseTaskSlice(slice, slice.file, numbers), pctx);
      };
      for (const slice of head.splice(0)) yield* inline(slice);
      while (!ended) {
        const next = await iterator.next();
        if (next.done) break;
        yield* inline(next.value);
      }
      return;
    }
    yield* pooled(iterator, head, options);
  } finally {
    await iterator.return?.();
  }
}

async function* pooled(
  iterator: AsyncIterator<FileSlice>,
  head: FileSlice[],
  options: PrepareSlicesOptions,
): AsyncGenerator<unknown> {
  const pool = new PreparePool(options.worker!, options.threads);
  const batchBytes = options.batchBytes ?? 256 * 1024;
  // Two batches per worker: one being prepared, one waiting, so no worker idles.
  const maxInFlight = options.threads * 2;
  const inFlight: Promise<PrepareResponse>[] = [];
  let seq = 0;
  let done = false;
  const nextSlice = async (): Promise<FileSlice | undefined> => {
    if (head.length) return head.shift();
    const next = await iterator.next();
    return next.done ? undefined : next.value;
  };
  const nextBatch = async (): Promise<PrepareRequest | undefined> => {
    const batch: FileSlice[] = [];
    let bytes = 0;
    while (bytes < batchBytes) {
      const slice = await nextSlice();
      if (!slice) {
        done = true;
        break;
      }
      batch.push(slice);
      bytes += slice.bytes.length;
    }
    if (batch.length === 0) return undefined;
    // One owned buffer per batch, so it can be transferred instead of copied again.
    const all = new Uint8Array(bytes);
    const bounds = new Float64Array(batch.length * 4);
    const fileOf = new Uint16Array(batch.length);
    const files: string[] = [];
    let at = 0;
    batch.forEach((slice, i) => {
      all.set(slice.bytes, at);
      bounds[i * 4] = at;
      at += slice.bytes.length;
      bounds[i * 4 + 1] = at;
      bounds[i * 4 + 2] = slice.index;
      bounds[i * 4 + 3] = slice.offset;
      let f = files.lastIndexOf(slice.file);
      if (f < 0) f = files.push(slice.file) - 1;
      fileOf[i] = f;
    });
    return { seq: seq++, bytes: all, bounds, files, fileOf };
  };
  try {
    for (;;) {
      while (!done && inFlight.length < maxInFlight) {
        const request = await nextBatch();
        if (request) {
          const answer = pool.submit(request);
          answer.catch(() => undefined); // awaited in order below
          inFlight.push(answer);
        }
      }
      const answer = inFlight.shift();
      if (!answer) return;
      const response = await answer;
      const { values, notes, error } = response;
      for (let i = 0; i < values.length; i++) {
        const note = notes[i];
        if (note) mergeNotes(options.report, note);
        yield values[i];
      }
      if (error) {
        const note = notes[values.length];
        if (note) mergeNotes(options.report, note);
        throw fromWireError(error);
      }
    }
  } finally {
    await pool.close();
  }
}

function mergeNotes(report: ConversionReport, note: NonNullable<PrepareResponse['notes'][number]>): void {
  for (const entry of note.skips) report.skip(entry);
  for (const warning of note.warnings) report.warn(warning);
  for (const [name, count] of note.tallies ?? []) report.tally(name, count);
}
