import { describe, expect, it } from 'vitest';
import { taskItems } from './items.js';
import { parseLabelConfig } from './label-config.js';
import {
  carryNumberToken,
  hasNumberTokens,
  jsonNumberAt,
  jsonWithSpellings,
  numberToken,
  parseTaskJson,
  pyJsonFloat,
  pyJsonNumber,
  pyRepr,
  spellNumber,
  stringAt,
} from './numbers.js';
import { prettifyResult } from './prettify.js';
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

describe('writing kept numbers', () => {
  const text = `{"id":${BIG},"data":{"x":80.0,"small":1e-05,"list":[1.0,2.5]},"annotations":[{"id":7,"lead_time":1.0,"result":[{"from_name":"c","to_name":"t","type":"number","value":{"number":3.0}}]}],"agreement":100.0}`;

  it('prints integers as written and floats in the writer spelling', () => {
    const task = parseTaskJson(text, 'python') as Record<string, any>;
    expect(jsonWithSpellings(task.data, 'ujson')).toBe('{"x":80.0,"small":1e-5,"list":[1.0,2.5]}');
    expect(jsonWithSpellings(task.data, 'repr')).toBe('{"x":80.0,"small":1e-05,"list":[1.0,2.5]}');
    expect(jsonWithSpellings(task.data, 'js')).toBe('{"x":80,"small":0.00001,"list":[1,2.5]}');
    expect(jsonWithSpellings({ id: task.id }, 'js')).toBe('{"id":9007199254740992}');
    const holder = { id: task.id };
    carryNumberToken(holder, 'id', task);
    expect(jsonWithSpellings(holder, 'js', 2)).toBe(`{\n  "id": ${BIG}\n}`);
    expect(JSON.stringify({ id: jsonNumberAt(task, 'id') })).toBe(`{"id":${BIG}}`);
    expect(stringAt(task, 'id')).toBe(BIG);
    expect(spellNumber(1, '1.0', 'repr')).toBe('1.0');
    expect(spellNumber(task.id, BIG, 'ujson')).toBe(BIG);
  });

  it('follows result values into their copies (items, prettified values)', () => {
    const task = parseTaskJson(text, 'python') as any;
    const config = parseLabelConfig('<View><Text name="t" value="$t"/><Number name="c" toName="t"/></View>');
    const [item] = taskItems(task, { config, taskIndex: 0 });
    const pretty = prettifyResult(item!.output.c!, true);
    expect(jsonWithSpellings(pretty, 'ujson')).toBe('[{"number":3.0}]');
    expect(JSON.stringify(prettifyResult(item!.output.c!))).toBe('[{"number":3}]');
  });
});

describe('Python float spelling', () => {
  it('pyRepr and the ujson variant', () => {
    const cases: [number, string, string][] = [
      [80, '80.0', '80.0'],
      [1e-5, '1e-05', '1e-5'],
      [1.5e-7, '1.5e-07', '1.5e-7'],
      [1e16, '1e+16', '1e+16'],
      [1e15, '1000000000000000.0', '1000000000000000.0'],
      [1e300, '1e+300', '1e+300'],
      [-0, '-0.0', '-0.0'],
      [0.1 + 0.2, '0.30000000000000004', '0.30000000000000004'],
      [1.2345678901234568e17, '1.2345678901234568e+17', '1.2345678901234568e+17'],
    ];
    for (const [n, repr, ujson] of cases) {
      expect(pyRepr(n)).toBe(repr);
      expect(pyJsonFloat(n)).toBe(ujson);
    }
  });

  it('pyJsonNumber leaves numbers JavaScript spells the same', () => {
    expect(pyJsonNumber(0.5)).toBe(0.5);
    expect(JSON.stringify([pyJsonNumber(128), pyJsonNumber(1e-5), pyJsonNumber(1e-5, 'repr')])).toBe(
      '[128.0,1e-5,1e-05]',
    );
  });
});
