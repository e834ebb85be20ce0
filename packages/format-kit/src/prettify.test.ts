import type { OutputValue } from '@lsconv/core';
import { describe, expect, it } from 'vitest';
import { prettifyResult, prettifyUntyped } from './prettify.js';

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

describe('prettifyUntyped', () => {
  // The same values as prettifyResult's cases, without their type (taskItems' typesAside).
  const cases: [string, Record<string, unknown>[]][] = [
    ['Choices', [{ choices: ['Positive'] }]],
    ['Choices', [{ choices: ['A', 'B'] }]],
    ['Choices', [{ choices: ['A'] }, { choices: ['B'] }]],
    ['Choices', [{ choices: 'Y' }]],
    ['TextArea', [{ text: ['hello'] }]],
    ['TextArea', [{ text: ['a', 'b'] }]],
    ['RectangleLabels', [{ x: 1, y: 2, rectanglelabels: ['Car'], original_width: 640 }]],
    ['chatmessage', [{ chatmessage: { role: 'user', content: 'hi' } }, { other: 1 }]],
    ['Chat', [{ chatmessage: { role: 'assistant', content: 'ok' } }]],
    ['Choices', []],
  ];

  it('gives what prettifyResult gives for the same values with their type', () => {
    for (const [type, values] of cases) {
      const typed = values.map((value) => v(type, value));
      expect(prettifyUntyped(values, type), `${type} ${JSON.stringify(values)}`).toEqual(
        prettifyResult(typed),
      );
    }
  });

  it('hands back the values themselves where nothing collapses, unchanged', () => {
    const rect = { x: 1, y: 2, rectanglelabels: ['Car'] };
    const before = structuredClone(rect);
    const out = prettifyUntyped([rect], 'RectangleLabels') as unknown[];
    expect(out[0]).toBe(rect);
    expect(rect).toEqual(before);
  });
});
