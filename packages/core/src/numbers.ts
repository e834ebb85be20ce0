/**
 * Numbers as they were written, and as Python writes them.
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

// Node 22.13 and later have JSON.rawJSON and the reviver's `context.source`; the ES2023
// library types do not know them.
const NativeJson = JSON as unknown as {
  rawJSON(text: string): RawJson;
  parse(
    text: string,
    reviver: (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown,
  ): unknown;
};

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
 * Parses one task's JSON text. With `exact` or `python`, a task whose numbers could lose
 * information is parsed again keeping their source tokens (see the module comment);
 * the check is cheap, so tasks without such numbers cost one `JSON.parse` as before:
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
 *   second parse. Unsigned exponents (`1e5`) and 17-digit integral parts without `.0`
 *   are not looked for: neither Python nor JavaScript writes them.
 */
export function parseTaskJson(text: string, numbers: NumberParsing = 'exact'): unknown {
  if (numbers === 'python' && PYTHON_FLOAT.test(text)) return parseKeepingNumbers(text, true);
  const value = JSON.parse(text) as unknown;
  if (numbers !== 'none' && mayHoldUnsafeIntegers(value))
    return parseKeepingNumbers(text, numbers === 'python');
  return value;
}

/** Float spellings that may print differently in Python and JavaScript (see {@link parseTaskJson}). */
const PYTHON_FLOAT = /\.0(?:000\d*|0*)[,}\]\s]|[eE][-+]\d/;

/** Parses JSON text keeping the source token of every number {@link parseTaskJson} keeps. */
export function parseKeepingNumbers(text: string, python: boolean): unknown {
  let kept = false;
  const value = NativeJson.parse(text, function (this: unknown, key, value, context) {
    if (
      typeof value === 'number' &&
      context?.source !== undefined &&
      keepsToken(context.source, value, python)
    ) {
      const holder = this as object;
      let map = tokens.get(holder);
      if (!map) {
        map = new Map();
        tokens.set(holder, map);
      }
      map.set(key, context.source);
      kept = true;
    }
    return value;
  });
  if (kept && typeof value === 'object' && value !== null) withTokens.add(value);
  return value;
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

/**
 * How a writer spells floats: `js` as JavaScript does (default mode), `repr` as Python's
 * `repr()` (`csv`, the `json` module: `1e-05`), `ujson` as ujson (`1e-5`).
 */
export type FloatSpelling = 'js' | 'repr' | 'ujson';

/**
 * The text a writer prints for a number whose source token is `token`: an integer token
 * as written (exact beyond 2^53), a float in the writer's spelling.
 */
export function spellNumber(value: number, token: string | undefined, floats: FloatSpelling): string {
  if (token !== undefined && !isFloatToken(token)) return token;
  if (token === undefined || floats === 'js') return JSON.stringify(value);
  return floats === 'ujson' ? pyJsonFloat(value) : pyRepr(value);
}

/**
 * `holder[key]` for a JSON writer: when parsing kept the number's token, a raw JSON value
 * printing it as {@link spellNumber} does; else the value itself.
 */
export function jsonNumberAt(holder: unknown, key: string, floats: FloatSpelling = 'js'): unknown {
  const value =
    typeof holder === 'object' && holder !== null ? (holder as Record<string, unknown>)[key] : undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) return value;
  const token = numberToken(holder, key);
  return token === undefined ? value : NativeJson.rawJSON(spellNumber(value, token, floats));
}

/** `String(holder[key])`, with the digits of its source for an integer beyond 2^53 (file names). */
export function stringAt(holder: unknown, key: string): string {
  const value =
    typeof holder === 'object' && holder !== null ? (holder as Record<string, unknown>)[key] : undefined;
  const token = typeof value === 'number' ? numberToken(holder, key) : undefined;
  return token !== undefined && !isFloatToken(token) ? token : String(value);
}

