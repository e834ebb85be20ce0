/**
 * A TypeScript re-implementation of NLTK's `TreebankWordTokenizer.span_tokenize`
 * with the punctuation rules that Label Studio's converter patches in (`/` is split
 * off like `;@#$%&`). Written from the rules, not from the Python code: each step is a
 * regular expression with Python `re` semantics (Unicode `\w`, `\d`, `\s` and `\b`,
 * `$` matching before a final newline), applied in the same order.
 */

/** One token: its text and its offsets in the input. */
export interface TreebankToken {
  /** The token as it appears in the text (quotes are never rewritten). */
  text: string;
  /** Start offset in UTF-16 code units (JavaScript string index). */
  start: number;
  /** End offset (exclusive) in UTF-16 code units. */
  end: number;
}

/** Thrown when NLTK itself would fail on a text (it raises `ValueError`/`IndexError`). */
export class TreebankAlignmentError extends Error {
  /** The token that could not be placed back in the text. */
  readonly token: string;
  constructor(token: string, message: string) {
    super(message);
    this.name = 'TreebankAlignmentError';
    this.token = token;
  }
}

// Python's str.isspace() set: `\s` in a `str` pattern and what str.split() splits on.
// It differs from JavaScript's \s (which has U+FEFF but not U+001C..U+001F or U+0085).
const PY_SPACE =
  '[\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
// Python's Unicode \w: str.isalnum() (letters and every numeric character) or "_".
// Combining marks are not word characters in Python, so they are not here either.
const PY_WORD = '[\\p{L}\\p{N}_]';
// Python's `$` without MULTILINE also matches just before a final "\n".
const PY_END = '(?=\\n?$)';

// Python's IGNORECASE also folds these non-ASCII letters onto ASCII ones.
const EXTRA_CASES: Readonly<Record<string, string>> = { i: 'İı', s: 'ſ', k: 'K' };

/** `(?i)` for a literal word, spelled out as character classes. */
function caseless(word: string): string {
  let out = '';
  for (const ch of word) {
    const lower = ch.toLowerCase();
    const upper = ch.toUpperCase();
    if (lower === upper) out += ch === "'" ? "'" : ch;
    else out += `[${lower}${upper}${EXTRA_CASES[lower] ?? ''}]`;
  }
  return out;
}

// A rule: pattern, replacement, and a cheap test that is true whenever the pattern can
// match (most texts have no quotes, brackets or contractions, so most rules are skipped).
type Rule = readonly [RegExp, string, (text: string) => boolean];

const has =
  (...needles: string[]) =>
  (text: string): boolean =>
    needles.some((n) => text.includes(n));
const matches =
  (re: RegExp) =>
  (text: string): boolean =>
    re.test(text);

