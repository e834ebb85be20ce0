import { describe, expect, it } from 'vitest';
import { toCodePointOffsets, treebankTokens, treebankWords } from './treebank-tokenizer.js';

/*
 * Expected tokens are written by hand in a small notation, from NLTK's Treebank rules
 * (with Label Studio's patched punctuation list), one category per rule:
 *
 *   - whitespace (Python's str.isspace() set) separates tokens and is not part of them;
 *   - `|` marks a token boundary without whitespace in the text, and is removed.
 *
 * So `I do|n't know|.` means the text `I don't know.` gives `I`, `do`, `n't`, `know`, `.`,
 * and the expected spans are the positions of those pieces in the text (code points,
 * as Python counts). No case contains a real `|`.
 */

const PY_SPACE = new Set([
  '\t',
  '\n',
  '\v',
  '\f',
  '\r',
  '\x1c',
  '\x1d',
  '\x1e',
  '\x1f',
  ' ',
  '\x85',
  '\xa0',
  '\u1680',
  '\u2000',
  '\u2001',
  '\u2002',
  '\u2003',
  '\u2004',
  '\u2005',
  '\u2006',
  '\u2007',
  '\u2008',
  '\u2009',
  '\u200a',
  '\u2028',
  '\u2029',
  '\u202f',
  '\u205f',
  '\u3000',
]);

interface Expected {
  text: string;
  tokens: string[];
  spans: [number, number][];
}

/** Reads the notation: text, tokens and code point spans. */
function parse(notation: string): Expected {
  let text = '';
  let pos = 0;
  const tokens: string[] = [];
  const spans: [number, number][] = [];
  let current = '';
  let start = 0;
  const flush = () => {
    if (current !== '') {
      tokens.push(current);
      spans.push([start, pos]);
    }
    current = '';
  };
  for (const ch of notation) {
    if (ch === '|') {
      flush();
      continue;
    }
    if (PY_SPACE.has(ch)) {
      flush();
    } else {
      if (current === '') start = pos;
      current += ch;
    }
    text += ch;
    pos++;
  }
  flush();
  return { text, tokens, spans };
}

function check(notation: string): void {
  const { text, tokens, spans } = parse(notation);
  const got = toCodePointOffsets(text, treebankTokens(text));
  expect(
    got.map((t) => t.text),
    JSON.stringify(text),
  ).toEqual(tokens);
  expect(
    got.map((t) => [t.start, t.end]),
    JSON.stringify(text),
  ).toEqual(spans);
}

// ---------------------------------------------------------------------------
// Hand-written cases, by rule.
// ---------------------------------------------------------------------------

const WHITESPACE = [
  'Hello world',
  'one',
  '  leading and trailing  ',
  'two  spaces',
  'tab\tseparated\twords',
  'line\nbreaks\nhere',
  'windows\r\nline end',
  'no\u00a0break space',
  'ideographic\u3000space',
  'em\u2003space',
  'next\u0085line',
  'file\x1cseparator',
  'zero\u200bwidth-space-is-not-space',
  'byte\ufefforder-mark-is-not-space',
  'narrow\u202fno-break',
  '',
  '   ',
  '\n\n',
];

const FINAL_PERIOD = [
  'He left|.',
  'He left|. ',
  'He left|.\n',
  'He left|.  \n ',
  'Dr. Smith arrived|.',
  'It costs 3.5|.',
  'U.S|.',
  'A.B.C. went home|.',
  'Mr. and Mrs|.',
  'e.g|.',
  'First line.\nSecond line|.',
  'He said (|hello|)|.',
  'He said (|hello|.|)',
  'The end|.|]',
  'The end|.|}',
  'The end|.|>',
  "The end|.|'",
  'The end|.|)|)',
  'The end .',
  '.',
  ' .',
  '..',
  'Hi..',
  '3.14',
  'pi is 3.14|.',
  'version 1.2.3|.',
  'www.example.com',
  'Visit www.example.com|.',
  'ends with a dot. but continues',
  'x|.',
];

