import { isUtf8 } from 'node:buffer';
import { createReadStream, promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { isLsconvError, LsconvError } from '../errors.js';
import { type NumberParsing, parseTaskJson } from '../numbers.js';
import type { SkipEntry } from '../report.js';
import { type Task, validateTask } from '../task.js';
import { type JsonSlice, JsonSlicer, MAX_DEPTH, MAX_TASK_BYTES, type TaskStart } from './json-slicer.js';
import { type GuessedSlice, LineSlicer, learnLinePattern } from './line-slicer.js';

export { type JsonSlice, JsonSlicer, MAX_DEPTH, type TaskStart } from './json-slicer.js';

/** A stream of tasks read from somewhere. Iterate it once. */
export interface TaskSource extends AsyncIterable<Task> {
  /** What it reads, for messages: a path or `standard input`. */
  readonly description: string;
  /**
   * The raw top-level values, before parsing (used by worker pools and the JSON format).
   * With `guessFrom`, an input file of at least that many bytes whose tasks each start a
   * line may be cut at line starts (`line-slicer.ts`): such slices are marked `guessed`,
   * and the first of them that does not parse ({@link parseGuessedSlice}) is read again
   * exactly with {@link TaskSource.slicesFrom}.
   */
  slices(options?: { guessFrom?: number }): AsyncIterable<FileSlice>;
  /** The raw values from a task an earlier reading found on, cut exactly (an input file only). */
  slicesFrom?(at: TaskStart & { file: string }): AsyncIterable<FileSlice>;
  /**
   * The tasks, parsed keeping the source spelling of the numbers `numbers` names
   * (numbers.ts); iterating the source itself keeps what it was opened with.
   */
  withNumbers?(numbers: NumberParsing): AsyncIterable<Task>;
  /**
   * Tasks the last reading left out, as report entries: those larger than
   * `MAX_TASK_BYTES`, whose bytes are never held. The runner adds them to its report.
   */
  skipped?(): readonly SkipEntry[];
}

/**
 * A slice of an input file, with the shape of the file's top level (`values`: task
 * objects, not a list), and `guessed` when it was cut at a line start.
 */
export type FileSlice = GuessedSlice & { file: string; topLevel?: JsonSlicer['mode'] };

const rawJson = new WeakMap<object, Uint8Array>();
/** Tasks that came from an input holding one task object, not a list (`{…}` alone in the file). */
const loneTasks = new WeakSet<object>();

/**
 * The bytes a task was parsed from, when it came from a file source: the JSON
 * format writes them back unchanged instead of re-serialising.
 */
export function rawTaskJson(task: object): Uint8Array | undefined {
  return rawJson.get(task);
}

/**
 * True when a task (read with `keepRaw`) came from a file or stream that is a task object
 * rather than a list of tasks: the only task of the input, unless JSON Lines follow it.
 */
export function isLoneTaskObject(task: object): boolean {
  return loneTasks.has(task);
}

/**
 * Parses one slice into a validated task, with errors naming the file, the task and the
 * byte. `numbers` says which number tokens to keep for the writers (`parseTaskJson`).
 */
export function parseTaskSlice(slice: JsonSlice, file: string, numbers: NumberParsing = 'exact'): Task {
  let value: unknown;
  try {
    value = parseTaskJson(slice.bytes.toString('utf8'), numbers);
  } catch (error) {
    throw new LsconvError('INPUT_PARSE', `invalid JSON: ${(error as Error).message}`, {
      file,
      taskIndex: slice.index,
      offset: slice.offset,
      hint: 'the export is damaged; export it again from Label Studio',
    });
  }
  return validateTask(value, { file, index: slice.index });
}

/**
 * Parses a slice cut at a line start (`guessed`): the task, or undefined when the slice
 * is not one JSON value nested at most {@link MAX_DEPTH} deep, so that the input must be
 * read exactly from this slice on (which then reports what is wrong, if anything is).
 */
export function parseGuessedSlice(slice: JsonSlice, file: string, numbers: NumberParsing): Task | undefined {
  let value: unknown;
  try {
    value = parseTaskJson(slice.bytes.toString('utf8'), numbers);
  } catch {
    return undefined;
  }
  if (typeof value === 'object' && value !== null && !withinDepth(value, 1)) return undefined;
  return validateTask(value, { file, index: slice.index });
}

/** Whether a parsed value nests at most {@link MAX_DEPTH} deep (the exact scan's limit). */
function withinDepth(value: object, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i] as unknown;
      if (typeof item === 'object' && item !== null && !(isFlat(item) || withinDepth(item, depth + 1)))
        return false;
    }
  } else {
    for (const key in value) {
      const item = (value as Record<string, unknown>)[key];
      if (typeof item === 'object' && item !== null && !withinDepth(item, depth + 1)) return false;
    }
  }
  return true;
}

