import { carryNumberToken, parseLabelConfig, parseTaskJson, stringAt, taskItems } from '@lsconv/core';
import { describe, expect, it } from 'vitest';
import { prettifyResult } from './prettify.js';
import {
  annotatorOf,
  jsonNumberAt,
  jsonWithSpellings,
  pyDateTime,
  pyJsonFloat,
  pyJsonNumber,
  pyNumber,
  pyRepr,
  pyReprJoin,
  pyReprOf,
  pyRound,
  pyStr,
  pyStringRepr,
  pyStrOrJson,
  pyTruthy,
  spellNumber,
} from './python.js';

const BIG = '9007199254740993';

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

  it('spells nested tokens found by their path', () => {
    const nested = parseTaskJson('{"id":1,"data":{"\\u00e9":[[1, 3.0], {"k": [4, 5.0]}]}}', 'python') as any;
    expect(jsonWithSpellings(nested.data['é'], 'ujson')).toBe('[[1,3.0],{"k":[4,5.0]}]');
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

describe('pyRepr', () => {
  it('prints floats as Python does', () => {
    expect([1, 0.5, 1e-5, 1e16, 123456789.5, -0, 1.5e300, 0.0001].map(pyRepr)).toEqual([
      '1.0',
      '0.5',
      '1e-05',
      '1e+16',
      '123456789.5',
      '-0.0',
      '1.5e+300',
      '0.0001',
    ]);
  });
});

describe('pyReprJoin', () => {
  it('joins exactly what pyRepr gives, number by number, on every kind of number', () => {
    const edge = [
      0,
      -0,
      1,
      -1,
      2,
      0.1,
      1e-4,
      9.999e-5,
      1e-5,
      1e16,
      9.99e15,
      1e21,
      123456789.5,
      -0.00012,
      NaN,
      Infinity,
      -Infinity,
      0.30000000000000004,
      5e-324,
    ];
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const lists: number[][] = [[], edge, ...edge.map((n) => [0.5, n, 0.25])];
    for (let i = 0; i < 2000; i++) {
      const scale = 10 ** Math.floor(random() * 24 - 8);
      lists.push(Array.from({ length: 1 + Math.floor(random() * 30) }, () => (random() - 0.3) * scale));
    }
    for (const list of lists) {
      for (const separator of [' ', ',', ', '])
        expect(pyReprJoin(list, separator)).toBe(list.map(pyRepr).join(separator));
    }
  });
});

describe('pyStrOrJson, annotatorOf, pyRound, pyDateTime', () => {
  it('print as Python does', () => {
    expect(pyStr([1])).toBe('[1]');
    expect(pyStr({ a: null })).toBe("{'a': None}");
    expect(pyStrOrJson({ a: null })).toBe('{"a":null}');
    expect([null, true, false, 3, 2.5, 'x', [1]].map(pyStrOrJson)).toEqual([
      'None',
      'True',
      'False',
      '3',
      '2.5',
      'x',
      '[1]',
    ]);
    expect(annotatorOf({ completed_by: { email: 'a@b.c' } as never })).toBe('a@b.c');
    expect(annotatorOf({ completed_by: 7 as never })).toBe('7');
    expect(annotatorOf({ completed_by: 7 as never }, true)).toBe(7);
    expect([0.5, 1.5, 2.5, -2.5, -3.5, 2.4, 2.6].map(pyRound)).toEqual([0, 2, 2, -2, -4, 2, 3]);
    expect(pyDateTime(new Date(Date.UTC(2024, 4, 15, 12, 8, 36, 422)), 'utc')).toBe(
      '2024-05-15 12:08:36.422000',
    );
  });
});

describe('pyNumber', () => {
  it('prints floats like repr(float) and integers without exponent', () => {
    expect(pyNumber(912.131)).toBe('912.131');
    expect(pyNumber(1.5e-7)).toBe('1.5e-07');
    expect(pyNumber(-2.5e-5)).toBe('-2.5e-05');
    expect(pyNumber(1e21)).toBe('1000000000000000000000');
    expect(pyNumber(-7)).toBe('-7');
    expect(pyNumber(123456789.125)).toBe('123456789.125');
  });
});

describe('pyStr / pyReprOf', () => {
  it('matches CPython str() and repr()', () => {
    expect(pyStr('text')).toBe('text');
    expect(pyStr(null)).toBe('None');
    expect(pyStr(false)).toBe('False');
    expect(pyStr(0.25)).toBe('0.25');
    expect(pyReprOf({ a: [1, null, true, "it's"], b: 'x"y', c: 'both \' "' })).toBe(
      `{'a': [1, None, True, "it's"], 'b': 'x"y', 'c': 'both \\' "'}`,
    );
    expect(pyReprOf([])).toBe('[]');
    expect(pyReprOf({})).toBe('{}');
  });

  it('escapes control and non-printable characters like CPython', () => {
    expect(pyStringRepr('\u0000\u00a0\u200b\u{1F600}é\u2028\\\t\n\r\u007f')).toBe(
      "'\\x00\\xa0\\u200b\u{1F600}é\\u2028\\\\\\t\\n\\r\\x7f'",
    );
  });
});

describe('pyTruthy', () => {
  it('follows Python truthiness', () => {
    for (const v of [null, undefined, false, 0, '', [], {}]) expect(pyTruthy(v)).toBe(false);
    for (const v of [true, 1, -0.5, 'x', [0], { a: null }]) expect(pyTruthy(v)).toBe(true);
  });
});
