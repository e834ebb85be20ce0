import {
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COMMA,
  isSpace,
  type JsonSlice,
  JsonSlicer,
  MAX_TASK_BYTES,
  OPEN_BRACE,
  type TaskStart,
} from './json-slicer.js';

// Cutting an input at line starts, without scanning every byte.
//
// Label Studio's exports, `json.dump(…, indent=…)` and JSON Lines put every task on a line
// of its own, after the same indentation. A raw line break never occurs inside a JSON
// string, so in such a file a line break, that indentation and `{` start a task, unless
// the indentation is inconsistent. `LineSlicer` cuts there with a search for that byte
// pattern (the main thread then reads a large input at the speed of the disk) and marks
// every slice `guessed`.
//
// A guess is proved by parsing: the first slice starts where an exact scan found a task;
// a slice that parses as one JSON value ends where that value ends, and the bytes the
// slicer checked between it and the next (white space and one comma) lead to the next
// value. So every guessed slice that parses starts and ends where the exact scan would
// cut, and the first one that does not parse (broken JSON, or a wrong guess) is where
// the consumer goes back to the exact scan (`JsonSlicer` resumed at that slice), which
// then reports exactly what it always reports.

const NEWLINE = 0x0a;
const SPACE = 0x20;
const TAB = 0x09;

/** A slice a {@link LineSlicer} cut: its boundaries are a guess until it parses. */
export type GuessedSlice = JsonSlice & { guessed?: true };

/**
 * Looks at an input's first chunk: when it holds two tasks and the second starts a line
 * (after the same indentation as every task, presumably), returns the pattern that starts
 * a task (`\n`, the indentation, `{`) and where the first task starts; otherwise undefined
 * (the input is read with the exact scan). Never throws: a broken start is left to the
 * exact scan to report.
 */
export function learnLinePattern(
  chunk: Buffer,
  file: string,
): { pattern: Buffer; first: TaskStart } | undefined {
  const probe = new JsonSlicer(file);
  let slices: JsonSlice[];
  try {
    slices = probe.push(chunk);
  } catch {
    return undefined;
  }
  const [first, second] = slices;
  if (!first || !second || probe.mode === 'unknown') return undefined;
  if (chunk[first.offset] !== OPEN_BRACE || chunk[second.offset] !== OPEN_BRACE) return undefined;
  let at = second.offset - 1;
  while (at >= 0 && (chunk[at] === SPACE || chunk[at] === TAB)) at--;
  if (at < 0 || chunk[at] !== NEWLINE) return undefined;
  const pattern = Buffer.from(chunk.subarray(at, second.offset + 1));
  return { pattern, first: { offset: first.offset, index: 0, mode: probe.mode } };
}

/**
 * Cuts tasks at the lines that start with a pattern from {@link learnLinePattern}. Push
 * chunks in order from the first task's start; a slice completes when the next task's
 * line is found. When what it finds is not what it expects (no task start for
 * {@link MAX_TASK_BYTES}, or the input does not end as a list of tasks does), it hands
 * over to an exact `JsonSlicer` for the rest of the input, bytes held included.
 */
export class LineSlicer {
  private held: Buffer[] = [];
  private heldBytes = 0;
  /** The last bytes pushed (up to the pattern's length less one), for a pattern cut across two chunks. */
  private tail: Buffer = Buffer.alloc(0);
  private start: number;
  private index: number;
  private exact: JsonSlicer | undefined;

  constructor(
    private readonly file: string,
    private readonly pattern: Buffer,
    private readonly first: TaskStart,
  ) {
    this.start = first.offset;
    this.index = first.index;
  }

  /** The top level of the input. */
  get mode(): 'array' | 'values' {
    return this.first.mode;
  }

