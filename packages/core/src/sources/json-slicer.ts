import { LsconvError } from '../errors.js';

/** One top-level value cut out of the input, not yet parsed. */
export interface JsonSlice {
  /** The value's bytes. */
  bytes: Buffer;
  /** Its position among the values (0-based). */
  index: number;
  /** Byte offset of its first byte in the input. */
  offset: number;
  /**
   * Set when the value is larger than {@link MAX_TASK_BYTES}: its size in bytes. Its bytes
   * were not kept (`bytes` is empty), so memory stays bounded; the source skips it.
   */
  oversize?: number;
}

/** Where a task starts, as an exact scan found it: enough to go on reading from there. */
export interface TaskStart {
  /** Byte offset of the task's first byte in the input. */
  offset: number;
  /** The task's index. */
  index: number;
  /** The input's top level. */
  mode: 'array' | 'values';
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
export const CLOSE_BRACKET = 0x5d;
export const COMMA = 0x2c;

/** JSON white space. */
export function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/** Deepest nesting a task may have; deeper input is refused before it reaches JSON.parse. */
export const MAX_DEPTH = 512;
/**
 * Largest single task kept, in bytes (64 MiB: a task with a very long text or an inline
 * image fits; an absurd one is skipped and reported instead of being held in memory).
 */
export const MAX_TASK_BYTES = 64 * 1024 * 1024;

/**
 * Cuts a JSON stream into top-level values without parsing them: the elements of a
 * top-level array (`[task, task, …]`), or a sequence of values (a lone task object,
 * or JSON Lines). It tracks strings, escapes and nesting depth byte by byte (every
 * structural byte is ASCII, so UTF-8 needs no decoding), so memory holds one task at
 * a time however large the input.
 */
export class JsonSlicer {
  /** `array` once a `[` opened the input, `values` once a `{` did. */
  mode: 'unknown' | 'array' | 'values' = 'unknown';
  private readonly file: string | undefined;
  private offset = 0; // bytes consumed before the current chunk
  private depth = 0; // nesting inside the current value
  private inString = false;
  private escape = false;
  private inValue = false;
  private scalar = false; // current value is not an object/array
  private arrayState: 'before' | 'expect-value' | 'after-value' | 'closed' = 'before';
  private parts: Buffer[] = [];
  private readonly scan = new Int32Array(3);
  private partsBytes = 0;
  private valueStart = 0;
  private count = 0;

  /** `resume`: go on from a task that starts the input given (an exact scan found it before). */
  constructor(file?: string, resume?: TaskStart) {
    this.file = file;
    if (resume) {
      this.mode = resume.mode;
      this.arrayState = 'expect-value';
      this.count = resume.index;
      this.offset = resume.offset;
    }
  }

  /** Feeds a chunk; returns the values completed in it. */
  push(chunk: Buffer): JsonSlice[] {
    const out: JsonSlice[] = [];
    const n = chunk.length;
    let i = 0;
    let sliceFrom = this.inValue ? 0 : -1;
    this.backslashAt = -2;
    while (i < n) {
      if (this.inValue && !this.scalar) {
        // Inside an object or array (every task): a table-driven byte loop outside the
        // class, so the engine optimises it on its own.
        const state = this.scan;
        state[0] = this.depth;
        state[1] = this.inString ? 1 : 0;
        state[2] = this.escape ? 1 : 0;
        const end = scanToClose(chunk, i, n, state);
        this.depth = state[0]!;
        this.inString = state[1] === 1;
        this.escape = state[2] === 1;
        if (end <= -2) throw this.error(`nesting deeper than ${MAX_DEPTH} levels`, this.offset + (-2 - end));
        if (end >= 0) {
          i = end;
          out.push(this.finish(chunk, sliceFrom, i));
          sliceFrom = -1;
        } else i = n;
      } else if (this.inValue) {
        i = this.scanScalar(chunk, i, sliceFrom, out);
        if (!this.inValue) sliceFrom = -1;
      } else {
        const at = i;
        i = this.between(chunk, i);
        if (this.inValue) sliceFrom = at;
      }
    }
    if (this.inValue && sliceFrom >= 0) {
      const piece = chunk.subarray(sliceFrom);
      this.partsBytes += piece.length;
      // Past the limit the value's bytes are counted, not kept.
      if (this.partsBytes > MAX_TASK_BYTES) this.parts = [];
      else this.parts.push(piece);
    }
    this.offset += n;
    return out;
  }

  /** Position of the next backslash in the current chunk (-1: none left, -2: not looked yet). */
  private backslashAt = -2;

