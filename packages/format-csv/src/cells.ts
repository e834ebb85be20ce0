import { numberToken } from '@lsconv/core';
import { jsonWithSpellings, pyNumber, pyStr, spellNumber } from '@lsconv/format-kit';

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
