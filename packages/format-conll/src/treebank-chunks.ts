/**
 * The Treebank tokens of a text, one whitespace-separated chunk at a time, with the
 * tokens of each chunk kept in a cache. Texts repeat their words, so most chunks are
 * looked up rather than run through the twenty-odd regular expressions again.
 *
 * Why a chunk's tokens can be kept: no rule matches across white space, and the rules
 * that look past a chunk's edges look at one character only (a literal space before a
 * quote or `'t is`; a literal space, white space or the end after `:`, `,`, `'`, `'s`,
 * `wanna`), except the final-period rule and `$`, which look at the end of the text. So
 * a chunk has the same tokens wherever it stands between the same two characters, or,
 * for the last chunk, before the same end of the text: the cache key holds exactly that.
 * A chunk of ASCII letters, digits and `_` that is not a contraction (`cannot`,
 * `gonna`...) is one token: no rule touches it.
 *
 * A text with a chunk not in the cache goes through {@link treebankTokens} whole, and the
 * tokens of its new chunks are taken from the result, where they cover the chunk exactly.
 */
import { type TreebankToken, treebankTokens } from './treebank-tokenizer.js';

/**
 * Chunk in context → its tokens (converted quotes mapped back to the text's). The key
 * of a chunk other than the last is the character before it (none at the start of the
 * text), the chunk and the character after it; the last chunk's key runs to the end of
 * the text, in its own map.
 */
const middleChunks = new Map<string, readonly string[]>();
const lastChunks = new Map<string, readonly string[]>();
/**
 * Past this many entries a map starts again (it is per thread). 10,000 keeps the hits of a
 * real vocabulary's common words: with 50,000, CONLL2003 on 1,000,000 generated tasks peaked
 * at 260 MB on two threads, with 10,000 at 241 MB, in the same time.
 */
const CACHE_LIMIT = 10_000;
/** Keys longer than this are not kept, so the cache holds a few megabytes at most. */
const KEY_LIMIT = 64;
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
 * New chunks of a text taken into the cache from its tokens: a few, so that a text of
 * words seen before is cheap, while texts of new words each cost little more than the rules.
 */
const LEARN_LIMIT = 2;

/** The chunk {@link scanChunk} found: its bounds, and whether it is a token as it is. */
const found = { start: 0, end: 0, word: false };

/** Finds the chunk at or after `i`, which must lie before the text's trailing white space. */
function scanChunk(text: string, i: number): void {
  while (isPySpace(text.charCodeAt(i))) i++;
  const start = i;
  let plain = true;
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const kind = c < 128 ? ASCII[c] : isPySpace(c) ? 1 : 0;
    if (kind === 1) break;
    if (kind === 0) plain = false;
  }
  found.start = start;
  found.end = i;
  found.word =
    plain && !(i - start >= 5 && i - start <= 6 && CONTRACTED.has(text.slice(start, i).toLowerCase()));
}

/** The cache key of the chunk `found` (see {@link middleChunks}). */
function keyOf(text: string, lastEnd: number): string {
  const from = found.start === 0 ? 0 : found.start - 1;
  return text.slice(from, found.end === lastEnd ? text.length : found.end + 1);
}

function store(cache: Map<string, readonly string[]>, key: string, words: readonly string[]): void {
  // A long chunk (a URL, a text without spaces) seldom comes again; keeping it would only
  // hold memory.
  if (key.length > KEY_LIMIT) return;
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, words);
}

/**
 * The same tokens as {@link treebankTokens}`(text)` (UTF-16 offsets), computed chunk by
 * chunk through the cache. A text with a chunk not in the cache goes through the rules
 * whole, and the tokens of a few of its new chunks are taken into the cache.
 *
 * @throws TreebankAlignmentError where {@link treebankTokens} throws.
 */
export function chunkedTreebankTokens(text: string): TreebankToken[] {
  let lastEnd = text.length;
  while (lastEnd > 0 && isPySpace(text.charCodeAt(lastEnd - 1))) lastEnd--;
  const tokens: TreebankToken[] = [];
  for (let i = 0; i < lastEnd; ) {
    scanChunk(text, i);
    const { start, end, word } = found;
    i = end;
    if (word) {
      tokens.push({ text: text.slice(start, end), start, end });
      continue;
    }
    const last = end === lastEnd;
    const cache = last ? lastChunks : middleChunks;
    const key = keyOf(text, lastEnd);
    const words = cache.get(key);
    if (words === undefined) return learnChunks(text, lastEnd, start);
    let at = start;
    for (const w of words) {
      tokens.push({ text: w, start: at, end: at + w.length });
      at += w.length;
    }
  }
  return tokens;
}

/**
 * {@link treebankTokens}`(text)`, and the tokens of up to {@link LEARN_LIMIT} chunks not
 * yet in the cache, from the one at `from` on, taken from it where they cover the chunk
 * exactly with one quote token per quote.
 */
function learnChunks(text: string, lastEnd: number, from: number): TreebankToken[] {
  const tokens = treebankTokens(text);
  let t = 0;
  let learnt = 0;
  for (let i = from; i < lastEnd && learnt < LEARN_LIMIT; ) {
    scanChunk(text, i);
    const { start, end, word } = found;
    i = end;
    if (word) continue;
    const cache = end === lastEnd ? lastChunks : middleChunks;
    const key = keyOf(text, lastEnd);
    while (t < tokens.length && (tokens[t] as TreebankToken).start < start) t++;
    if (cache.has(key)) continue;
    const words: string[] = [];
    let at = start;
    let quotes = 0;
    for (; t < tokens.length && (tokens[t] as TreebankToken).start === at; t++) {
      const token = tokens[t] as TreebankToken;
      words.push(token.text);
      at = token.end;
      if (token.text === '"' || token.text === '``' || token.text === "''") quotes++;
    }
    if (at === end && quotes === (text.slice(start, end).match(QUOTE)?.length ?? 0)) {
      store(cache, key, words);
      learnt++;
    }
  }
  return tokens;
}
