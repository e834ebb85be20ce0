import { describe, expect, it } from 'vitest';
import {
  compareCodePoints,
  csvCell,
  jsonText,
  pyNumber,
  pyReprOf,
  pyStr,
  pyStringRepr,
  pyTruthy,
  quoteText,
} from './cells.js';

// Expected tokens were produced by CPython 3.11 `csv.writer(quoting=csv.QUOTE_NONNUMERIC)`.
const ROW: unknown[] = [
  'a,b',
  'say "hi"',
  'line1\nline2',
  'tab\there',
  null,
  true,
  false,
  3,
  0.5,
  1e-5,
  0.1 + 0.2,
  -1.5,
  2 ** 60,
  '',
];
const row = (sep: string) => ROW.map((v) => csvCell(v, sep)).join(sep);

describe('csvCell (QUOTE_NONNUMERIC)', () => {
  it('quotes strings and None, leaves numbers and booleans bare', () => {
    expect(row(',')).toBe(
      '"a,b","say ""hi""","line1\nline2","tab\there","",True,False,3,0.5,1e-05,0.30000000000000004,-1.5,1152921504606846976,""',
    );
  });

  it('keeps tabs and newlines inside quoted cells with a tab separator', () => {
    expect(row('\t')).toBe(
      '"a,b"\t"say ""hi"""\t"line1\nline2"\t"tab\there"\t""\tTrue\tFalse\t3\t0.5\t1e-05\t0.30000000000000004\t-1.5\t1152921504606846976\t""',
    );
  });

  it('quotes a bare token that contains the separator, as Python does', () => {
    expect(row('.')).toBe(
      '"a,b"."say ""hi"""."line1\nline2"."tab\there"."".True.False.3."0.5".1e-05."0.30000000000000004"."-1.5".1152921504606846976.""',
    );
    expect(csvCell(true, 'T')).toBe('"True"');
  });

  it('writes undefined like None and objects as their Python str, quoted', () => {
    expect(csvCell(undefined, ',')).toBe('""');
    expect(csvCell({ a: [1, null, true] }, ',')).toBe(`"{'a': [1, None, True]}"`);
    expect(csvCell(['x"y'], ',')).toBe(`"['x""y']"`);
  });
});

describe('quoteText', () => {
  it('doubles quotes and leaves everything else alone', () => {
    expect(quoteText('')).toBe('""');
    expect(quoteText('plain')).toBe('"plain"');
    expect(quoteText('"')).toBe('""""');
    expect(quoteText('a\r\nb,c\td')).toBe('"a\r\nb,c\td"');
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

describe('jsonText', () => {
  it('writes compact JSON, unicode as is', () => {
    expect(jsonText({ a: [1, 'é'], b: null })).toBe('{"a":[1,"é"],"b":null}');
  });
  it('escapes slashes only when asked (ujson compat)', () => {
    expect(jsonText({ url: 'http://x/y' })).toBe('{"url":"http://x/y"}');
    expect(jsonText({ url: 'http://x/y' }, true)).toBe('{"url":"http:\\/\\/x\\/y"}');
    expect(JSON.parse(jsonText({ url: 'a/b' }, true))).toEqual({ url: 'a/b' });
  });
});

describe('pyTruthy', () => {
  it('follows Python truthiness', () => {
    for (const v of [null, undefined, false, 0, '', [], {}]) expect(pyTruthy(v)).toBe(false);
    for (const v of [true, 1, -0.5, 'x', [0], { a: null }]) expect(pyTruthy(v)).toBe(true);
  });
});

describe('compareCodePoints', () => {
  it("sorts like Python's sorted()", () => {
    const names = ['b', 'B', '_data_x', 'a', '\uffff', '\u{1F600}', '\ue000', 'id', 'Z', 'id_2', ''];
    expect([...names].sort(compareCodePoints)).toEqual([
      '',
      'B',
      'Z',
      '_data_x',
      'a',
      'b',
      'id',
      'id_2',
      '\ue000',
      '\uffff',
      '\u{1F600}',
    ]);
  });
});