const ELLIPSIS = [
  'Well|... I think so',
  '...|and then',
  'a|...|b|...|c',
  'Wait . . . what',
  'Hmm\u2026',
  'Wait|...|.',
  'So|...|..',
  'He paused|...|...',
  '...',
  'and so on|...',
  'Really|...|?',
];

const COMMA_COLON = [
  'Hello|, world',
  '1,000 people',
  'a|,|b',
  '3|,|a',
  'a,1',
  'Time|: 10:30',
  'Ends with comma|,',
  'Ends with colon|:',
  'comma|,\nnext',
  'a|,|,b',
  'x|,|,|,',
  'He said|: go',
  'ratio 3:1',
  'ratio 3|:|a',
  'a|:|b',
  '12|:',
  'x,\u0663',
  'x|,|\u00b2',
  '\uff11,\uff10\uff10\uff10',
  'Paris|, France|, and Rome|,',
  'I|, too|, agree|.',
  'Note|:|see',
  'a ,|b',
  '1,2,3',
  '1,2|,|a',
  'a|: 1',
  'at 9:00|, then 10:15|.',
];

const SPECIAL = [
  'and|/|or',
  'http|:|/|/|example.com|/|path',
  '50|%',
  '$|100',
  '#|hashtag',
  'user|@|example.com',
  'A|&|B',
  'Q|&|A|;',
  '1|/|2',
  "AT|&|T|'s",
  'US|$|5',
  '\u00a35',
  '\u20ac20',
  '\u00a51000',
  '$|3.88',
  '5|$',
  'a|;|b|;|c',
  '~tilde',
  'a*b',
  'a+b=c',
  'a_b',
  'a-b',
  '50 % off',
  'C|#',
  'F|#|m',
  '@|user|: hi',
  'path|/|to|/|file.txt',
  'path|/|to|/|file|.',
  '\u20b9500',
  '100\u20ac',
];

const QUESTION_EXCLAMATION = [
  'Really|?',
  'What|?|!',
  'Hi|!|!|!',
  '\u00bfQu\u00e9|?',
  '\u00a1Hola|!',
  'Is it|?|Yes|.',
  'Wow|!|Amazing',
  '?',
  'Why|? Because|.',
  'Really|?|.',
  'interrobang\u203d',
  '!|important',
];

const BRACKETS = [
  '(|a|)',
  '[|b|]',
  '{|c|}',
  '<|d|>',
  'f|(|x|)',
  '(|(|nested|)|)',
  'a|<|b',
  'x|>|y',
  '-|>',
  '<|--',
  '(|1999|)',
  '[|citation needed|]',
  '(|see above|.|)',
  '(|a|, b|)',
  '<|br|/|>',
  'array|[|0|]',
];

const DASHES = [
  'well|--|maybe',
  'a|--|-b',
  'a|--|--|b',
  'twenty-one',
  'a\u2013b',
  'a\u2014b',
  '-5',
  '--',
  'Hello -- world',
  'end|--',
];

const DOUBLE_QUOTES = [
  '"|Hello|"',
  'He said "|yes|"',
  'He said "|yes|.|"',
  '"|Yes|,|" he said|.',
  'a|"|b|"|c',
  '(|"|quoted|"|)',
  "''|Single double|''",
  "``|Hello|''",
  'She said "|"',
  'x "|" y',
  '"',
  'The "|best|" and "|worst|"',
  '[|\u201ccurly\u201d|]',
  '\u201cCurly quotes\u201d stay',
  '"|Hi|!|" she said',
  'He said|, "|No way|.|"',
  'a "|b',
  '"|a|" "|b|"',
  'it|\'s "|fine|"',
  '[|"|x|"|]',
  '{|"|y|"|}',
  '<|"|z|"|>',
  "it was ''|good|''",
  "say ``|hi|''",
  // The corner cases of NLTK issues #2076 and #1750 (fixed upstream in PR #2877).
  "''|good muffins|\"",
  "''|Hello|'|\"",
];

const SINGLE_QUOTES = [
  "rock 'n|' roll",
  "'Hello|'",
  "the '90s",
  "students|' books",
  "James|' car",
  "'s",
  "n't",
  "y'all",
  "o'clock",
  "O'Neil|'s",
  "ma'am",
  "y'know",
  "'quoted|' word",
  'Don\u2019t',
];

