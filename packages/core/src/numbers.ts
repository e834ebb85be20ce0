/**
 * Numbers as they were written.
 *
 * `JSON.parse` turns every number token into a double: an integer beyond 2^53 loses
 * digits (`9007199254740993` becomes `9007199254740992`) and a float loses the spelling
 * Python gives it (`80.0` becomes `80`, and JavaScript prints `0.00001` where Python
 * prints `1e-05`). Formats that write task values through (JSON_MIN, CSV) must print
 * them as they were written, so a task whose text holds such a number is parsed a
 * second time with a reviver that records the source token of those numbers, and only
 * of those, in a side table keyed by the object holding them. The task itself keeps
 * plain numbers everywhere: formats compute with them as usual, and the writers ask
 * {@link numberToken} (or {@link jsonWithSpellings}) for the spelling.
 *
 * Most tasks need none of this and pay nothing but a cheap check: see
 * {@link parseTaskJson}.
 */

/** What `JSON.rawJSON` returns: `JSON.stringify` writes its text verbatim. */
export interface RawJson {
  readonly rawJSON: string;
}

// Node 22.13 and later have JSON.rawJSON; the ES2023 library types do not know it.
const NativeJson = JSON as unknown as { rawJSON(text: string): RawJson };

/** `JSON.rawJSON(text)`: a value `JSON.stringify` writes as `text`, which must be one JSON primitive. */
export function rawJson(text: string): RawJson {
  return NativeJson.rawJSON(text);
}

/**
 * How much of the source spelling of numbers a parse keeps: `none`; `exact`, the
 * integers JavaScript cannot hold (beyond 2^53); `python`, those and the floats whose
 * Python spelling JavaScript would change (`80.0`, `1e-05`, `1e+16`).
 */
export type NumberParsing = 'none' | 'exact' | 'python';

/** Per object of a parsed task: property (or index) → source token, for the numbers kept. */
const tokens = new WeakMap<object, Map<string, string>>();
/** Parsed values (tasks) holding at least one kept token somewhere. */
const withTokens = new WeakSet<object>();

const SAFE = 2 ** 53;

/**
 * Parses one task's JSON text. With `exact` or `python`, the source tokens of the numbers
 * that could lose information are recorded for the task's objects (see the module
 * comment). A cheap check decides whether a task needs that, so other tasks cost one
 * `JSON.parse` as before:
 *
 * - integers beyond 2^53 are looked for, after parsing, where Label Studio's database
 *   writes them: the task `id` and `agreement`, the task `data` (any depth), and each
 *   annotation's `id`, `completed_by`, `lead_time` and `history`. Annotation results
 *   are written by the Label Studio editor, a JavaScript program, so their integers
 *   are doubles already; a task found here keeps the tokens of all its numbers,
 *   results included. (A scan of the text for long digit runs costs 8-15% of
 *   `JSON.parse` on float-heavy exports, whose fractions are long digit runs too.)
 * - under `python`, the text is first searched for the float spellings Python and
 *   JavaScript print differently: `.0` (or `.000…`) before a delimiter, a signed
 *   exponent, and `0.0000…` (a float below 1e-4). A hit inside a string only costs the
 *   token scan. Unsigned exponents (`1e5`) and 17-digit integral parts without `.0`
 *   are not looked for: neither Python nor JavaScript writes them.
 *
 * The tokens of a task that needs them are found by {@link recordNumberTokens}, a scan
 * of its text about four times as fast as `JSON.parse` (a reviver with
 * `context.source` would make the parse six to ten times slower).
 */
export function parseTaskJson(text: string, numbers: NumberParsing = 'exact'): unknown {
  const value = JSON.parse(text) as unknown;
  if (numbers === 'none') return value;
  const python = numbers === 'python';
  if ((python && PYTHON_FLOAT.test(text)) || mayHoldUnsafeIntegers(value))
    recordNumberTokens(text, value, python);
  return value;
}

/** Float spellings that may print differently in Python and JavaScript (see {@link parseTaskJson}). */
const PYTHON_FLOAT = /\.0(?:000\d*|0*)[,}\]\s]|[eE][-+]\d/;