/**
 * `JSON.stringify(value, null, indent)`, except that numbers parsing kept print as
 * written: integers beyond 2^53 exactly, and (with `floats` other than `js`) floats
 * kept under compat python in Python's spelling. Use only for values of a task with
 * {@link hasNumberTokens}: the replacer runs on every value.
 */
export function jsonWithSpellings(value: unknown, floats: FloatSpelling, indent?: number): string {
  return JSON.stringify(
    value,
    function (this: unknown, key: string, v: unknown) {
      if (typeof v !== 'number') return v;
      const token = numberToken(this, key);
      if (token === undefined) return v;
      if (!Number.isFinite(v) && isFloatToken(token)) return v;
      return NativeJson.rawJSON(spellNumber(v, token, floats));
    },
    indent,
  );
}

/**
 * A computed float for a JSON writer of Python's: the number itself when JavaScript
 * spells it the same way, else a raw JSON value with Python's spelling (`12.0`, `1e-05`
 * with `repr`, `1e-5` with `ujson`). Infinite and NaN values stay numbers.
 */
export function pyJsonNumber(value: number, floats: 'repr' | 'ujson' = 'ujson'): number | RawJson {
  if (!Number.isFinite(value)) return value;
  const abs = value < 0 ? -value : value;
  if (!Number.isInteger(value) && abs >= 1e-4 && abs < 1e16) return value;
  return NativeJson.rawJSON(floats === 'ujson' ? pyJsonFloat(value) : pyRepr(value));
}

/** {@link pyJsonNumber} of each value. */
export function pyJsonNumbers(
  values: readonly number[],
  floats: 'repr' | 'ujson' = 'ujson',
): (number | RawJson)[] {
  return values.map((v) => pyJsonNumber(v, floats));
}

/**
 * A float as ujson writes it (the Python converter's JSON files): `repr()` digits, but an
 * exponent without leading zeros (`1e-5`, `1e+16`).
 */
export function pyJsonFloat(n: number): string {
  const text = pyRepr(n);
  const e = text.indexOf('e');
  if (e < 0) return text;
  const digits = text.slice(e + 2).replace(/^0+(?=\d)/, '');
  return `${text.slice(0, e + 2)}${digits}`;
}

/**
 * `pyRepr` of every number, joined by `separator`. Where every number prints the same
 * in both languages (finite, not integral, 1e-4 <= |n| < 1e16, so neither uses an
 * exponent) one `JSON.stringify` of the list does it, two to three times faster
 * than a conversion per number; otherwise each goes through {@link pyRepr}.
 */
export function pyReprJoin(values: readonly number[], separator = ' '): string {
  for (let i = 0; i < values.length; i++) {
    const n = values[i]!;
    const abs = n < 0 ? -n : n;
    if (!(abs >= 1e-4 && abs < 1e16) || Number.isInteger(n)) return values.map(pyRepr).join(separator);
  }
  const text = JSON.stringify(values);
  const inner = text.slice(1, -1);
  return separator === ',' ? inner : inner.replaceAll(',', separator);
}

/**
 * Python's `repr(float)`: shortest round-trip digits, `1e-05` and `1e+16` exponents,
 * `inf`/`nan`. Integral floats print with `.0`.
 */
export function pyRepr(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Number.POSITIVE_INFINITY) return 'inf';
  if (n === Number.NEGATIVE_INFINITY) return '-inf';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(n);
  if (abs >= 1e16 || abs < 1e-4) {
    // JS: 1e-7, 1.5e+21; Python: 1e-07, 1.5e+21
    const [mantissa, exponent] = n.toExponential().split('e') as [string, string];
    const sign = exponent.startsWith('-') ? '-' : '+';
    const digits = exponent.replace(/^[+-]/, '');
    return `${mantissa}e${sign}${digits.padStart(2, '0')}`;
  }
  const text = String(n);
  return text.includes('.') || text.includes('e') ? text : `${text}.0`;
}