  /**
   * One step inside a top-level value that is not an object or array (a string, number,
   * literal, or what follows a closed container at depth 0); returns the next position.
   * A value it completes goes to `out`.
   */
  private scanScalar(chunk: Buffer, i: number, sliceFrom: number, out: JsonSlice[]): number {
    const n = chunk.length;
    if (this.inString) {
      // Jump to the next quote; a backslash before it may escape it.
      if (this.escape) {
        this.escape = false;
        return i + 1;
      }
      const q = chunk.indexOf(QUOTE, i);
      if (this.backslashAt !== -1 && this.backslashAt < i) this.backslashAt = chunk.indexOf(BACKSLASH, i);
      const b = this.backslashAt;
      if (b !== -1 && (q === -1 || b < q)) {
        if (b + 1 < n) return b + 2;
        this.escape = true;
        return n;
      }
      if (q === -1) return n;
      this.inString = false;
      if (this.scalar && this.depth === 0) out.push(this.finish(chunk, sliceFrom, q + 1));
      return q + 1;
    }
    const c = chunk[i]!;
    if (c === QUOTE) {
      this.inString = true;
      return i + 1;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++this.depth > MAX_DEPTH)
        throw this.error(`nesting deeper than ${MAX_DEPTH} levels`, this.offset + i);
      return i + 1;
    }
    if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (this.scalar && this.depth === 0) {
        out.push(this.finish(chunk, sliceFrom, i));
        return i; // the bracket belongs to the array
      }
      this.depth--;
      if (this.depth === 0) out.push(this.finish(chunk, sliceFrom, i + 1));
      else if (this.depth < 0) throw this.error('unbalanced brackets', this.offset + i);
      return i + 1;
    }
    if (this.scalar && this.depth === 0 && (c === COMMA || isSpace(c))) {
      out.push(this.finish(chunk, sliceFrom, i));
      return i;
    }
    return i + 1;
  }

  /**
   * One byte between values: white space, the list's brackets and commas, or the start of
   * the next value (then `inValue` is set); returns the next position.
   */
  private between(chunk: Buffer, i: number): number {
    const c = chunk[i]!;
    if (isSpace(c)) return i + 1;
    if (this.mode === 'unknown') {
      if (c === OPEN_BRACKET) {
        this.mode = 'array';
        this.arrayState = 'expect-value';
        this.first = true;
        return i + 1;
      }
      // UTF-8 byte order mark
      if (c !== OPEN_BRACE && this.offset + i < 3 && (c === 0xef || c === 0xbb || c === 0xbf)) return i + 1;
      if (c !== OPEN_BRACE) {
        throw new LsconvError(
          'INPUT_SHAPE',
          `the input must be a JSON list of tasks or a task object, found ${describeStart(c)}`,
          { file: this.file, offset: this.offset + i, hint: 'export the project as JSON from Label Studio' },
        );
      }
      this.mode = 'values';
    }
    if (this.mode === 'array') {
      const next = this.arrayPunctuation(c, i);
      if (next >= 0) return next;
    } else if (c !== OPEN_BRACE) {
      throw new LsconvError('INPUT_SHAPE', `expected a task object, found ${describeStart(c)}`, {
        file: this.file,
        offset: this.offset + i,
        taskIndex: this.count,
        hint: 'JSON Lines input holds one task object per line',
      });
    }
    // A value starts here.
    this.inValue = true;
    this.depth = 0;
    this.scalar = c !== OPEN_BRACE && c !== OPEN_BRACKET;
    this.valueStart = this.offset + i;
    if (c === QUOTE) {
      this.inString = true;
      return i + 1;
    }
    return i;
  }

  /** The list's own `]` and `,`: the next position, or -1 when `c` starts a value. */
  private arrayPunctuation(c: number, i: number): number {
    if (this.arrayState === 'closed') {
      throw this.error(`unexpected ${describeStart(c)} after the end of the task list`, this.offset + i);
    }
    if (c === CLOSE_BRACKET && (this.arrayState === 'after-value' || this.first)) {
      this.arrayState = 'closed';
      return i + 1;
    }
    if (c === COMMA && this.arrayState === 'after-value') {
      this.arrayState = 'expect-value';
      return i + 1;
    }
    if (this.arrayState !== 'expect-value') {
      throw this.error(
        `expected "," or "]" after task #${this.count - 1}, found ${describeStart(c)}`,
        this.offset + i,
      );
    }
    if (c === COMMA || c === CLOSE_BRACKET)
      throw this.error(`unexpected "${String.fromCharCode(c)}"`, this.offset + i);
    this.arrayState = 'after-value';
    this.first = false;
    return -1;
  }

  private first = false;

  private finish(chunk: Buffer, from: number, to: number): JsonSlice {
    let bytes: Buffer;
    const piece = chunk.subarray(from, to);
    const size = this.partsBytes + piece.length;
    if (size > MAX_TASK_BYTES) {
      this.parts = [];
      this.partsBytes = 0;
      this.inValue = false;
      this.scalar = false;
      this.depth = 0;
      return { bytes: Buffer.alloc(0), index: this.count++, offset: this.valueStart, oversize: size };
    }
    if (this.parts.length) {
      this.parts.push(piece);
      bytes = Buffer.concat(this.parts);
      this.parts = [];
      this.partsBytes = 0;
    } else bytes = piece;
    this.inValue = false;
    this.scalar = false;
    this.depth = 0;
    return { bytes, index: this.count++, offset: this.valueStart };
  }

  /** Call at the end of the input: throws when it stopped in the middle. */
  end(): JsonSlice[] {
    if (this.inValue) {
      if (this.scalar && !this.inString) {
        const bytes = Buffer.concat(this.parts);
        this.parts = [];
        this.inValue = false;
        return [{ bytes, index: this.count++, offset: this.valueStart }];
      }
      throw new LsconvError('INPUT_PARSE', `the input ends in the middle of task #${this.count}`, {
        file: this.file,
        taskIndex: this.count,
        offset: this.valueStart,
        hint: 'the file looks truncated; export it again',
      });
    }
    if (this.mode === 'array' && this.arrayState !== 'closed') {
      throw new LsconvError('INPUT_PARSE', `the input ends before the task list is closed with "]"`, {
        file: this.file,
        offset: this.offset,
        hint: 'the file looks truncated; export it again',
      });
    }
    if (this.mode === 'unknown') {
      throw new LsconvError('INPUT_SHAPE', 'the input is empty', {
        file: this.file,
        hint: 'expected a JSON list of Label Studio tasks',
      });
    }
    return [];
  }

  private error(reason: string, offset: number): LsconvError {
    return new LsconvError('INPUT_PARSE', `invalid JSON: ${reason}`, {
      file: this.file,
      offset,
      taskIndex: this.count,
    });
  }
}

