import type { TreebankToken } from './treebank-tokenizer.js';

/** A labelled character span (a `Labels` region), offsets in code points. */
export interface LabelSpan {
  start: number;
  /** Exclusive end. */
  end: number;
  /** The region's labels; the first one becomes the tag. */
  labels: readonly string[];
  /** Index of the region in the list it came from (for reports). */
  index: number;
}

/** The outcome of tagging one text: tokens, one tag per token, and what was left out. */
export interface TaggedTokens {
  tokens: string[];
  tags: string[];
  /** Indexes of spans that produced at least one tag. */
  written: number[];
  /** Spans that produced no tag, with the reason code. */
  lost: { index: number; code: 'span-not-tagged' | 'overlapping-span' | 'span-outside-tokens' }[];
  /** Tokens cut where a span starts or ends inside them (default mode). */
  cuts?: number;
}

/** A tag, and the end of a CONLL2003 line (`<token> -X- _ <tag>`) that carries it. */
export interface Tag {
  readonly tag: string;
  readonly lineEnd: string;
}

/** Receives each token (or piece of a token) with its tag, in text order. */
export type TagSink = (token: string, tag: Tag) => void;

/** What tagging leaves out and keeps, besides the tokens and tags themselves. */
export type TagOutcome = Omit<TaggedTokens, 'tokens' | 'tags'>;

const tag = (name: string): Tag => ({ tag: name, lineEnd: ` -X- _ ${name}\n` });
const OUTSIDE = tag('O');

/** Label → its B- and I- tags, made once per label. */
const labelTags = new Map<string, { 'B-': Tag; 'I-': Tag }>();

/** The tag `prefix + label`, the same object each time for a label. */
function tagOf(prefix: 'B-' | 'I-', label: string): Tag {
  let both = labelTags.get(label);
  if (both === undefined) {
    // Labels come from the tasks; a config has few, but a task may carry any.
    if (labelTags.size >= 10_000) labelTags.clear();
    both = { 'B-': tag(`B-${label}`), 'I-': tag(`I-${label}`) };
    labelTags.set(label, both);
  }
  return both[prefix];
}

/** Runs a tagging into arrays of tokens and tags. */
function collect<R extends TagOutcome>(run: (sink: TagSink) => R): TaggedTokens {
  const tokens: string[] = [];
  const tags: string[] = [];
  const outcome = run((token, t) => {
    tokens.push(token);
    tags.push(t.tag);
  });
  return { tokens, tags, ...outcome };
}

/**
 * Tags as the Python converter's `create_tokens_and_tags` assigns them, quirks
 * included: spans sorted by start; a token is tagged with the current span when they
 * overlap; the next span is taken only once a token starts after the current one
 * ends, and spans ending before that token are passed over (a span nested in another,
 * or a second span inside one token, is lost). Offsets are code points.
 */
export function pythonTags(tokens: readonly TreebankToken[], spans: readonly LabelSpan[]): TaggedTokens {
  return collect((sink) => pythonTagsInto(tokens, spans, sink));
}

/** {@link pythonTags}, handing each token and tag to `sink` instead of collecting them. */
export function pythonTagsInto(
  tokens: readonly TreebankToken[],
  spans: readonly LabelSpan[],
  sink: TagSink,
): TagOutcome {
  if (spans.length === 0) {
    for (const token of tokens) sink(token.text, OUTSIDE);
    return { written: [], lost: [] };
  }
  // Python's sort is stable, as Array.prototype.sort and sortFew are.
  const sort = allFinite(spans) ? sortFew : sortAll;
  const queue = sort([...spans], (a, b) => a.start - b.start);
  let next = 1;
  let span = queue[0] as LabelSpan;
  let spanStart = span.start;
  let spanEnd = span.end - 1;
  let prefix: 'B-' | 'I-' = 'B-';
  const written = new Set<number>();
  for (const token of tokens) {
    // The reference measures tokens in code points and treats the last character as the end.
    const tokenStart = token.start;
    const tokenEnd = token.end - 1;
    if (tokenStart > spanEnd) {
      while (next < queue.length) {
        span = queue[next++] as LabelSpan;
        spanStart = span.start;
        spanEnd = span.end - 1;
        prefix = 'B-';
        if (tokenStart <= spanEnd) break;
      }
    }
    const label = span.labels[0];
    if (tokenEnd < spanStart || label === undefined) sink(token.text, OUTSIDE);
    else if (spanStart <= tokenEnd && spanEnd >= tokenStart) {
      sink(token.text, tagOf(prefix, label));
      prefix = 'I-';
      written.add(span.index);
    } else sink(token.text, OUTSIDE);
  }
  const lost = spans
    .filter((s) => !written.has(s.index))
    .map((s) => ({ index: s.index, code: 'span-not-tagged' as const }));
  return { written: sort([...written], (a, b) => a - b), lost };
}

/**
 * Tags for lsconv's default mode. Every span that can be written is written:
 * overlapping spans are resolved by keeping the one that starts first (the longer one
 * on a tie) and reporting the others; tokens are cut where a kept span starts or ends
 * inside them, so a label never covers more or less text than was selected; each span
 * gets `B-` on its first token and `I-` on the rest.
 */