/** An array of plain values (a point, a list of labels): nothing to go into. */
function isFlat(value: object): boolean {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) {
    const item = value[i] as unknown;
    if (typeof item === 'object' && item !== null) return false;
  }
  return true;
}

/**
 * Bytes per read of an input file. Every read is a fresh buffer outside the JavaScript heap
 * that the tasks cut from it keep alive; with 1 MiB reads an export on one thread
 * (CONLL2003, 100,000 generated tasks) peaked at 132–143 MB, with 256 KiB at 112–118 MB,
 * for four times as many reads (a few hundredths of a second on a 300 MB input).
 */
export const READ_CHUNK_BYTES = 256 * 1024;

/** Options of {@link openTaskSource}. */
export interface TaskSourceOptions {
  /** Cut an input file of at least this many bytes at line starts where it can (see {@link TaskSource.slices}). */
  guessFrom?: number;
  /** Read buffer size in bytes; default {@link READ_CHUNK_BYTES}. */
  chunkSize?: number;
  /** Keep each task's raw bytes for {@link rawTaskJson}. */
  keepRaw?: boolean;
  /** Which number tokens parsing keeps (numbers.ts); default `exact`. */
  numbers?: NumberParsing;
  /** Stops reading when aborted. */
  signal?: AbortSignal;
  /** Called with the size of every chunk read (for progress from bytes). */
  onBytes?: (bytes: number) => void;
}

/**
 * Opens an export for streaming: a JSON file (a list of tasks, a single task, or
 * JSON Lines, told apart by content), a folder of per-task JSON files (as Label
 * Studio's target storages write them), `-` for standard input, or a readable
 * stream. Memory holds one task at a time.
 */
export function openTaskSource(input: string | Readable, options: TaskSourceOptions = {}): TaskSource {
  const description = typeof input === 'string' ? (input === '-' ? 'standard input' : input) : 'stream';
  let skipped: SkipEntry[] = [];
  const slices = (how: { guessFrom?: number } = {}) => {
    skipped = [];
    return sliceInput(input, description, { ...options, ...how }, skipped);
  };
  const parsed = async function* (numbers: NumberParsing) {
    for await (const slice of slices()) {
      const task = parseTaskSlice(slice, slice.file, numbers);
      if (options.keepRaw) {
        // Output is valid UTF-8 whatever the input: invalid bytes become U+FFFD, as in every
        // parsed value (JSON.parse reads the same replacement), formatting kept.
        rawJson.set(
          task,
          isUtf8(slice.bytes) ? slice.bytes : Buffer.from(slice.bytes.toString('utf8'), 'utf8'),
        );
        if (slice.topLevel === 'values') loneTasks.add(task);
      }
      yield task;
    }
  };
  return {
    description,
    slices,
    slicesFrom: (at) => {
      if (typeof input !== 'string' || input === '-' || at.file !== input)
        throw new Error(`cannot read ${at.file} again from byte ${at.offset}`);
      return sliceStream(
        openFile(input, options.chunkSize ?? READ_CHUNK_BYTES, at.offset),
        input,
        0,
        options,
        skipped,
        at,
      );
    },
    withNumbers: (numbers) => ({ [Symbol.asyncIterator]: () => parsed(numbers) }),
    [Symbol.asyncIterator]: () => parsed(options.numbers ?? 'exact'),
    skipped: () => skipped,
  };
}

/** Records a task too large to hold (its bytes were counted, not kept). */
function oversize(slice: JsonSlice, file: string, firstIndex: number, skipped: SkipEntry[]): void {
  skipped.push({
    kind: 'task',
    code: 'task-too-large',
    file,
    taskIndex: slice.index + firstIndex,
    reason: `the task is ${slice.oversize!.toLocaleString('en-US')} bytes, more than the ${MAX_TASK_BYTES.toLocaleString('en-US')} a task may have; it is left out without being read whole`,
  });
}