const CONTRACTIONS = [
  "I do|n't know",
  "I do|n't|.",
  "I do|n't",
  "do|n't|, right",
  "DO|N'T",
  "DoN't",
  "They'Re",
  "John|'s book",
  "Jones|'s",
  "It|'s|!",
  "should|'ve",
  "shouldn't|'ve",
  'can|not',
  'Can|not',
  'CAN|NOT',
  'gim|me',
  'gon|na',
  'got|ta',
  'lem|me',
  "more|'n",
  "d|'ye",
  'wan|na go',
  'wan|na',
  'wan|na|.',
  'wannabe',
  'gonnabe',
  "'t|is",
  "'T|was",
  "'t|is the season",
  'Gon|na',
  'GON|NA',
  'lemme_x',
  'cannot5',
  'cannot\u00e1',
  'can|not|.',
  'gim|me|!',
  'x-|can|not',
  '\u00f1cannot',
  '\u0663cannot',
  'can|not|\u0301',
  "'t|is|n't",
  'Whaddya',
  'whatcha',
  "I|'m here",
  "I|'M HERE",
  "she|'d go",
  "SHE|'D GO",
  "he|'s",
  "It|'S",
  "we|'ll",
  "WE|'LL",
  "they|'re",
  "THEY|'RE",
  "I|'ve",
  "I|'VE",
  "we|'ll|.",
  "you|'re|?",
];

const NUMBERS = [
  '10,000.50',
  '$|10,000.50',
  '-3.5',
  '+1',
  '1e10',
  '50|%|.',
  '\u20ac100,000',
  '5\u00a2',
  '1,000,000|.',
  '12:30pm',
  '3:30|,',
  '0.5|%',
  '#|1',
  '1|/|2|/|2020',
];

const UNICODE = [
  '\u041f\u0440\u0438\u0432\u0435\u0442|, \u043c\u0438\u0440|!',
  '\u00c7a va|? Tr\u00e8s bien|.',
  '\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8\u3002',
  '\u6211\u7231\u5317\u4eac\u3002',
  '\u4f60\u597d\uff0c\u4e16\u754c',
  '\u4e2d\u6587|, English',
  'Stra\u00dfe|.',
  'na\u00efve caf\u00e9',
  'emoji \u{1F600} here',
  '\u{1F600}|.',
  'I \u2764\ufe0f NY',
  'Arabic|: \u0645\u0631\u062d\u0628\u0627|.',
  '\u05e2\u05d1\u05e8\u05d9\u05ea|, \u05e9\u05dc\u05d5\u05dd',
  '\u0928\u092e\u0938\u094d\u0924\u0947 \u0926\u0941\u0928\u093f\u092f\u093e\u0964',
  "cafe\u0301|'s",
  '\u{1F600}\u{1F601}|, ok',
  '\u{1D400}bold|?',
  '(|\u{1F600}|)',
  '\u00e9t\u00e9|, hiver|.',
  '\u0130stanbul|.',
  '\u3053\u3093\u306b\u3061\u306f|!',
  '\uc548\ub155\ud558\uc138\uc694|?',
  '\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35',
  '\u00bbQuelle\u00ab',
  '\u00abQuelle\u00bb',
];

// Non-BMP characters shift UTF-16 offsets but not Python's; checked in code units too.
const UTF16: [string, [number, number][]][] = [
  [
    'emoji \u{1F600} here',
    [
      [0, 5],
      [6, 8],
      [9, 13],
    ],
  ],
  [
    '\u{1F600}.',
    [
      [0, 2],
      [2, 3],
    ],
  ],
];

