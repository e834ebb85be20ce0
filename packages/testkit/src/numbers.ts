/**
 * The number rule of NORMALISE.md: two integers must be equal exactly; otherwise
 * `abs(a - b) <= max(1e-6, 1e-9 * max(|a|, |b|))`. `2` and `2.0` are equal.
 */

/** A number as written in a file: its literal text, and whether it is an integer literal. */
export interface NumberToken {
  /** The literal exactly as written (`2`, `2.0`, `1e-05`, `nan`). */
  readonly raw: string;
  /** True for an integer literal (`-12`), false for any float spelling (`-12.0`, `1e3`, `inf`). */
  readonly isInteger: boolean;
  /** The value as a double (`NaN` and infinities included). */
  readonly value: number;
}

/** Absolute tolerance of the number rule. */
export const ABSOLUTE_TOLERANCE = 1e-6;
/** Relative tolerance of the number rule. */
export const RELATIVE_TOLERANCE = 1e-9;

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
// Python writes `nan`, `inf`, `-inf`; JSON-ish writers `NaN`, `Infinity`.
const SPECIAL = /^[+-]?(?:nan|inf|infinity)$/i;

/**
 * Reads a token as a number the way Python's `repr`/`str` and JSON writers spell
 * them, or returns undefined when the token is not numeric (`True`, `abc`, ``).
 */
export function parseNumberToken(text: string): NumberToken | undefined {
  if (INTEGER.test(text)) return { raw: text, isInteger: true, value: Number(text) };
  if (DECIMAL.test(text)) return { raw: text, isInteger: false, value: Number(text) };
  if (SPECIAL.test(text)) {
    const negative = text.startsWith('-');
    const value = /nan/i.test(text) ? Number.NaN : negative ? -Infinity : Infinity;
    return { raw: text, isInteger: false, value };
  }
  return undefined;
}

/** A plain JavaScript number as a token (integers when they are safe integers). */
export function numberToken(value: number): NumberToken {
  return { raw: String(value), isInteger: Number.isSafeInteger(value), value };
}

/** Whether two numeric tokens are equal under the number rule. */
export function numbersEqual(a: NumberToken, b: NumberToken): boolean {
  if (a.isInteger && b.isInteger) return BigInt(a.raw) === BigInt(b.raw);
  return valuesClose(a.value, b.value);
}

/** The float half of the number rule, on plain doubles (`NaN` equals `NaN`). */
export function valuesClose(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  const tolerance = Math.max(ABSOLUTE_TOLERANCE, RELATIVE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b)));
  return Math.abs(a - b) <= tolerance;
}
