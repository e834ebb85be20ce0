import type { OutputValue } from '@lsconv/core';
import { pyStr } from './cells.js';

/**
 * The value a JSON-MIN record holds for one control: the result values without their
 * `type`; a single `Choices` choice or a single-line `TextArea` collapses to that
 * string; chat results become their messages. Same rule as the Python converter's
 * `prettify_result`. Never mutates `values`.
 */
export function prettifyResult(values: readonly OutputValue[]): unknown {
  const out: unknown[] = [];
  let lastType: unknown;
  for (const value of values) {
    const { type, ...rest } = value;
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

/** True when the values of one `from_name` are chat messages (they get a `<name>_transcript` column). */
export function isChat(values: readonly OutputValue[]): boolean {
  return values.some((v) => v.type === 'Chat' || v.type === 'chatmessage');
}

/**
 * A readable transcript of prettified chat messages, one `role: content` line per
 * message (`role:` when the content is empty, the content alone without a role), as
 * the Python converter's `generate_chat_transcript`. Anything but a list gives `""`.
 */
export function chatTranscript(messages: unknown): string {
  if (!Array.isArray(messages)) return '';
  const lines: string[] = [];
  for (const message of messages) {
    if (typeof message !== 'object' || message === null || Array.isArray(message)) continue;
    const m = message as Record<string, unknown>;
    // `str(message.get("role", ""))`: a present null becomes "None", like the reference.
    const role = 'role' in m ? pyStr(m.role) : '';
    const content = 'content' in m ? pyStr(m.content) : '';
    if (role) lines.push(content ? `${role}: ${content}` : `${role}:`);
    else lines.push(content);
  }
  return lines.join('\n');
}
