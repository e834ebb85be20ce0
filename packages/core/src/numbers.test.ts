import { describe, expect, it } from 'vitest';
import { hasNumberTokens, numberToken, parseKeepingNumbers, parseTaskJson } from './numbers.js';
import { parseTaskSlice } from './sources/index.js';

const BIG = '9007199254740993';

describe('parseTaskJson', () => {
  it('keeps nothing for a task whose numbers JavaScript holds', () => {
    const text = '{"id":1,"data":{"x":80.0,"y":0.5},"annotations":[{"id":2,"lead_time":1.0,"result":[]}]}';
    for (const mode of ['none', 'exact'] as const) {
      const task = parseTaskJson(text, mode) as Record<string, any>;
      expect(hasNumberTokens(task)).toBe(false);
      expect(task.data.x).toBe(80);
    }
  });

  it('keeps integers beyond 2^53 where the database writes them, and then every other one', () => {
    const text = `{"id":${BIG},"data":{"deep":{"list":[1,12345678901234567890]}},"annotations":[{"id":9007199254740995,"completed_by":9007199254740997,"result":[{"value":{"number":9007199254740999}}]}]}`;
    const task = parseTaskJson(text, 'exact') as Record<string, any>;
    expect(hasNumberTokens(task)).toBe(true);
    expect(task.id).toBe(9007199254740992); // still a plain number to compute with
    expect(numberToken(task, 'id')).toBe(BIG);
    expect(numberToken(task.data.deep.list, 1)).toBe('12345678901234567890');
    expect(numberToken(task.data.deep.list, 0)).toBeUndefined();
    const annotation = task.annotations[0];
    expect(numberToken(annotation, 'id')).toBe('9007199254740995');
    expect(numberToken(annotation, 'completed_by')).toBe('9007199254740997');
    expect(numberToken(annotation.result[0].value, 'number')).toBe('9007199254740999');
  });

  it('looks for big integers in ids, data, annotation fields and history only', () => {
    // Results come from the Label Studio editor (JavaScript): not searched on their own.
    const onlyInResult = '{"id":1,"data":{},"annotations":[{"result":[{"value":{"n":9007199254740993}}]}]}';
    expect(hasNumberTokens(parseTaskJson(onlyInResult, 'exact'))).toBe(false);
    for (const where of [
      `{"id":1,"data":{},"agreement":${BIG}}`,
      `{"data":{},"annotations":[{"lead_time":${BIG}}]}`,
      `{"data":{},"annotations":[{"completed_by":{"id":${BIG}}}]}`,
      `{"data":{},"completions":[{"history":[{"id":${BIG}}]}]}`,
    ])
      expect(hasNumberTokens(parseTaskJson(where, 'exact'))).toBe(true);
  });

  it('under python also keeps the floats Python spells otherwise', () => {
    const text =
      '{"id":1,"data":{"a":80.0,"b":1e-05,"c":0.00001,"d":-0.0,"e":1E+16,"f":0.5,"g":"x 1.0 y","h":100.00,"i":12345.5}}';
    const task = parseTaskJson(text, 'python') as Record<string, any>;
    const d = task.data;
    expect(numberToken(d, 'a')).toBe('80.0');
    expect(numberToken(d, 'b')).toBe('1e-05');
    expect(numberToken(d, 'c')).toBe('0.00001');
    expect(numberToken(d, 'd')).toBe('-0.0');
    expect(numberToken(d, 'e')).toBe('1E+16');
    expect(numberToken(d, 'h')).toBe('100.00');
    expect(numberToken(d, 'f')).toBeUndefined();
    expect(numberToken(d, 'i')).toBeUndefined();
    // `exact` keeps none of them.
    expect(hasNumberTokens(parseTaskJson(text, 'exact'))).toBe(false);
  });

  it('does not take a timestamp or a string for a float', () => {
    const text = '{"id":1,"data":{"t":"2024-01-01T00:00:00.000000Z","s":"v1.0"},"annotations":[]}';
    expect(hasNumberTokens(parseTaskJson(text, 'python'))).toBe(false);
  });

  it('finds each token by its path: escaped keys, strings holding brackets, nesting, spacing', () => {
    const text = `{ "id" : 1, "data" : {
      "a\\"b": 2.0, "s": "[{,:\\"]", "\\u00e9": [ [1, 3.0] , {"k": [4, 5.0]} ],
      "__proto__": 6.0, "dup": 7.0, "dup": 8.0, "n": -0.00001, "i": -12345678901234567890 } }`;
    const task = parseTaskJson(text, 'python') as Record<string, any>;
    const d = task.data;
    expect(numberToken(d, 'a"b')).toBe('2.0');
    expect(numberToken(d['é'][0], 1)).toBe('3.0');
    expect(numberToken(d['é'][0], 0)).toBeUndefined();
    expect(numberToken(d['é'][1].k, 1)).toBe('5.0');
    expect(Object.hasOwn(d, '__proto__')).toBe(true);
    expect(numberToken(d, '__proto__')).toBe('6.0');
    expect(numberToken(d, 'dup')).toBe('8.0'); // the last one, as JSON.parse keeps
    expect(numberToken(d, 'n')).toBe('-0.00001');
    expect(numberToken(d, 'i')).toBe('-12345678901234567890');
  });

  it('keeps tokens in a top-level list and in pretty-printed text', () => {
    const list = parseKeepingNumbers('[\n  1.0,\n  {"a": [\n    2.50,\n    3e2\n  ]}\n]', true) as any[];
    expect(numberToken(list, 0)).toBe('1.0');
    expect(numberToken(list[1].a, 0)).toBeUndefined();
    expect(numberToken(list[1].a, 1)).toBe('3e2');
    expect(hasNumberTokens(list)).toBe(true);
  });

  it('forgets a token once the value changed', () => {
    const task = parseTaskJson(`{"id":${BIG},"data":{}}`, 'exact') as Record<string, any>;
    task.id = 5;
    expect(numberToken(task, 'id')).toBeUndefined();
  });

  it('goes through parseTaskSlice with the mode asked for', () => {
    const bytes = Buffer.from('{"id":1,"data":{"a":2.0}}');
    expect(hasNumberTokens(parseTaskSlice({ bytes, index: 0, offset: 0 }, 'f'))).toBe(false);
    const task = parseTaskSlice({ bytes, index: 0, offset: 0 }, 'f', 'python');
    expect(numberToken(task.data, 'a')).toBe('2.0');
  });
});
