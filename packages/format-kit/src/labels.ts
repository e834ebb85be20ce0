// Labels as the formats write them: text from any JSON value, and the characters a
// line-based class list or an XML element cannot hold.
import { pyStr } from './python.js';

/** A label as text: strings as they are, anything else as Python's `str()` prints it. */
export function labelText(label: unknown): string {
  return typeof label === 'string' ? label : pyStr(label);
}

// What Python's str.splitlines() splits on: a class name holding one shifts a line-based list.
const LINE_BREAK = /[\n\r\v\f\u001c-\u001e\u0085\u2028\u2029]/u;
// What XML 1.0 cannot hold at all, escaped or not.
const NOT_XML =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/u;

/**
 * Why a label cannot be written where `where` says (`lines`: one name a line, as in
 * `classes.txt`; `xml`: an XML element), or undefined when it can. Such a label is
 * refused with this reason rather than written so that later lines or tags shift.
 */
export function unwritableLabel(label: string, where: 'lines' | 'xml'): string | undefined {
  const bad = where === 'lines' ? LINE_BREAK.exec(label) : NOT_XML.exec(label);
  if (!bad) return undefined;
  const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  return where === 'lines'
    ? `label ${JSON.stringify(label)} holds a line break (U+${code}), which would split it over two lines of a one-name-a-line class list`
    : `label ${JSON.stringify(label)} holds U+${code}, a character XML cannot hold`;
}
