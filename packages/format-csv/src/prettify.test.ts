import type { OutputValue } from '@lsconv/core';
import { prettifyResult } from '@lsconv/format-kit';
import { describe, expect, it } from 'vitest';
import { chatTranscript, isChat } from './prettify.js';

const v = (type: string, value: Record<string, unknown>): OutputValue => ({ ...value, type });

describe('prettifyResult', () => {
  it('collapses single Choices/TextArea and keeps everything else as lists', () => {
    expect(prettifyResult([v('Choices', { choices: ['Positive'] })])).toBe('Positive');
    expect(prettifyResult([v('Choices', { choices: ['A', 'B'] })])).toEqual({ choices: ['A', 'B'] });
    expect(prettifyResult([v('TextArea', { text: ['one'] })])).toBe('one');
    expect(prettifyResult([v('Number', { number: 2 })])).toEqual([{ number: 2 }]);
  });
});

describe('isChat', () => {
  it('is true when any value is a chat message', () => {
    expect(isChat([v('chatmessage', { chatmessage: {} })])).toBe(true);
    expect(isChat([v('Chat', {})])).toBe(true);
    expect(isChat([v('TextArea', { text: ['x'] })])).toBe(false);
  });
});

describe('chatTranscript', () => {
  it('writes one "role: content" line per message', () => {
    expect(
      chatTranscript([
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'Hello!\nHow can I help?' },
      ]),
    ).toBe('user: hi\nassistant: Hello!\nHow can I help?');
  });

  it('handles missing roles and contents like the reference', () => {
    expect(
      chatTranscript([
        { role: 'user' },
        { content: 'no role' },
        { role: '', content: 'empty role' },
        'not a message',
        [1],
      ]),
    ).toBe('user:\nno role\nempty role');
  });

  it("uses Python's str() for non-string fields (null is None)", () => {
    expect(
      chatTranscript([
        { role: null, content: 5 },
        { role: 'tool', content: { ok: true } },
      ]),
    ).toBe("None: 5\ntool: {'ok': True}");
  });

  it('gives an empty transcript for anything but a list', () => {
    expect(chatTranscript('text')).toBe('');
    expect(chatTranscript({ role: 'user' })).toBe('');
    expect(chatTranscript([])).toBe('');
  });
});