const STARTING_QUOTES: readonly Rule[] = [
  [/^"/u, '``', has('"')],
  [/(``)/gu, ' $1 ', has('``')],
  [/([ ([{<])("|'')/gu, '$1 `` ', has('"', "''")],
];

// Label Studio's patched list: the stock NLTK list plus "/" in the fourth rule.
const PUNCTUATION: readonly Rule[] = [
  [/([:,])([^\p{Nd}])/gu, ' $1 $2', has(':', ',')],
  [new RegExp(`([:,])${PY_END}`, 'gu'), ' $1 ', has(':', ',')],
  [/\.\.\./gu, ' ... ', has('...')],
  [/[;@#$/%&]/gu, ' $& ', matches(/[;@#$/%&]/)],
  [new RegExp(`([^.])(\\.)([\\]\\)}>"']*)${PY_SPACE}*${PY_END}`, 'gu'), '$1 $2$3 ', has('.')],
  [/[?!]/gu, ' $& ', has('?', '!')],
  [/([^'])' /gu, "$1 ' ", has("' ")],
];

const PARENS_BRACKETS: Rule = [/[\][(){}<>]/gu, ' $& ', matches(/[\][(){}<>]/)];
const DOUBLE_DASHES: Rule = [/--/gu, ' -- ', has('--')];

const ENDING_QUOTES: readonly Rule[] = [
  [/''/gu, " '' ", has("''")],
  [/"/gu, " '' ", has('"')],
  [/([^' ])('[sS]|'[mM]|'[dD]|') /gu, '$1 $2 ', has("'")],
  [/([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) /gu, '$1 $2 ', has("'")],
];

const NOT_WORD_BEFORE = `(?<!${PY_WORD})`;
const NOT_WORD_AFTER = `(?!${PY_WORD})`;

// MacIntyre's contractions, as NLTK's Treebank tokenizer applies them (CONTRACTIONS2
// and CONTRACTIONS3; CONTRACTIONS4 is disabled there too).
const CONTRACTION_PAIRS = [
  ['can', 'not', NOT_WORD_BEFORE, NOT_WORD_AFTER],
  ['d', "'ye", NOT_WORD_BEFORE, NOT_WORD_AFTER],
  ['gim', 'me', NOT_WORD_BEFORE, NOT_WORD_AFTER],
  ['gon', 'na', NOT_WORD_BEFORE, NOT_WORD_AFTER],
  ['got', 'ta', NOT_WORD_BEFORE, NOT_WORD_AFTER],
  ['lem', 'me', NOT_WORD_BEFORE, NOT_WORD_AFTER],
  ['more', "'n", NOT_WORD_BEFORE, NOT_WORD_AFTER],
  ['wan', 'na', NOT_WORD_BEFORE, `(?=${PY_SPACE})`],
  ["'t", 'is', ' ', NOT_WORD_AFTER],
  ["'t", 'was', ' ', NOT_WORD_AFTER],
] as const;

const always = (): boolean => true;
const CONTRACTIONS: readonly Rule[] = CONTRACTION_PAIRS.map(
  ([a, b, before, after]): Rule => [
    new RegExp(`${before}(${caseless(a)})(${caseless(b)})${after}`, 'gu'),
    ' $1 $2 ',
    always,
  ],
);
// True whenever some contraction rule can match: one scan instead of ten.
const ANY_CONTRACTION = new RegExp(
  CONTRACTION_PAIRS.map(([a, b]) => caseless(a) + caseless(b)).join('|'),
  'u',
);

const SPLIT = new RegExp(`${PY_SPACE}+`, 'u');

function applyRules(text: string, rules: readonly Rule[]): string {
  let out = text;
  for (const [re, replacement, gate] of rules) if (gate(out)) out = out.replace(re, replacement);
  return out;
}

/**
 * The token strings of `TreebankWordTokenizer().tokenize(text)` with Label Studio's
 * punctuation patch. Double quotes come back as ``` `` ``` and `''`, as NLTK returns them.
 */
export function treebankWords(text: string): string[] {
  let t = applyRules(text, STARTING_QUOTES);
  t = applyRules(t, PUNCTUATION);
  t = applyRules(t, [PARENS_BRACKETS, DOUBLE_DASHES]);
  t = ` ${t} `;
  t = applyRules(t, ENDING_QUOTES);
  if (ANY_CONTRACTION.test(t)) t = applyRules(t, CONTRACTIONS);
  return t.split(SPLIT).filter((w) => w !== '');
}

/**
 * Tokens and offsets as `TreebankWordTokenizer().span_tokenize(text)` gives them
 * (with Label Studio's punctuation patch): the converted quote tokens are mapped
 * back to the quotes of the text, then each token is searched from the end of the
 * previous one. Offsets are JavaScript string indices; use {@link toCodePointOffsets}
 * for Python's.
 *
 * @throws TreebankAlignmentError where NLTK raises too (a token that cannot be found).
 */
export function treebankTokens(text: string): TreebankToken[] {
  let words = treebankWords(text);
  if (text.includes('"') || text.includes("''")) {
    const quotes = Array.from(text.matchAll(/``|''|"/gu), (m) => m[0]);
    let next = 0;
    words = words.map((w) => {
      if (w !== '"' && w !== '``' && w !== "''") return w;
      const q = quotes[next++];
      if (q === undefined)
        throw new TreebankAlignmentError(w, `quote token ${w} has no matching quote in the text`);
      return q;
    });
  }
  const tokens: TreebankToken[] = [];
  let point = 0;
  for (const w of words) {
    const start = text.indexOf(w, point);
    if (start < 0) throw new TreebankAlignmentError(w, `token ${JSON.stringify(w)} not found in the text`);
    point = start + w.length;
    tokens.push({ text: w, start, end: point });
  }
  return tokens;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * Converts JavaScript string offsets of `text` to code point offsets (Python string
 * indices, which Label Studio's span `start`/`end` use). Returns the input unchanged
 * when the text has no characters outside the Basic Multilingual Plane.
 */
export function toCodePointOffsets(text: string, tokens: readonly TreebankToken[]): TreebankToken[] {
  if (!SURROGATE.test(text)) return tokens.map((t) => ({ ...t }));
  const cp = codePointIndex(text);
  return tokens.map((t) => ({ text: t.text, start: cp[t.start] ?? 0, end: cp[t.end] ?? 0 }));
}

/** For each UTF-16 index 0..length, the code point index it falls on. */
export function codePointIndex(text: string): Uint32Array {
  const map = new Uint32Array(text.length + 1);
  let cp = 0;
  for (let i = 0; i < text.length; i++) {
    map[i] = cp;
    const c = text.charCodeAt(i);
    // A high surrogate followed by a low one is one code point.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        map[i + 1] = cp;
        i++;
      }
    }
    cp++;
  }
  map[text.length] = cp;
  return map;
}
