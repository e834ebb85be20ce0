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
  for (const value of values) {
    const { type, ...rest } = value;
    if (numbered) shareNumberTokens(value, rest);
    out.push(prettyValue(type, rest));
  }
  return collapsed(values.at(-1)?.type, out);
}

/**
 * {@link prettifyResult} for the values of one control read with `typesAside`
 * (`taskItems`): they hold no `type`, which is given. A value that does not collapse is
 * returned itself, not a copy (the caller writes it; nothing mutates it).
 */
export function prettifyUntyped(
  values: readonly Record<string, unknown>[],
  type: string | undefined,
): unknown {
  const out: unknown[] = [];
  for (const value of values) out.push(prettyValue(type, value));
  return collapsed(values.length > 0 ? type : undefined, out);
}

/** What one value (without its `type`) becomes. */
function prettyValue(type: unknown, rest: Record<string, unknown>): unknown {
  if (type === 'Choices' && isSingle(rest.choices)) return firstOf(rest.choices);
  if (type === 'TextArea' && isSingle(rest.text)) return firstOf(rest.text);
  if (type === 'Chat' || type === 'chatmessage') return 'chatmessage' in rest ? rest.chatmessage : rest;
  return rest;
}

/** The reference decides on the type of the *last* value; one from_name has one type anyway. */
function collapsed(lastType: unknown, out: unknown[]): unknown {
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
