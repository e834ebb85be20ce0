import { describe, expect, it } from 'vitest';
import { seededRandom } from './test-random.js';
import { chunkedTreebankTokens, isPySpace } from './treebank-chunks.js';
import { treebankTokens } from './treebank-tokenizer.js';

/** The tokens, or the error message, of one tokenizer. */
function outcome(tokenize: (text: string) => unknown): (text: string) => unknown {
  return (text) => {
    try {
      return tokenize(text);
    } catch (error) {
      return { error: String(error) };
    }
  };
}
const general = outcome(treebankTokens);
const chunked = outcome(chunkedTreebankTokens);

function same(text: string): void {
  expect(chunked(text), JSON.stringify(text)).toEqual(general(text));
}

// Pieces that the rules treat specially, and every kind of separator between them.
const PIECES = [
  'a',
  'Bob',
  'x1',
  '_',
  '3',
  '42',
  'cannot',
  'CanNot',
  'gonna',
  'wanna',
  'gimme',
  'lemme',
  'gotta',
  "d'ye",
  "more'n",
  "'tis",
  "'Twas",
  "'t",
  'is',
  'was',
  "don't",
  "I'm",
  "'s",
  "'S",
  "'ll",
  "n't",
  "N'T",
  "'",
  "''",
  "'''",
  '"',
  '""',
  '``',
  '`',
  '.',
  '..',
  '...',
  '....',
  'Corp.',
  'U.S.',
  ',',
  ':',
  '3:4',
  '1,000',
  ';',
  '@',
  '#',
  '$',
  '/',
  '%',
  '&',
  '?',
  '!',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  '<',
  '>',
  '-',
  '--',
  '---',
  'İ',
  'ı',
  'ſ',
  'K',
  'é',
  '😀',
  '\u0301',
  'gımme',
  'cannoт',
];
const SEPARATORS = [
  '',
  '',
  '',
  ' ',
  ' ',
  ' ',
  '  ',
  '\t',
  '\n',
  '\r\n',
  '\u00a0',
  '\u3000',
  '\x1c',
  '\u0085',
];

describe('chunkedTreebankTokens', () => {
  it('gives the same tokens (or the same error) as the whole-text tokenizer on tricky texts', () => {
    const hand = [
      '',
      '   ',
      '"Hello," he said.',
      ' "quoted" ',
      '\t"tab quote"',
      'end with period.  \n',
      'end with period.\n',
      'He said "no."',
      'a: b, c:',
      'a:\n',
      'a,',
      "it's 'tis 'twas",
      "can't cannot gonna wanna\twanna",
      "ends with quote'",
      "'' twice ''",
      "x'' \"y\" ``z''",
      'a . ',
      'a ..',
      "rock 'n' roll",
      'one -- two---three',
      'U.S. Corp. (Acme) [x] {y} <z>',
      'New then "really" didn\'t at to Corp. York',
      // The same chunk last in one text and inside another (the cache keeps them apart).
      'He left. ',
      'left. He',
      'He left.',
      '"a',
      'b "a',
      'b\t"a x',
      // Chunks too long to keep in the cache, twice each.
      `${'x'.repeat(70)}, "${'y'.repeat(70)}." end.`,
      `${'x'.repeat(70)}, "${'y'.repeat(70)}." end.`,
      `a ${'z.'.repeat(40)}`,
      `a ${'z.'.repeat(40)}`,
    ];
    for (const text of hand) same(text);
    const next = seededRandom(20261207);
    let count = 0;
    for (let n = 0; n < 20_000; n++) {
      let text = '';
      const parts = 1 + Math.floor(next() * 8);
      for (let p = 0; p < parts; p++) {
        text += PIECES[Math.floor(next() * PIECES.length)];
        text += SEPARATORS[Math.floor(next() * SEPARATORS.length)];
      }
      same(text);
      count++;
    }
    expect(count).toBe(20_000);
  });

  it('gives the same answer when a text is tokenized again (from the cache)', () => {
    const text = 'She said "it\'s fine," then left.';
    const first = chunkedTreebankTokens(text);
    expect(chunkedTreebankTokens(text)).toEqual(first);
    expect(first).toEqual(treebankTokens(text));
  });

  it('splits on the characters Python calls white space, not on the others', () => {
    const spaces = [...Array(0x3001).keys()].filter(
      (c) => /^\s$/u.test(String.fromCharCode(c)) || c === 0x85,
    );
    for (const c of spaces) same(`a${String.fromCharCode(c)}b "c"`);
    for (const c of [0x1c, 0x1d, 0x1e, 0x1f]) expect(isPySpace(c)).toBe(true);
    for (const c of [0x200b, 0xfeff, 0x180e, 0x21]) expect(isPySpace(c)).toBe(false);
  });
});