async function* sliceInput(
  input: string | Readable,
  description: string,
  options: TaskSourceOptions,
  skipped: SkipEntry[],
): AsyncGenerator<FileSlice> {
  const chunkSize = options.chunkSize ?? READ_CHUNK_BYTES;
  if (typeof input !== 'string') {
    yield* sliceStream(input, description, 0, options, skipped);
    return;
  }
  if (input === '-') {
    yield* sliceStream(process.stdin, description, 0, options, skipped);
    return;
  }
  let stat: Awaited<ReturnType<typeof fs.stat>>;
  try {
    stat = await fs.stat(input);
  } catch (error) {
    throw new LsconvError(
      'INPUT_NOT_FOUND',
      `cannot read the input: ${(error as NodeJS.ErrnoException).code ?? error}`,
      {
        file: input,
        hint: 'check the path given with -i',
      },
    );
  }
  if (stat.isDirectory()) {
    const names = (await fs.readdir(input)).filter((n) => n.toLowerCase().endsWith('.json'));
    names.sort(naturalCompare);
    let index = 0;
    for (const name of names) {
      const file = join(input, name);
      for await (const slice of sliceStream(openFile(file, chunkSize), file, index, options, skipped)) {
        index = slice.index + 1;
        // A folder of task files is a list of tasks.
        yield { ...slice, topLevel: 'array' };
      }
    }
    return;
  }
  const guess = options.guessFrom !== undefined && stat.size >= options.guessFrom;
  yield* sliceStream(openFile(input, chunkSize), input, 0, options, skipped, guess ? 'guess' : undefined);
}

function openFile(path: string, chunkSize: number, start = 0): Readable {
  return createReadStream(path, { highWaterMark: chunkSize, start });
}

/** What cuts a stream: the exact scan, or a line slicer when the first chunk shows how. */
interface Slicer {
  readonly mode: JsonSlicer['mode'];
  push(chunk: Buffer, chunkOffset: number): GuessedSlice[];
  end(): GuessedSlice[];
}

function firstSlicer(chunk: Buffer, file: string, how: TaskStart | 'guess' | undefined): Slicer {
  if (how === 'guess') {
    const learnt = learnLinePattern(chunk, file);
    if (learnt) return new LineSlicer(file, learnt.pattern, learnt.first);
  }
  return new JsonSlicer(file, how === 'guess' ? undefined : how);
}

async function* sliceStream(
  stream: Readable,
  file: string,
  firstIndex: number,
  options: TaskSourceOptions,
  skipped: SkipEntry[],
  how?: TaskStart | 'guess',
): AsyncGenerator<FileSlice> {
  const { signal, onBytes } = options;
  let slicer: Slicer | undefined;
  let chunkOffset = how === undefined || how === 'guess' ? 0 : how.offset;
  try {
    for await (const chunk of stream) {
      if (signal?.aborted) throw new LsconvError('ABORTED', 'the export was cancelled', { file });
      onBytes?.((chunk as Buffer).length);
      slicer ??= firstSlicer(chunk as Buffer, file, how);
      const at = chunkOffset;
      chunkOffset += (chunk as Buffer).length;
      for (const slice of slicer.push(chunk as Buffer, at)) {
        if (slice.oversize !== undefined) oversize(slice, file, firstIndex, skipped);
        else yield { ...slice, index: slice.index + firstIndex, file, topLevel: slicer.mode };
      }
    }
  } catch (error) {
    if (isLsconvError(error)) throw error;
    throw new LsconvError(
      'INPUT_READ',
      `cannot read the input: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      {
        file,
        cause: error,
      },
    );
  } finally {
    if (!stream.destroyed && stream !== process.stdin) stream.destroy();
  }
  slicer ??= new JsonSlicer(file, how === 'guess' ? undefined : how);
  for (const slice of slicer.end())
    yield { ...slice, index: slice.index + firstIndex, file, topLevel: slicer.mode };
}

/** Orders `2.json` before `10.json`. */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** A task source over tasks already in memory (tests, the server). */
export function arrayTaskSource(tasks: readonly unknown[], description = 'memory'): TaskSource {
  return {
    description,
    async *slices() {
      let index = 0;
      for (const task of tasks) {
        yield { bytes: Buffer.from(JSON.stringify(task)), index: index++, offset: 0, file: description };
      }
    },
    async *[Symbol.asyncIterator]() {
      let index = 0;
      for (const task of tasks) yield validateTask(task, { file: description, index: index++ });
    },
  };
}
