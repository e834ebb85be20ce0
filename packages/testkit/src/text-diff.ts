import { clip } from './compare-json.js';

/**
 * Describes how two strings differ: both values when short, otherwise the first
 * differing character with some context. Strings are shown JSON-escaped so that
 * `\r\n` vs `\n`, tabs and trailing spaces are visible.
 */
export function describeStringDifference(expected: string, actual: string, max = 80): string {
  const shown = (s: string) => JSON.stringify(s);
  if (shown(expected).length <= max && shown(actual).length <= max) {
    return `expected ${shown(expected)}, got ${shown(actual)}`;
  }
  let i = 0;
  while (i < expected.length && i < actual.length && expected[i] === actual[i]) i++;
  const from = Math.max(0, i - 20);
  const window = (s: string) => clip(shown(s.slice(from, i + 40)), max);
  return `first difference at character ${i + 1} (expected length ${expected.length}, got ${actual.length}): expected …${window(expected)}, got …${window(actual)}`;
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decodes UTF-8 strictly; undefined when the bytes are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Splits text into lines on `\n`; one final line break is optional. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