/** Parses JSON text keeping the source token of every number {@link parseTaskJson} keeps. */
export function parseKeepingNumbers(text: string, python: boolean): unknown {
  const value = JSON.parse(text) as unknown;
  recordNumberTokens(text, value, python);
  return value;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/**
 * Records, for `root` (the value `JSON.parse(text)` returned), the source tokens of the
 * numbers {@link parseTaskJson} keeps: a scan of the text that follows its structure (the
 * current key or index at each depth, as offsets) and, at a number to keep, looks its
 * holder up in `root` by that path. Returns whether it kept any.
 */
export function recordNumberTokens(text: string, root: unknown, python: boolean): boolean {
  if (typeof root !== 'object' || root === null) return false;
  // Per depth: 1 for an array (then `index`), 0 for an object (then the current key's quotes).
  const isArray: number[] = [];
  const index: number[] = [];
  const keyFrom: number[] = [];
  const keyTo: number[] = [];
  let depth = -1;
  let expectKey = false;
  let kept = false;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      let end = text.indexOf('"', i + 1);
      for (;;) {
        if (end < 0) return kept; // not JSON: JSON.parse would have failed
        let slashes = 0;
        while (text.charCodeAt(end - 1 - slashes) === BACKSLASH) slashes++;
        if (slashes % 2 === 0) break;
        end = text.indexOf('"', end + 1);
      }
      if (expectKey) {
        keyFrom[depth] = i;
        keyTo[depth] = end + 1;
        expectKey = false;
      }
      i = end + 1;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
      isArray[depth] = c === 0x5b ? 1 : 0;
      index[depth] = 0;
      expectKey = c === 0x7b;
      i++;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
      i++;
    } else if (c === COMMA) {
      if (isArray[depth] === 1) index[depth]!++;
      else expectKey = true;
      i++;
    } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
      const start = i;
      let digits = 0;
      let dot = -1;
      let exponent = false;
      for (; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d >= ZERO && d <= NINE) digits++;
        else if (d === DOT) dot = i;
        else if (d === 0x65 || d === 0x45) exponent = true;
        else if (d !== MINUS && d !== 0x2b) break;
      }
      if (depth >= 0 && mayKeep(text, start, i, digits, dot, exponent, python)) {
        const token = text.slice(start, i);
        if (keepsToken(token, Number(token), python)) {
          const holder = holderAt(text, root, depth, isArray, index, keyFrom, keyTo);
          if (typeof holder === 'object' && holder !== null) {
            let map = tokens.get(holder);
            if (!map) {
              map = new Map();
              tokens.set(holder, map);
            }
            map.set(segment(text, depth, isArray, index, keyFrom, keyTo), token);
            kept = true;
          }
        }
      }
    } else i++;
  }
  if (kept) withTokens.add(root);
  return kept;
}

/** A cheap look at a number token: may {@link keepsToken} keep it? */
function mayKeep(
  text: string,
  start: number,
  end: number,
  digits: number,
  dot: number,
  exponent: boolean,
  python: boolean,
): boolean {
  if (dot < 0 && !exponent) return digits >= 16; // an integer
  if (!python) return false;
  const first = text.charCodeAt(start) === MINUS ? start + 1 : start;
  // An exponent, or 1e16 and more.
  if (exponent || dot - first >= 16) return true;
  // `80.0`, `80.00`: integral; `0.0000…`: below 1e-4.
  let j = dot + 1;
  while (j < end && text.charCodeAt(j) === ZERO) j++;
  if (j === end) return true;
  return dot === first + 1 && text.charCodeAt(first) === ZERO && j - dot > 4;
}

/** The key (or index, as text) of the value being read at `depth`. */
function segment(
  text: string,
  depth: number,
  isArray: number[],
  index: number[],
  keyFrom: number[],
  keyTo: number[],
): string {
  if (isArray[depth] === 1) return String(index[depth]);
  const from = keyFrom[depth]!;
  const to = keyTo[depth]!;
  const raw = text.slice(from + 1, to - 1);
  return raw.includes('\\') ? (JSON.parse(text.slice(from, to)) as string) : raw;
}

/** The parsed container holding the value being read at `depth`. */
function holderAt(
  text: string,
  root: unknown,
  depth: number,
  isArray: number[],
  index: number[],
  keyFrom: number[],
  keyTo: number[],
): unknown {
  let holder = root;
  for (let d = 0; d < depth; d++) {
    if (typeof holder !== 'object' || holder === null) return undefined;
    holder = (holder as Record<string, unknown>)[segment(text, d, isArray, index, keyFrom, keyTo)];
  }
  return holder;
}