const SENTENCES = [
  'EU rejects German call to boycott British lamb|.',
  'Peter Blackburn visited New York City on Monday|, then flew to Paris|.',
  'Good muffins cost $|3.88\nin New York.  Please buy me\ntwo of them.\nThanks|.',
  'Good muffins cost $|3.88\nin New (|York|)|.  Please (|buy|) me\ntwo of them.\n(|Thanks|)|.',
  "They|'ll save and invest more|.",
  "hi|, my name ca|n't hello|,",
  "The plane|, bound for St Petersburg|, crashed in Egypt|'s Sinai desert just 23 minutes after take-off from Sharm el-Sheikh on Saturday|.",
  'I said|, "|I|\'d like to buy some ||\'\'|good muffins|"| which cost $|3.88\n each in New (|York|)|.|"',
  'Apple Inc. is based in Cupertino|, California|.',
  'Barack Obama was born in Hawaii. He was president|.',
  'The meeting is at 10:30 in room 4B|.',
  'She bought 3 apples|, 2 pears|, and 1,000 grapes|.',
  'Email me at john|@|doe.com or call 555-1234|.',
  'The price rose 5|% to $|20|.',
  'Is this the real life|? Is this just fantasy|?',
  "Do|n't stop me now|!",
  'The U.N. met in Geneva|.',
  "It|'s a dog|'s life|.",
  'The temperature was -5 degrees|.',
  'He scored 3|/|4 on the test|.',
  'Smith & Wesson',
  'Smith|&|Wesson',
  "We|'re going to the U.S|.",
  'Call 1-800-FLOWERS now|!',
  "I ca|n't believe it|'s not butter|!",
  "You|'ve got mail|.",
  'Room (|see map|) is closed|;| use the stairs|.',
  'Results|: good|.',
  'In 2020|, COVID-19 spread worldwide|.',
  "Let|'s go|!",
  'lem|me see that|.',
  "I|'m gon|na do it|.",
  'We got|ta go|.',
  'Give it to me|; now|!',
  'A|/|B testing',
  'New York-based firm',
  'Los Angeles|, CA 90001',
  'The file is at C|:|\\Users\\me',
  'Prices|: $|5|, $|10|, and $|15|.',
  'Tweet|: #|love #|peace @|friend',
  "Rock'n'roll",
  'This is -- I think -- true|.',
  'The 1990s were great|.',
  "The '90s were great|.",
  'He said|: "|Stop|!|"',
  'Q1|: revenue up|.',
  'Mix of (|brackets|)|, [|squares|] and {|braces|}|.',
  'Ellipsis at end|...',
  'Question at end|?',
  'Exclamation at end|!',
  'Semicolon at end|;',
  'Nested "|quotes|" (|and parens|)|.',
  'Multiple   spaces   between words|.',
  'Trailing newline|.\n',
  'Tabs\tand\tnewlines\nmixed|.',
  'Numbers like 1,234 and 5.678 stay|.',
  'Time 12:00|, date 2020|/|01|/|01|.',
  'the end of the U.S|.',
];

const ALL: Record<string, readonly string[]> = {
  whitespace: WHITESPACE,
  'final period': FINAL_PERIOD,
  ellipsis: ELLIPSIS,
  'commas and colons': COMMA_COLON,
  'special characters ;@#$/%&': SPECIAL,
  'question and exclamation marks': QUESTION_EXCLAMATION,
  brackets: BRACKETS,
  dashes: DASHES,
  'double quotes': DOUBLE_QUOTES,
  'single quotes': SINGLE_QUOTES,
  contractions: CONTRACTIONS,
  'numbers and currency': NUMBERS,
  unicode: UNICODE,
  sentences: SENTENCES,
};

// ---------------------------------------------------------------------------
// Generated cases: one rule, many words. The expectation is written per rule.
// ---------------------------------------------------------------------------

const NT_BASES = [
  'do',
  'does',
  'did',
  'is',
  'are',
  'was',
  'were',
  'has',
  'have',
  'had',
  'could',
  'would',
  'should',
  'might',
  'must',
  'need',
  'ai',
  'ca',
  'wo',
  'sha',
  'dare',
  'ought',
];
const NT_FRAMES = ['I {} know', 'I {}|.', 'Why {}|?', '{}|, then'];

const CLITICS = ["'ll", "'re", "'ve", "'s", "'m", "'d", "'S", "'M", "'D", "'LL", "'RE", "'VE"];
const SUBJECTS = ['we', 'they', 'I', 'it'];

