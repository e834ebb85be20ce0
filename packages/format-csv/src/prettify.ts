import type { OutputValue } from '@lsconv/core';
import { pyStr } from '@lsconv/format-kit';

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