export function exactTags(tokens: readonly TreebankToken[], spans: readonly LabelSpan[]): TaggedTokens {
  return collect((sink) => exactTagsInto(tokens, spans, sink));
}

/** {@link exactTags}, handing each piece and tag to `sink` instead of collecting them. */
export function exactTagsInto(
  tokens: readonly TreebankToken[],
  spans: readonly LabelSpan[],
  sink: TagSink,
): TagOutcome {
  const lost: TaggedTokens['lost'] = [];
  const finite = allFinite(spans);
  const sort = finite ? sortFew : sortAll;
  const ordered = sort([...spans], (a, b) => a.start - b.start || b.end - a.end || a.index - b.index);
  const kept: LabelSpan[] = [];
  let keptEnd = Number.NEGATIVE_INFINITY;
  for (const span of ordered) {
    if (span.start < keptEnd) lost.push({ index: span.index, code: 'overlapping-span' });
    else {
      kept.push(span);
      keptEnd = span.end;
    }
  }
  // Cut points strictly inside tokens: the span bounds, sorted once. Tokens come in
  // order, so each token's first cut is found by moving on from the previous token's
  // (by binary search when a token starts before a cut already passed).
  const cuts = finite
    ? cutPoints(kept)
    : [...new Set(kept.flatMap((s) => [s.start, s.end]))].sort((a, b) => a - b);
  const written = new Set<number>();
  let pieces = 0;
  let k = 0;
  let current: LabelSpan | undefined;
  let c = 0;
  // Tags one piece of a token: B- on a span's first piece, I- on the next ones.
  const tagPiece = (text: string, start: number, end: number): void => {
    pieces++;
    while (k < kept.length && (kept[k] as LabelSpan).end <= start) k++;
    const span = kept[k];
    if (span && span.start < end && span.end > start) {
      sink(text, tagOf(span === current ? 'I-' : 'B-', span.labels[0] as string));
      current = span;
      written.add(span.index);
    } else {
      sink(text, OUTSIDE);
      current = undefined;
    }
  };
  for (const token of tokens) {
    if (!finite || (c > 0 && (cuts[c - 1] as number) > token.start)) c = firstAbove(cuts, token.start);
    else while (c < cuts.length && (cuts[c] as number) <= token.start) c++;
    let from = token.start;
    for (; c < cuts.length && (cuts[c] as number) < token.end; c++) {
      const cut = cuts[c] as number;
      tagPiece(sliceToken(token, from, cut), from, cut);
      from = cut;
    }
    tagPiece(from === token.start ? token.text : sliceToken(token, from, token.end), from, token.end);
  }
  for (const span of kept)
    if (!written.has(span.index)) lost.push({ index: span.index, code: 'span-outside-tokens' });
  sort(lost, (a, b) => a.index - b.index);
  return { written: sort([...written], (a, b) => a - b), lost, cuts: pieces - tokens.length };
}

/** The distinct start and end offsets of the spans (finite numbers), ascending. */
function cutPoints(spans: readonly LabelSpan[]): number[] {
  const points: number[] = [];
  for (const span of spans) points.push(span.start, span.end);
  sortFew(points, (a, b) => a - b);
  let n = 0;
  for (const p of points) if (n === 0 || points[n - 1] !== p) points[n++] = p;
  points.length = n;
  return points;
}

type Sort = <T>(items: T[], compare: (a: T, b: T) => number) => T[];

/** Array.prototype.sort, in place. */
const sortAll: Sort = (items, compare) => items.sort(compare);

/**
 * Sorts in place and stably, by insertion for a text's few spans (Array.prototype.sort
 * allocates a work area on every call), else as Array.prototype.sort. Both give the same
 * order when the comparison is consistent, which {@link allFinite} spans make it.
 */
const sortFew: Sort = (items, compare) => {
  if (items.length > 16) return items.sort(compare);
  for (let i = 1; i < items.length; i++) {
    const item = items[i] as (typeof items)[number];
    let j = i - 1;
    for (; j >= 0 && compare(items[j] as typeof item, item) > 0; j--) items[j + 1] = items[j] as typeof item;
    items[j + 1] = item;
  }
  return items;
};

/** Every start, end and index is a finite number (so every comparison of them is consistent). */
function allFinite(spans: readonly LabelSpan[]): boolean {
  for (const s of spans)
    if (!Number.isFinite(s.start) || !Number.isFinite(s.end) || !Number.isFinite(s.index)) return false;
  return true;
}

/** Index of the first value in sorted `values` greater than `n`. */
function firstAbove(values: readonly number[], n: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! > n) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The part of a token between two code point offsets. */
function sliceToken(token: TreebankToken, from: number, to: number): string {
  if (from === token.start && to === token.end) return token.text;
  // Without surrogate pairs, code points are UTF-16 units.
  if (token.text.length === token.end - token.start)
    return token.text.slice(from - token.start, to - token.start);
  return Array.from(token.text)
    .slice(from - token.start, to - token.start)
    .join('');
}
