/**
 * The Treebank tokens of a text, one whitespace-separated chunk at a time, with the
 * tokens of each chunk kept in a cache. Texts repeat their words, so most chunks are
 * looked up rather than run through the twenty-odd regular expressions again.
 *
 * Why a chunk can be tokenized on its own: no rule matches across white space, and the
 * rules that look past a chunk's edges look at one character only (a literal space
 * before a quote or `'t is`; a literal space, white space or the end after `:`, `,`,
 * `'`, `'s`, `wanna`), except the final-period rule and `$`, which look at the end of
 * the text. So a chunk is tokenized as the text made of the character before it, the
 * chunk, and either the rest of the text (the last chunk) or the character after it
 * and a plain word (any other chunk). A chunk of ASCII letters, digits and `_` that is
 * not a contraction (`cannot`, `gonna`...) is one token: no rule touches it.
 *
 * When a chunk's tokens do not cover it exactly (quote tokens without their quote, the
 * cases where NLTK's span alignment misbehaves or fails), the whole text goes through
 * {@link treebankTokens}, so the results are the same in every case.
 */
import { type TreebankToken, treebankTokens, treebankWords } from './treebank-tokenizer.js';

/**
 * Chunk in context → its tokens, or null when the chunk needs the whole-text path. The key
 * of a chunk other than the last is the character before it (none at the start of the
 * text), the chunk and the character after it; the last chunk's key runs to the end of
 * the text, in its own map.
 */
const middleChunks = new Map<string, readonly string[] | null>();
const lastChunks = new Map<string, readonly string[] | null>();
/** Past this many entries a map starts again (it is per thread; keys are short). */
const CACHE_LIMIT = 50_000;
/** A word no rule changes, placed after a chunk that is not the last one. */
const FILLER = 'x';
/** ASCII words that a contraction rule splits (`cannot` → `can not`). */
const CONTRACTED = new Set(['cannot', 'gimme', 'gonna', 'gotta', 'lemme', 'wanna']);
const QUOTE = /``|''|"/gu;

/** ASCII code → 1 for Python white space, 2 for a letter, digit or `_`, 0 for the rest. */
const ASCII = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  if (c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f)) ASCII[c] = 1;
  else if (/\w/.test(String.fromCharCode(c))) ASCII[c] = 2;
}

/** Python's str.isspace() for a UTF-16 code unit (the set the tokenizer splits on). */
export function isPySpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
  if (c < 0x85) return false;
  return (
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/**
 * The same tokens as {@link treebankTokens}`(text)` (UTF-16 offsets), computed chunk by
 * chunk through the cache.
 *
 * @throws TreebankAlignmentError where {@link treebankTokens} throws.
 */
export function chunkedTreebankTokens(text: string): TreebankToken[] {
  const n = text.length;
  let lastEnd = n;
  while (lastEnd > 0 && isPySpace(text.charCodeAt(lastEnd - 1))) lastEnd--;
  const tokens: TreebankToken[] = [];
  let i = 0;
  while (i < lastEnd) {
    while (isPySpace(text.charCodeAt(i))) i++;
    const start = i;
    let plain = true;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      const kind = c < 128 ? ASCII[c] : isPySpace(c) ? 1 : 0;
      if (kind === 1) break;
      if (kind === 0) plain = false;
    }
    if (plain) {
      const chunk = text.slice(start, i);
      if (!(chunk.length >= 5 && chunk.length <= 6 && CONTRACTED.has(chunk.toLowerCase()))) {
        tokens.push({ text: chunk, start, end: i });
        continue;
      }
    }
    const from = start === 0 ? 0 : start - 1;
    const last = i === lastEnd;
    const cache = last ? lastChunks : middleChunks;
    const key = text.slice(from, last ? n : i + 1);
    let words = cache.get(key);
    if (words === undefined) {
      words = chunkWords(last ? key : key + FILLER, key.slice(start - from, i - from), !last);
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(key, words);
    }
    if (words === null) return treebankTokens(text);
    let at = start;
    for (const w of words) {
      tokens.push({ text: w, start: at, end: at + w.length });
      at += w.length;
    }
  }
  return tokens;
}

/**
 * The tokens of `chunk`, tokenized in its `context` (see the file comment), with
 * converted quotes mapped back; null unless they cover the chunk exactly, one quote
 * token per quote.
 */
function chunkWords(context: string, chunk: string, filler: boolean): readonly string[] | null {
  const words = treebankWords(context);
  if (filler && words.pop() !== FILLER) return null;
  const quotes = chunk.match(QUOTE) ?? [];
  let next = 0;
  let joined = '';
  for (let w = 0; w < words.length; w++) {
    const word = words[w] as string;
    if (word === '"' || word === '``' || word === "''") {
      const quote = quotes[next++];
      if (quote === undefined) return null;
      words[w] = quote;
    }
    joined += words[w];
  }
  return next === quotes.length && joined === chunk ? words : null;
}
