import { describe, expect, it } from 'vitest';
import { type JsonNumber, JsonSyntaxError, parseJsonTree } from './json-value.js';
import { numbersEqual, parseNumberToken, valuesClose } from './numbers.js';

const n = (text: string) => {
  const token = parseNumberToken(text);
  if (!token) throw new Error(`not a number: ${text}`);
  return token;
};

describe('number rule', () => {
  it('reads Python and JSON number spellings, and nothing else', () => {
    expect(n('12').isInteger).toBe(true);
    expect(n('-12').isInteger).toBe(true);
    expect(n('12.0').isInteger).toBe(false);
    expect(n('1e-05').value).toBe(1e-5);
    expect(n('nan').value).toBeNaN();
    expect(n('-inf').value).toBe(-Infinity);
    expect(n('Infinity').value).toBe(Infinity);
    for (const text of ['True', 'False', '', 'abc', '1,5', '0x10', '1.2.3', ' 1'])
      expect(parseNumberToken(text)).toBeUndefined();
  });

  it('compares integers exactly, beyond 2^53 too', () => {
    expect(numbersEqual(n('3'), n('3'))).toBe(true);
    expect(numbersEqual(n('3'), n('4'))).toBe(false);
    expect(numbersEqual(n('9007199254740993'), n('9007199254740992'))).toBe(false);
    expect(numbersEqual(n('12345678901234567890'), n('12345678901234567890'))).toBe(true);
  });

  it('treats 2 and 2.0 as equal', () => {
    expect(numbersEqual(n('2'), n('2.0'))).toBe(true);
    expect(numbersEqual(n('100.0'), n('100'))).toBe(true);
    expect(numbersEqual(n('2'), n('2.5'))).toBe(false);
  });

  it('allows an absolute difference of 1e-6 and a relative one of 1e-9', () => {
    expect(valuesClose(0.1, 0.1 + 9e-7)).toBe(true);
    expect(valuesClose(0.1, 0.1 + 2e-6)).toBe(false);
    expect(valuesClose(1e12, 1e12 + 900)).toBe(true);
    expect(valuesClose(1e12, 1e12 + 2000)).toBe(false);
    expect(numbersEqual(n('0.30000000000000004'), n('0.3'))).toBe(true);
  });

  it('matches NaN with NaN and infinities only with themselves', () => {
    expect(valuesClose(Number.NaN, Number.NaN)).toBe(true);
    expect(valuesClose(Number.NaN, 0)).toBe(false);
    expect(valuesClose(Infinity, Infinity)).toBe(true);
    expect(valuesClose(Infinity, 1e308)).toBe(false);
  });
});

describe('parseJsonTree', () => {
  it('keeps number literals, NaN and key order', () => {
    const tree = parseJsonTree('{"b": 2.0, "a": [1, NaN, -Infinity, 9007199254740993]}');
    expect(tree).toBeInstanceOf(Map);
    const map = tree as Map<string, unknown>;
    expect([...map.keys()]).toEqual(['b', 'a']);
    expect((map.get('b') as JsonNumber).raw).toBe('2.0');
    const list = map.get('a') as JsonNumber[];
    expect(list.map((x) => x.raw)).toEqual(['1', 'NaN', '-Infinity', '9007199254740993']);
  });

  it('decodes escapes like JSON.parse', () => {
    expect(parseJsonTree('"a\\/b \\u041f \\ud83d\\ude80 \\n"')).toBe('a/b П 🚀 \n');
  });

  it('reports where the text is broken', () => {
    expect(() => parseJsonTree('{\n  "a": 1,\n  "b" 2\n}')).toThrow(JsonSyntaxError);
    expect(() => parseJsonTree('{\n  "a": 1,\n  "b" 2\n}')).toThrow(/line 3, column 7/);
    expect(() => parseJsonTree('[1, 2')).toThrow(/expected "," or "]"|end of JSON/);
    expect(() => parseJsonTree('{"a": 1, "a": 2}')).toThrow(/duplicate key/);
    expect(() => parseJsonTree('[1] x')).toThrow(/after the JSON value/);
  });
});
