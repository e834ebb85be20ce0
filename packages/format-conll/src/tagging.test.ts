import { describe, expect, it } from 'vitest';
import { exactTags, type LabelSpan, pythonTags } from './tagging.js';
import { seededRandom } from './test-random.js';
import { type TreebankToken, toCodePointOffsets, treebankTokens } from './treebank-tokenizer.js';

const tok = (text: string) => toCodePointOffsets(text, treebankTokens(text));
const span = (index: number, start: number, end: number, label: string): LabelSpan => ({
  index,
  start,
  end,
  labels: [label],
});

describe('pythonTags (the reference assignment)', () => {
  it('tags whole tokens with B- then I-, end exclusive', () => {
    const r = pythonTags(tok('Peter Blackburn visited Paris.'), [
      span(0, 0, 15, 'PER'),
      span(1, 24, 29, 'LOC'),
    ]);
    expect(r.tokens).toEqual(['Peter', 'Blackburn', 'visited', 'Paris', '.']);
    expect(r.tags).toEqual(['B-PER', 'I-PER', 'O', 'B-LOC', 'O']);
    expect(r.lost).toEqual([]);
  });

  it('sorts spans by start', () => {
    const r = pythonTags(tok('Paris and Rome'), [span(0, 10, 14, 'LOC'), span(1, 0, 5, 'CITY')]);
    expect(r.tags).toEqual(['B-CITY', 'O', 'B-LOC']);
  });

  it('tags the whole token when a span starts inside it', () => {
    const r = pythonTags(tok('xNew York'), [span(0, 1, 9, 'LOC')]);
    expect(r.tags).toEqual(['B-LOC', 'I-LOC']);
  });

  it('loses a span nested in another', () => {
    const r = pythonTags(tok('New York City Hall'), [span(0, 0, 18, 'FAC'), span(1, 0, 8, 'LOC')]);
    expect(r.tags).toEqual(['B-FAC', 'I-FAC', 'I-FAC', 'I-FAC']);
    expect(r.lost).toEqual([{ index: 1, code: 'span-not-tagged' }]);
  });

  it('loses a second span inside the same token', () => {
    const r = pythonTags(tok('NewYork is big'), [span(0, 0, 3, 'A'), span(1, 3, 7, 'B')]);
    expect(r.tags).toEqual(['B-A', 'O', 'O']);
    expect(r.lost).toEqual([{ index: 1, code: 'span-not-tagged' }]);
  });

  it('writes O for a span without labels', () => {
    const r = pythonTags(tok('a b'), [{ index: 0, start: 0, end: 1, labels: [] }]);
    expect(r.tags).toEqual(['O', 'O']);
  });
});

describe('exactTags (default mode)', () => {
  it('cuts tokens where a span starts or ends inside them', () => {
    const r = exactTags(tok('xNew York-based firm'), [span(0, 1, 9, 'LOC')]);
    expect(r.tokens).toEqual(['x', 'New', 'York', '-based', 'firm']);
    expect(r.tags).toEqual(['O', 'B-LOC', 'I-LOC', 'O', 'O']);
  });

  it('keeps both spans that share a token', () => {
    const r = exactTags(tok('NewYork is big'), [span(0, 0, 3, 'A'), span(1, 3, 7, 'B')]);
    expect(r.tokens).toEqual(['New', 'York', 'is', 'big']);
    expect(r.tags).toEqual(['B-A', 'B-B', 'O', 'O']);
    expect(r.lost).toEqual([]);
  });

  it('starts a new entity for adjacent spans with the same label', () => {
    const r = exactTags(tok('Paris Rome'), [span(0, 0, 5, 'LOC'), span(1, 6, 10, 'LOC')]);
    expect(r.tags).toEqual(['B-LOC', 'B-LOC']);
  });

  it('keeps the earlier (then longer) of overlapping spans and reports the other', () => {
    const r = exactTags(tok('New York City Hall'), [
      span(0, 0, 8, 'LOC'),
      span(1, 0, 18, 'FAC'),
      span(2, 4, 13, 'X'),
    ]);
    expect(r.tags).toEqual(['B-FAC', 'I-FAC', 'I-FAC', 'I-FAC']);
    expect(r.lost).toEqual([
      { index: 0, code: 'overlapping-span' },
      { index: 2, code: 'overlapping-span' },
    ]);
  });

  it('reports a span that covers only whitespace', () => {
    const r = exactTags(tok('a   b'), [span(0, 1, 4, 'X')]);
    expect(r.tags).toEqual(['O', 'O']);
    expect(r.lost).toEqual([{ index: 0, code: 'span-outside-tokens' }]);
  });

  it('ignores whitespace included at span edges', () => {
    const r = exactTags(tok('go to Paris now'), [span(0, 5, 12, 'LOC')]);
    expect(r.tags).toEqual(['O', 'O', 'B-LOC', 'O']);
  });

  it('counts offsets in code points', () => {
    const text = '\u{1F600} Paris';
    const r = exactTags(tok(text), [span(0, 2, 7, 'LOC')]);
    expect(r.tags).toEqual(['O', 'B-LOC']);
  });
});

/**
 * exactTags written plainly, one step at a time (a binary search for each token's cuts,
 * tokens cut through their code points): the fast version must give the same result.
 */