const PERIOD_WORDS = [
  'home',
  'London',
  'yesterday',
  '42',
  'ok',
  'caf\u00e9',
  '\u041c\u043e\u0441\u043a\u0432\u0430',
  'A1',
  'x_y',
  'end-to-end',
];
const PERIOD_FRAMES = ['Go {}|.', '(|see {}|.|)', '[|{}|.|]', "'{}|.|'"];

const SPECIAL_CHARS = [';', '@', '#', '$', '/', '%', '&', '?', '!', '(', ')', '[', ']', '{', '}', '<', '>'];
const SPECIAL_FRAMES = ['a|{}|b', '{}|start', 'end|{}', 'x {} y'];

const COMMA_PAIRS: [string, string, string][] = [];
for (const p of [',', ':']) {
  for (const before of ['a', '7', '\u00e9']) {
    COMMA_PAIRS.push([`${before}${p}9`, `${before}${p}9`, 'digit after: kept']);
    COMMA_PAIRS.push([`${before}${p}z`, `${before}|${p}|z`, 'letter after: split']);
    COMMA_PAIRS.push([`${before}${p} z`, `${before}|${p} z`, 'space after: split']);
  }
}

function fill(frame: string, word: string): string {
  return frame.replace('{}', word);
}

const GENERATED: Record<string, string[]> = {
  "n't contractions": NT_BASES.flatMap((b) => NT_FRAMES.map((f) => fill(f, `${b}|n't`))),
  clitics: SUBJECTS.flatMap((s) => CLITICS.map((c) => `${s}|${c} go`)),
  'final period after words': PERIOD_WORDS.flatMap((w) => PERIOD_FRAMES.map((f) => fill(f, w))),
  'special characters between words': SPECIAL_CHARS.flatMap((c) => SPECIAL_FRAMES.map((f) => fill(f, c))),
  'commas and colons before digits and letters': COMMA_PAIRS.map(([, notation]) => notation),
};

describe('Treebank tokenizer (NLTK rules with Label Studio punctuation)', () => {
  for (const [category, cases] of Object.entries(ALL)) {
    describe(category, () => {
      it.each(cases.map((c) => [JSON.stringify(c), c]))('%s', (_name, notation) => check(notation));
    });
  }
  for (const [category, cases] of Object.entries(GENERATED)) {
    describe(category, () => {
      it.each(cases.map((c) => [JSON.stringify(c), c]))('%s', (_name, notation) => check(notation));
    });
  }

  it('counts at least 300 cases', () => {
    const total = [...Object.values(ALL), ...Object.values(GENERATED)].reduce(
      (n, list) => n + list.length,
      0,
    );
    expect(total).toBeGreaterThanOrEqual(300);
  });

  it('gives UTF-16 offsets before conversion', () => {
    for (const [text, spans] of UTF16) {
      expect(treebankTokens(text).map((t) => [t.start, t.end])).toEqual(spans);
    }
  });

  it('returns the converted quotes from treebankWords, like NLTK tokenize()', () => {
    expect(treebankWords('He said "yes."')).toEqual(['He', 'said', '``', 'yes', '.', "''"]);
    expect(treebankWords('"Hi"')).toEqual(['``', 'Hi', "''"]);
  });

  it('matches the span examples of NLTK documentation', () => {
    const s = 'Good muffins cost $3.88\nin New (York).  Please (buy) me\ntwo of them.\n(Thanks).';
    expect(treebankTokens(s).map((t) => [t.start, t.end])).toEqual([
      [0, 4],
      [5, 12],
      [13, 17],
      [18, 19],
      [19, 23],
      [24, 26],
      [27, 30],
      [31, 32],
      [32, 36],
      [36, 37],
      [37, 38],
      [40, 46],
      [47, 48],
      [48, 51],
      [51, 52],
      [53, 55],
      [56, 59],
      [60, 62],
      [63, 68],
      [69, 70],
      [70, 76],
      [76, 77],
      [77, 78],
    ]);
  });

  it('places repeated tokens left to right', () => {
    expect(treebankTokens('a "a" a').map((t) => [t.text, t.start, t.end])).toEqual([
      ['a', 0, 1],
      ['"', 2, 3],
      ['a', 3, 4],
      ['"', 4, 5],
      ['a', 6, 7],
    ]);
  });
});