function keepsToken(token: string, value: number, python: boolean): boolean {
  if (!isFloatToken(token)) return !Number.isSafeInteger(value);
  if (!python) return false;
  // Python prints an integral float with ".0", and uses an exponent below 1e-4 and from 1e16.
  const abs = value < 0 ? -value : value;
  return Number.isInteger(value) || (abs < 1e-4 && abs !== 0) || abs >= 1e16 || !Number.isFinite(value);
}

/** True for a float token (`1.5`, `2e3`); false for an integer token (`-12`). */
export function isFloatToken(token: string): boolean {
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c === 0x2e || c === 0x65 || c === 0x45) return true;
  }
  return false;
}

function isUnsafe(value: unknown): boolean {
  return typeof value === 'number' && (value >= SAFE || value <= -SAFE);
}

function anyUnsafe(value: unknown, depth = 0): boolean {
  if (typeof value !== 'object' || value === null) return isUnsafe(value);
  if (depth > 64) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (anyUnsafe(value[i], depth + 1)) return true;
    return false;
  }
  for (const key in value) if (anyUnsafe((value as Record<string, unknown>)[key], depth + 1)) return true;
  return false;
}

/** The cheap check of {@link parseTaskJson}: a number of magnitude 2^53 or more where the database writes. */
function mayHoldUnsafeIntegers(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const task = value as Record<string, unknown>;
  if (isUnsafe(task.id) || isUnsafe(task.agreement) || anyUnsafe(task.data)) return true;
  for (const key of ['annotations', 'completions']) {
    const list = task[key];
    if (!Array.isArray(list)) continue;
    for (const annotation of list) {
      if (typeof annotation !== 'object' || annotation === null) continue;
      const a = annotation as Record<string, unknown>;
      const by = a.completed_by;
      if (isUnsafe(a.id) || isUnsafe(a.lead_time) || isUnsafe(by)) return true;
      if (typeof by === 'object' && by !== null && isUnsafe((by as { id?: unknown }).id)) return true;
      if (a.history !== undefined && a.history !== null && anyUnsafe(a.history)) return true;
    }
  }
  return false;
}

/** True when parsing kept a number token somewhere in `value` (a parsed task). */
export function hasNumberTokens(value: unknown): boolean {
  return typeof value === 'object' && value !== null && withTokens.has(value);
}

/**
 * The source token parsing kept for `holder[key]`, while `holder[key]` still holds the
 * number that token parses to; undefined otherwise (the common case).
 */
export function numberToken(holder: unknown, key: string | number): string | undefined {
  if (typeof holder !== 'object' || holder === null) return undefined;
  const map = tokens.get(holder);
  if (map === undefined) return undefined;
  const name = typeof key === 'number' ? String(key) : key;
  const token = map.get(name);
  if (token === undefined) return undefined;
  const current = (holder as Record<string, unknown>)[name];
  return typeof current === 'number' && Object.is(Number(token), current) ? token : undefined;
}

/** Lets `copy`, a shallow copy of `original` (same keys), answer {@link numberToken} like it. */
export function shareNumberTokens(original: object, copy: object): void {
  const map = tokens.get(original);
  if (map !== undefined) tokens.set(copy, map);
}

/**
 * Records for `target[key]` the token kept for `holder[holderKey]`, if any (records built
 * from several objects, as JSON_MIN's). `target` gets its own table.
 */
export function carryNumberToken(
  target: object,
  key: string,
  holder: unknown,
  holderKey: string = key,
): void {
  const token = numberToken(holder, holderKey);
  let map = tokens.get(target);
  if (token === undefined) {
    map?.delete(key);
    return;
  }
  if (map === undefined) {
    map = new Map();
    tokens.set(target, map);
  }
  map.set(key, token);
}

/** Copies into `target`'s own table the tokens kept for the keys of `source` (`Object.assign(target, source)`). */
export function assignNumberTokens(target: object, source: object): void {
  const from = tokens.get(source);
  if (from === undefined) return;
  let map = tokens.get(target);
  if (map === undefined) {
    map = new Map();
    tokens.set(target, map);
  }
  for (const [key, token] of from) map.set(key, token);
}

/** `String(holder[key])`, with the digits of its source for an integer beyond 2^53 (file names). */
export function stringAt(holder: unknown, key: string): string {
  const value =
    typeof holder === 'object' && holder !== null ? (holder as Record<string, unknown>)[key] : undefined;
  const token = typeof value === 'number' ? numberToken(holder, key) : undefined;
  return token !== undefined && !isFloatToken(token) ? token : String(value);
}
