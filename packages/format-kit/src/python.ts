/**
 * Python semantics, written once: how the Python converter prints values (`str()`,
 * `repr()` of floats, ujson's floats), the spelling of numbers parsing kept (see
 * `parseTaskJson` in `@lsconv/core`), and the export time.
 */

import { type Item, isFloatToken, numberToken, type RawJson, rawJson } from '@lsconv/core';

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
  return token === undefined ? value : rawJson(spellNumber(value, token, floats));
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
      return rawJson(spellNumber(v, token, floats));
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
  return rawJson(floats === 'ujson' ? pyJsonFloat(value) : pyRepr(value));
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

/**
 * The annotator as the Python converter names it (`get_annotator`): the email of an
 * expanded user, else the id; as a string unless `intId` and the id is an integer.
 */
export function annotatorOf(item: Pick<Item, 'completed_by'>, intId = false): unknown {
  const annotator = item.completed_by;
  if (typeof annotator === 'object' && annotator !== null && !Array.isArray(annotator)) {
    return (annotator as { email?: unknown }).email ?? null;
  }
  if (intId && typeof annotator === 'number' && Number.isInteger(annotator)) return annotator;
  return pyStrOrJson(annotator);
}

/**
 * Python's `str()` of `holder[key]`: as {@link pyStrOrJson}, but an integer beyond 2^53 prints
 * the digits of its source, and a float kept under compat python Python's spelling
 * (see numbers.ts). For ids the reference prints, such as the task id in file names.
 */
export function pyStrAt(holder: unknown, key: string): string {
  const value =
    typeof holder === 'object' && holder !== null ? (holder as Record<string, unknown>)[key] : undefined;
  if (typeof value === 'number') {
    const token = numberToken(holder, key);
    if (token !== undefined) return spellNumber(value, token, 'repr');
  }
  return pyStrOrJson(value);
}

/**
 * Python's `str()` of a JSON scalar (`None`, `True`, `3`, `2.5`, a string as it is), and
 * JSON for a list or an object: how the Python converter's ids, annotators and labels
 * print where it formats them (file names, `completed_by`). {@link pyStr} is `str()` itself.
 */
export function pyStrOrJson(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return pyFloatOrInt(value);
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function pyFloatOrInt(n: number): string {
  return Number.isInteger(n) ? String(n) : pyRepr(n);
}

/** Python's `round()` of a float to an integer: halves go to the even neighbour. */
export function pyRound(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The export time: `SOURCE_DATE_EPOCH` (seconds) when set, so builds can be reproducible; else now. */
export function exportDate(): Date {
  const epoch = Number(process.env.SOURCE_DATE_EPOCH);
  return Number.isFinite(epoch) && process.env.SOURCE_DATE_EPOCH ? new Date(epoch * 1000) : new Date();
}

/**
 * Python's `str(datetime)`: `2024-05-15 12:08:36.422297`, in UTC or in local time (the
 * Python converter's `datetime.now()` is the local time of its process).
 */
export function pyDateTime(d: Date, zone: 'utc' | 'local'): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  if (zone === 'local') {
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds() * 1000, 6)}`;
  }
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds() * 1000, 6)}`;
}

/**
 * A JSON number as Python prints it: integers as exact digits (never an exponent), other
 * numbers with `repr(float)`. JSON `1.0` parses to an integer here and prints `1`:
 * the same number, the conformance rules compare bare numbers by value.
 */
export function pyNumber(value: number): string {
  // Past 2^53 JavaScript prints the shortest round-trip digits (…847000); Python prints the exact value.
  if (Number.isInteger(value)) return Number.isSafeInteger(value) ? String(value) : BigInt(value).toString();
  return pyRepr(value);
}

/**
 * Python's `str()` of a JSON value: strings as they are, `None`, `True`/`False`,
 * numbers as Python prints them, lists and dicts as their `repr`
 * (`{'a': [1, None]}`).
 */
export function pyStr(value: unknown): string {
  return typeof value === 'string' ? value : pyReprOf(value);
}

/** Python's `repr()` of a JSON value (`'text'`, `[1, 'a']`, `{'k': None}`). */
export function pyReprOf(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  switch (typeof value) {
    case 'string':
      return pyStringRepr(value);
    case 'number':
      return pyNumber(value);
    case 'boolean':
      return value ? 'True' : 'False';
    case 'object':
      if (Array.isArray(value)) return `[${value.map(pyReprOf).join(', ')}]`;
      return `{${Object.entries(value as Record<string, unknown>)
        .map(([k, v]) => `${pyStringRepr(k)}: ${pyReprOf(v)}`)
        .join(', ')}}`;
    default:
      return String(value);
  }
}

// Python's str.isprintable() is false for the categories Cc, Cf, Cs, Co, Cn, Zl, Zp, Zs.
const NOT_PRINTABLE = /[\p{C}\p{Z}]/u;

/** Python's `repr()` of a string: single quotes unless it holds only `'`, escapes as CPython. */
export function pyStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += `\\x${hex(code, 2)}`;
    else if (code < 0x7f || ch === ' ' || !NOT_PRINTABLE.test(ch)) out += ch;
    else if (code <= 0xff) out += `\\x${hex(code, 2)}`;
    else if (code <= 0xffff) out += `\\u${hex(code, 4)}`;
    else out += `\\U${hex(code, 8)}`;
  }
  return out + quote;
}

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, '0');
}

/** Python's truthiness of a JSON value (`[]`, `{}`, `""`, `0`, `None` and `False` are false). */
export function pyTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}
