import { numberToken } from '@lsconv/core';
import { jsonWithSpellings, pyRepr, spellNumber } from '@lsconv/format-kit';

/**
 * A text cell as Python's `csv` writes it with `QUOTE_NONNUMERIC`: always between
 * double quotes, inner quotes doubled. Separators, tabs and newlines stay as they are.
 */
export function quoteText(text: string): string {
  return text.includes('"') ? `"${text.replaceAll('"', '""')}"` : `"${text}"`;
}

/**
 * One CSV cell for a value, with Python's `csv.QUOTE_NONNUMERIC` rules: strings and
 * `None` quoted (`None` as `""`), numbers and booleans bare (`3`, `0.5`, `1e-05`,
 * `True`), anything else as Python's `str()` of it, quoted. A bare token that contains
 * the separator gets quoted, as Python does.
 */
export function csvCell(value: unknown, separator: string): string {
  switch (typeof value) {
    case 'string':
      return quoteText(value);
    case 'number':
      return bare(pyNumber(value), separator);
    case 'boolean':
      return bare(value ? 'True' : 'False', separator);
    case 'undefined':
      return EMPTY_CELL;
    default:
      return value === null ? EMPTY_CELL : quoteText(pyStr(value));
  }
}

/**
 * {@link csvCell} of `holder[key]`, printing a number as its source token when parsing
 * kept one (numbers.ts): an integer beyond 2^53 exactly, a float kept under compat
 * python as Python's `repr()` (`100.0`, `1e-05`).
 */
export function csvCellAt(holder: unknown, key: string, value: unknown, separator: string): string {
  if (typeof value === 'number') {
    const token = numberToken(holder, key);
    if (token !== undefined) return bare(spellNumber(value, token, 'repr'), separator);
  }
  return csvCell(value, separator);
}

/** What a missing column or a `None` becomes. */
export const EMPTY_CELL = '""';

function bare(token: string, separator: string): string {
  return token.includes(separator) ? quoteText(token) : token;
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

/**
 * Compact JSON of a value, as `ujson.dumps(value, ensure_ascii=False)` writes it for
 * complex cells; `escapeSlashes` adds ujson's `\/` (python compat mode); `numbered`
 * (the value's task has number tokens) prints numbers as written.
 */
export function jsonText(value: unknown, escapeSlashes = false, numbered = false): string {
  // With number tokens kept (numbers.ts), numbers print as written; ujson's floats in python mode.
  const text =
    (numbered ? jsonWithSpellings(value, escapeSlashes ? 'ujson' : 'js') : JSON.stringify(value)) ?? 'null';
  return escapeSlashes && text.includes('/') ? text.replaceAll('/', '\\/') : text;
}

/** Python's truthiness of a JSON value (`[]`, `{}`, `""`, `0`, `None` and `False` are false). */
export function pyTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/**
 * Orders strings by code point, as Python's `sorted` does (JavaScript's default
 * compares UTF-16 units, which puts astral characters before U+E000–U+FFFF).
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (an astral character) ranks above every BMP unit from U+E000 on.
    if (x >= 0xd800 && y >= 0xd800 && x <= 0xdfff !== y <= 0xdfff) return x <= 0xdfff ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
