import { type OutputValue, shareNumberTokens } from '@lsconv/core';

/**
 * The value JSON_MIN and CSV hold for one control: the result values without their
 * `type`; a single `Choices` choice or a single-line `TextArea` collapses to that
 * string; chat results become their messages. Same rule as the Python converter's
 * `prettify_result`. Never mutates `values`. `numbered` (the task has number tokens,
 * see numbers.ts) lets the copies answer for the tokens of the values.
 */
export function prettifyResult(values: readonly OutputValue[], numbered = false): unknown {
  const out: unknown[] = [];
  let lastType: unknown;
  for (const value of values) {
    const { type, ...rest } = value;
    if (numbered) shareNumberTokens(value, rest);
    lastType = type;
    if (type === 'Choices' && isSingle(rest.choices)) out.push(firstOf(rest.choices));
    else if (type === 'TextArea' && isSingle(rest.text)) out.push(firstOf(rest.text));
    else if (type === 'Chat' || type === 'chatmessage')
      out.push('chatmessage' in rest ? rest.chatmessage : rest);
    else out.push(rest);
  }
  // The reference decides on the type of the *last* value; one from_name has one type anyway.
  return (lastType === 'Choices' || lastType === 'TextArea') && out.length === 1 ? out[0] : out;
}

/** Python's `len(x) == 1` for the list (or string) of choices or lines. */
function isSingle(list: unknown): boolean {
  if (Array.isArray(list)) return list.length === 1;
  if (typeof list === 'string') return isOneCodePoint(list);
  return false;
}

function firstOf(list: unknown): unknown {
  if (Array.isArray(list)) return list[0];
  return String.fromCodePoint((list as string).codePointAt(0) ?? 0);
}

function isOneCodePoint(text: string): boolean {
  return text.length === 1 || (text.length === 2 && (text.codePointAt(0) ?? 0) > 0xffff);
}