  /** Feeds the chunk that starts at byte `chunkOffset`; returns the tasks completed in it. */
  push(chunk: Buffer, chunkOffset: number): GuessedSlice[] {
    if (this.exact) return this.exact.push(chunk);
    const out: GuessedSlice[] = [];
    const p = this.pattern;
    let from = Math.max(0, this.start - chunkOffset);
    if (this.heldBytes > 0) {
      const cut = this.straddling(chunk);
      if (cut > 0 && this.accept(out, chunk, chunkOffset, -cut)) from = p.length - cut - 1;
    }
    for (;;) {
      const at = chunk.indexOf(p, from);
      if (at < 0) break;
      if (!this.accept(out, chunk, chunkOffset, at)) {
        from = at + 1;
        continue;
      }
      from = at + p.length - 1;
    }
    const keepFrom = Math.max(0, this.start - chunkOffset);
    const piece = chunk.subarray(keepFrom);
    this.held.push(piece);
    this.heldBytes += piece.length;
    this.keepTail(chunk);
    if (this.heldBytes > MAX_TASK_BYTES) out.push(...this.handOver());
    return out;
  }

  /** Call at the end of the input: the last task, or what the exact scan makes of the rest. */
  end(): GuessedSlice[] {
    if (this.exact) return this.exact.end();
    const rest = this.takeHeld();
    let to = rest.length;
    while (to > 0 && isSpace(rest[to - 1]!)) to--;
    if (this.first.mode === 'array') {
      if (to === 0 || rest[to - 1] !== CLOSE_BRACKET) return this.exactEnd(rest);
      to--;
      while (to > 0 && isSpace(rest[to - 1]!)) to--;
    }
    if (to === 0 || rest[to - 1] !== CLOSE_BRACE) return this.exactEnd(rest);
    return [{ bytes: rest.subarray(0, to), index: this.index++, offset: this.start, guessed: true }];
  }

  /**
   * A pattern found at `at` in the chunk (negative: it began `-at` bytes before the chunk,
   * in the held bytes). When the bytes before it end a task (`}`, white space, a comma in a
   * list), that task is cut and the next starts at the pattern's `{`; otherwise false.
   */
  private accept(out: GuessedSlice[], chunk: Buffer, chunkOffset: number, at: number): boolean {
    const taskFrom = this.start - chunkOffset;
    let bytes: Buffer;
    if (this.heldBytes === 0) bytes = chunk.subarray(taskFrom, at);
    else if (at >= 0) bytes = Buffer.concat([...this.held, chunk.subarray(0, at)], this.heldBytes + at);
    else bytes = Buffer.concat(this.held, this.heldBytes).subarray(0, this.heldBytes + at);
    let to = bytes.length;
    while (to > 0 && isSpace(bytes[to - 1]!)) to--;
    if (this.first.mode === 'array') {
      if (to === 0 || bytes[to - 1] !== COMMA) return false;
      to--;
      while (to > 0 && isSpace(bytes[to - 1]!)) to--;
    }
    if (to === 0 || bytes[to - 1] !== CLOSE_BRACE) return false;
    out.push({ bytes: bytes.subarray(0, to), index: this.index++, offset: this.start, guessed: true });
    this.held = [];
    this.heldBytes = 0;
    this.start = chunkOffset + at + this.pattern.length - 1;
    return true;
  }

  /** How many bytes of a pattern cut across the held bytes and this chunk are held (0: none). */
  private straddling(chunk: Buffer): number {
    const p = this.pattern;
    for (let k = Math.min(p.length - 1, this.tail.length); k >= 1; k--) {
      if (chunk.length < p.length - k) continue;
      if (
        this.tail.subarray(this.tail.length - k).equals(p.subarray(0, k)) &&
        chunk.subarray(0, p.length - k).equals(p.subarray(k))
      )
        return k;
    }
    return 0;
  }

  private keepTail(chunk: Buffer): void {
    const keep = this.pattern.length - 1;
    this.tail =
      chunk.length >= keep
        ? Buffer.from(chunk.subarray(chunk.length - keep))
        : Buffer.concat([this.tail, chunk]).subarray(-keep);
  }

  private takeHeld(): Buffer {
    const rest = Buffer.concat(this.held, this.heldBytes);
    this.held = [];
    this.heldBytes = 0;
    return rest;
  }

  /** From here on the exact scan reads the input, starting with the bytes held. */
  private handOver(): JsonSlice[] {
    this.exact = new JsonSlicer(this.file, { ...this.first, offset: this.start, index: this.index });
    return this.exact.push(this.takeHeld());
  }

  private exactEnd(rest: Buffer): JsonSlice[] {
    this.exact = new JsonSlicer(this.file, { ...this.first, offset: this.start, index: this.index });
    return [...this.exact.push(rest), ...this.exact.end()];
  }
}
