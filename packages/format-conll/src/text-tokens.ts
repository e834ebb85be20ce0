import { chunkedTreebankTokens } from './treebank-chunks.js';
import { TreebankAlignmentError, type TreebankToken, toCodePointOffsets } from './treebank-tokenizer.js';

const SURROGATE = /[\uD800-\uDFFF]/;

/** One text's tokens (code point offsets), as {@link tokenize} gives them. */
export interface TextTokens {
  readonly text: string;
  readonly tokens: readonly TreebankToken[];
  /** The token the Treebank tokenizer could not align (then the tokens are whitespace ones). */
  readonly unaligned?: string;
  /** Some token starts with -DOCSTART-. */
  readonly docstart: boolean;
}

/** The last text tokenized: the annotations of a task share their text. */
let lastTokens: TextTokens | undefined;

/** The tokens of a text, computed once for consecutive items with the same text. */
export function tokenize(text: string): TextTokens {
  if (lastTokens?.text === text) return lastTokens;
  let tokens: TreebankToken[];
  let unaligned: string | undefined;
  try {
    tokens = chunkedTreebankTokens(text);
  } catch (error) {
    if (!(error instanceof TreebankAlignmentError)) throw error;
    unaligned = error.token;
    tokens = whitespaceTokens(text);
  }
  // Span offsets count code points; JavaScript indexes count UTF-16 units.
  if (SURROGATE.test(text)) tokens = toCodePointOffsets(text, tokens);
  // No token can start with -DOCSTART- when the text does not hold it anywhere.
  const docstart =
    text.includes('-DOCSTART-') && tokens.some((t) => text.slice(t.start, t.end).startsWith('-DOCSTART-'));
  lastTokens = { text, tokens, docstart, ...(unaligned === undefined ? {} : { unaligned }) };
  return lastTokens;
}

/** Tokens split on Python whitespace, for texts the Treebank rules cannot align. */
function whitespaceTokens(text: string): TreebankToken[] {
  const tokens: TreebankToken[] = [];
  for (const m of text.matchAll(
    /[^\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/gu,
  )) {
    tokens.push({ text: m[0], start: m.index, end: m.index + m[0].length });
  }
  return tokens;
}
