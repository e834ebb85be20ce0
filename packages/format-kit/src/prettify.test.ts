import type { OutputValue } from '@lsconv/core';
import { describe, expect, it } from 'vitest';
import { prettifyResult } from './prettify.js';

const v = (type: string, value: Record<string, unknown>): OutputValue => ({ ...value, type });

describe('prettifyResult', () => {
  it('collapses a single choice to the string', () => {
    expect(prettifyResult([v('Choices', { choices: ['Positive'] })])).toBe('Positive');
  });

  it('keeps several choices as the value object without its type', () => {
    expect(prettifyResult([v('Choices', { choices: ['A', 'B'] })])).toEqual({ choices: ['A', 'B'] });
  });

  it('collapses a one-line TextArea, keeps a two-line one as its value object', () => {
    expect(prettifyResult([v('TextArea', { text: ['hello'] })])).toBe('hello');
    expect(prettifyResult([v('TextArea', { text: ['a', 'b'] })])).toEqual({ text: ['a', 'b'] });
  });

  it('gives a list when a choices control has several results', () => {
    expect(prettifyResult([v('Choices', { choices: ['A'] }), v('Choices', { choices: ['B'] })])).toEqual([
      'A',
      'B',
    ]);
  });

  it('keeps region values (minus type) as a list, image size included', () => {
    const rect = v('RectangleLabels', {
      x: 1,
      y: 2,
      width: 3,
      height: 4,
      rectanglelabels: ['Car'],
      original_width: 640,
    });
    expect(prettifyResult([rect])).toEqual([
      { x: 1, y: 2, width: 3, height: 4, rectanglelabels: ['Car'], original_width: 640 },
    ]);
    expect(prettifyResult([v('Rating', { rating: 4 })])).toEqual([{ rating: 4 }]);
  });

  it('unwraps chat messages', () => {
    const message = { role: 'user', content: 'hi' };
    expect(
      prettifyResult([v('chatmessage', { chatmessage: message }), v('chatmessage', { other: 1 })]),
    ).toEqual([message, { other: 1 }]);
  });

  it('gives an empty list for no values and does not mutate its input', () => {
    expect(prettifyResult([])).toEqual([]);
    const values = [v('Choices', { choices: ['X'] })];
    const before = structuredClone(values);
    prettifyResult(values);
    expect(values).toEqual(before);
  });

  it('treats a one-character string of choices like a one-item list (Python len/index)', () => {
    expect(prettifyResult([v('Choices', { choices: 'Y' })])).toBe('Y');
    expect(prettifyResult([v('Choices', { choices: 'YN' })])).toEqual({ choices: 'YN' });
  });
});
