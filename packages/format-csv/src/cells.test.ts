import { describe, expect, it } from 'vitest';
import { compareCodePoints, csvCell, jsonText, quoteText } from './cells.js';

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