/** Byte classes outside strings: 1 quote, 2 opening bracket, 3 closing bracket, 0 anything else. */
const OUTSIDE = new Uint8Array(256);
OUTSIDE[QUOTE] = 1;
OUTSIDE[OPEN_BRACE] = 2;
OUTSIDE[OPEN_BRACKET] = 2;
OUTSIDE[CLOSE_BRACE] = 3;
OUTSIDE[CLOSE_BRACKET] = 3;
/** Byte classes inside strings: 1 quote, 2 backslash, 0 anything else. */
const INSIDE = new Uint8Array(256);
INSIDE[QUOTE] = 1;
INSIDE[BACKSLASH] = 2;

/**
 * Scans `chunk[from, to)` inside an object or array whose state is
 * `[depth, inString, escaped]` (updated in place). Returns the index just after the
 * bracket that closes the value, -1 when the chunk ends first, or `-2 - j` when the
 * bracket at `j` nests deeper than {@link MAX_DEPTH}.
 */
function scanToClose(chunk: Uint8Array, from: number, to: number, state: Int32Array): number {
  let depth = state[0]!;
  let j = from;
  if (state[1] === 1) {
    if (state[2] === 1) {
      state[2] = 0;
      j++;
    }
    for (; j < to; j++) {
      const k = INSIDE[chunk[j]!]!;
      if (k === 0) continue;
      if (k === 1) break;
      if (++j >= to) {
        state[2] = 1;
        return -1;
      }
    }
    if (j >= to) return -1;
    state[1] = 0;
    j++;
  }
  for (; j < to; j++) {
    const k = OUTSIDE[chunk[j]!]!;
    if (k === 0) continue;
    if (k === 1) {
      for (j++; j < to; j++) {
        const s = INSIDE[chunk[j]!]!;
        if (s === 0) continue;
        if (s === 1) break;
        if (++j >= to) {
          state[0] = depth;
          state[1] = 1;
          state[2] = 1;
          return -1;
        }
      }
      if (j >= to) {
        state[0] = depth;
        state[1] = 1;
        state[2] = 0;
        return -1;
      }
    } else if (k === 2) {
      if (++depth > MAX_DEPTH) {
        state[0] = depth;
        return -2 - j;
      }
    } else if (--depth === 0) {
      state[0] = 0;
      return j + 1;
    }
  }
  state[0] = depth;
  return -1;
}

function describeStart(c: number): string {
  if (c === QUOTE) return 'a string';
  if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return 'a number';
  if (c === 0x74 || c === 0x66) return 'a boolean';
  if (c === 0x6e) return 'null';
  if (c >= 0x20 && c < 0x7f) return `"${String.fromCharCode(c)}"`;
  return `byte 0x${c.toString(16).padStart(2, '0')}`;
}
