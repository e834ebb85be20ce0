import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { PrepareContext } from '../format.js';
import type { NumberParsing } from '../numbers.js';
import type { ConversionReport } from '../report.js';
import { type FileSlice, parseGuessedSlice, parseTaskSlice } from '../sources/index.js';
import type { TaskStart } from '../sources/json-slicer.js';
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

/** Where {@link prepareSlices} reads: a task source's slices, and its exact reading from a task on. */
export interface SliceInput {
  slices(options?: { guessFrom?: number }): AsyncIterable<FileSlice>;
  slicesFrom?(at: TaskStart & { file: string }): AsyncIterable<FileSlice>;
}

/**
 * Reads slices in order; where the input lets it, the pool's reading cuts at line starts
 * (`guessed` slices, sources/line-slicer.ts), and the first guessed slice that does not
 * parse is where {@link again} goes back to the exact scan.
 */
class SliceReader {
  private iterator: AsyncIterator<FileSlice>;
  private mode: TaskStart['mode'] = 'array';

  constructor(
    private readonly input: SliceInput,
    guessFrom: number | undefined,
  ) {
    const guess = guessFrom !== undefined && typeof input.slicesFrom === 'function';
    this.iterator = input.slices(guess ? { guessFrom } : undefined)[Symbol.asyncIterator]();
  }

  async next(): Promise<FileSlice | undefined> {
    const next = await this.iterator.next();
    if (next.done) return undefined;
    if (next.value.topLevel === 'array' || next.value.topLevel === 'values') this.mode = next.value.topLevel;
    return next.value;
  }

  /** Reads again, exactly, from the task at `at` (a guessed slice that did not parse). */
  async again(at: { offset: number; index: number; file: string }): Promise<void> {
    await this.iterator.return?.();
    this.iterator = this.input.slicesFrom!({ ...at, mode: this.mode })[Symbol.asyncIterator]();
  }

  async close(): Promise<void> {
    await this.iterator.return?.();
  }
}

/**
 * Parses and prepares raw task slices, in input order: in this thread for small
 * inputs or one thread, otherwise on a pool of workers with a bounded number of
 * batches in flight (memory stays flat), reassembled by sequence number.
 */
export async function* prepareSlices(
  input: SliceInput,
  options: PrepareSlicesOptions,
): AsyncGenerator<unknown> {
  const pooling = options.threads > 1 && options.worker !== undefined;
  const reader = new SliceReader(input, pooling ? options.minParallelBytes : undefined);
  const head: FileSlice[] = [];
  let headBytes = 0;
  let ended = false;
  try {
    if (pooling) {
      while (headBytes < options.minParallelBytes) {
        const next = await reader.next();
        if (!next) {
          ended = true;
          break;
        }
        head.push(next);
        headBytes += next.bytes.length;
      }
    }
    if (!pooling || ended) {
      yield* inline(reader, head, options);
      return;
    }
    yield* pooled(reader, head, options);
  } finally {
    await reader.close();
  }
}

/** Prepares every slice in this thread, the head first. */
async function* inline(
  reader: SliceReader,
  head: FileSlice[],
  options: PrepareSlicesOptions,
): AsyncGenerator<unknown> {
  const pctx = { ...options.pctx, taskIndex: 0 };
  const numbers = options.numbers ?? options.worker?.numbers ?? 'exact';
  for (;;) {
    const slice = head.length ? head.shift() : await reader.next();
    if (!slice) return;
    const task = slice.guessed
      ? parseGuessedSlice(slice, slice.file, numbers)
      : parseTaskSlice(slice, slice.file, numbers);
    if (task === undefined) {
      head.length = 0;
      await reader.again(slice);
      continue;
    }
    pctx.taskIndex = slice.index;
    yield options.prepare(task, pctx);
  }
}

/** A batch sent to the pool, with where its slices are (to read again from one of them). */
interface InFlight {
  answer: Promise<PrepareResponse>;
  request: Pick<PrepareRequest, 'bounds' | 'files' | 'fileOf'>;
}

async function* pooled(
  reader: SliceReader,
  head: FileSlice[],
  options: PrepareSlicesOptions,
): AsyncGenerator<unknown> {
  const pool = new PreparePool(options.worker!, options.threads);
  const batchBytes = options.batchBytes ?? 256 * 1024;
  // Two batches per worker: one being prepared, one waiting, so no worker idles.
  const maxInFlight = options.threads * 2;
  let inFlight: InFlight[] = [];
  let seq = 0;
  let done = false;
  const nextSlice = async (): Promise<FileSlice | undefined> => (head.length ? head.shift() : reader.next());
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
    return batch.length === 0 ? undefined : batchRequest(seq++, batch, bytes);
  };
  try {
    for (;;) {
      while (!done && inFlight.length < maxInFlight) {
        const request = await nextBatch();
        if (request) {
          const answer = pool.submit(request);
          answer.catch(() => undefined); // awaited in order below
          inFlight.push({ answer, request });
        }
      }
      const entry = inFlight.shift();
      if (!entry) return;
      const response = await entry.answer;
      const { values, notes, error } = response;
      for (let i = 0; i < values.length; i++) {
        const note = notes[i];
        if (note) mergeNotes(options.report, note);
        yield values[i];
      }
      if (response.reslice) {
        // Every batch after this one was cut from a wrong guess: dropped, read again.
        inFlight = [];
        head.length = 0;
        done = false;
        const { bounds, files, fileOf } = entry.request;
        const at = values.length;
        await reader.again({
          index: bounds[at * 4 + 2]!,
          offset: bounds[at * 4 + 3]!,
          file: files[fileOf[at]!]!,
        });
        continue;
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

/** One owned buffer per batch, so it can be transferred instead of copied again. */
function batchRequest(seq: number, batch: FileSlice[], bytes: number): PrepareRequest {
  const all = new Uint8Array(bytes);
  const bounds = new Float64Array(batch.length * 4);
  const fileOf = new Uint16Array(batch.length);
  const files: string[] = [];
  let guessed: Uint8Array | undefined;
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
    if (slice.guessed) (guessed ??= new Uint8Array(batch.length))[i] = 1;
  });
  return { seq, bytes: all, bounds, files, fileOf, ...(guessed ? { guessed } : {}) };
}

function mergeNotes(report: ConversionReport, note: NonNullable<PrepareResponse['notes'][number]>): void {
  for (const entry of note.skips) report.skip(entry);
  for (const warning of note.warnings) report.warn(warning);
  for (const [name, count] of note.tallies ?? []) report.tally(name, count);
}