function plainExactTags(tokens: readonly TreebankToken[], spans: readonly LabelSpan[]) {
  const lost: { index: number; code: string }[] = [];
  const ordered = [...spans].sort((a, b) => a.start - b.start || b.end - a.end || a.index - b.index);
  const kept: LabelSpan[] = [];
  let keptEnd = Number.NEGATIVE_INFINITY;
  for (const s of ordered) {
    if (s.start < keptEnd) lost.push({ index: s.index, code: 'overlapping-span' });
    else {
      kept.push(s);
      keptEnd = s.end;
    }
  }
  const cuts = [...new Set(kept.flatMap((s) => [s.start, s.end]))].sort((a, b) => a - b);
  const pieces: TreebankToken[] = [];
  for (const t of tokens) {
    const points = Array.from(t.text);
    let from = t.start;
    // The cuts after the token's start (a binary search, which is what a cut that is not a
    // number meets) and before its end.
    let lo = 0;
    let hi = cuts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cuts[mid] as number) > t.start) hi = mid;
      else lo = mid + 1;
    }
    let last = lo;
    while (last < cuts.length && (cuts[last] as number) < t.end) last++;
    for (const cut of cuts.slice(lo, last)) {
      pieces.push({ text: points.slice(from - t.start, cut - t.start).join(''), start: from, end: cut });
      from = cut;
    }
    pieces.push({ text: points.slice(from - t.start).join(''), start: from, end: t.end });
  }
  const tags: string[] = [];
  const written = new Set<number>();
  let k = 0;
  let current: LabelSpan | undefined;
  for (const p of pieces) {
    while (k < kept.length && (kept[k] as LabelSpan).end <= p.start) k++;
    const s = kept[k];
    if (s && s.start < p.end && s.end > p.start) {
      tags.push((s === current ? 'I-' : 'B-') + s.labels[0]);
      current = s;
      written.add(s.index);
    } else {
      tags.push('O');
      current = undefined;
    }
  }
  for (const s of kept) if (!written.has(s.index)) lost.push({ index: s.index, code: 'span-outside-tokens' });
  lost.sort((a, b) => a.index - b.index);
  return {
    tokens: pieces.map((p) => p.text),
    tags,
    written: [...written].sort((a, b) => a - b),
    lost,
    cuts: pieces.length - tokens.length,
  };
}

/** pythonTags written plainly, with a queue of spans as the reference keeps them. */
function plainPythonTags(tokens: readonly TreebankToken[], spans: readonly LabelSpan[]) {
  const words = tokens.map((t) => t.text);
  if (spans.length === 0) return { tokens: words, tags: words.map(() => 'O'), written: [], lost: [] };
  const queue = [...spans].sort((a, b) => a.start - b.start);
  let s = queue.shift() as LabelSpan;
  let prefix = 'B-';
  const tags: string[] = [];
  const written = new Set<number>();
  for (const t of tokens) {
    if (t.start > s.end - 1) {
      while (queue.length > 0) {
        s = queue.shift() as LabelSpan;
        prefix = 'B-';
        if (t.start <= s.end - 1) break;
      }
    }
    const label = s.labels[0];
    if (t.end - 1 < s.start || label === undefined) tags.push('O');
    else if (s.start <= t.end - 1 && s.end - 1 >= t.start) {
      tags.push(prefix + label);
      prefix = 'I-';
      written.add(s.index);
    } else tags.push('O');
  }
  const lost = spans
    .filter((x) => !written.has(x.index))
    .map((x) => ({ index: x.index, code: 'span-not-tagged' }));
  return { tokens: words, tags, written: [...written].sort((a, b) => a - b), lost };
}

describe('exactTags and pythonTags against their plain versions', () => {
  it('gives the same tokens, tags and losses on random texts and spans', () => {
    const random = seededRandom(7);
    const next = (n: number) => Math.floor(random() * n);
    const words = ['Bob', 'New', 'York', "didn't", '"a"', 'Corp.', 'é', '😀x', 'a😀b😀', 'x', '...'];
    let compared = 0;
    for (let n = 0; n < 3000; n++) {
      let text = '';
      for (let w = 1 + next(10); w > 0; w--)
        text += `${words[next(words.length)]}${next(4) === 0 ? '  ' : ' '}`;
      const length = Array.from(text).length;
      const spans: LabelSpan[] = [];
      for (let n = next(6); n > 0; n--) {
        // Often the same start (ties in the sorts), sometimes no offsets at all.
        const start = next(3) === 0 ? next(3) : next(length);
        const s = span(spans.length, start, start + 1 + next(8), ['PER', 'LOC'][next(2)] as string);
        if (next(40) === 0) s.start = Number.NaN;
        spans.push(s);
      }
      const tokens = tok(text);
      // Out-of-order and overlapping tokens too (exactTags is public; any caller may pass them).
      const shuffled =
        next(5) === 0 ? [...tokens].reverse() : next(5) === 0 ? [...tokens, ...tokens] : tokens;
      const where = JSON.stringify({ text, spans });
      expect(exactTags(shuffled, spans), where).toEqual(plainExactTags(shuffled, spans));
      expect(pythonTags(shuffled, spans), where).toEqual(plainPythonTags(shuffled, spans));
      compared++;
    }
    expect(compared).toBe(3000);
  });
});
