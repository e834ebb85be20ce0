import { describe, expect, it } from 'vitest';
import { IntSet, StringSet } from './compact-set.js';

/** A deterministic pseudo-random generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('IntSet', () => {
  it('agrees with Set on random integers, through many growths', () => {
    const next = random(7);
    const ours = new IntSet();
    const reference = new Set<number>();
    for (let i = 0; i < 50_000; i++) {
      // A small range, so about half the additions are repeats.
      const value = Math.floor(next() * 60_000);
      expect(ours.add(value)).toBe(!reference.has(value));
      reference.add(value);
    }
    expect(ours.size).toBe(reference.size);
    for (let value = 0; value < 60_000; value++) expect(ours.has(value)).toBe(reference.has(value));
  });

  it('holds 0 and the largest value, and refuses what it cannot hold', () => {
    const set = new IntSet();
    expect(set.add(0)).toBe(true);
    expect(set.add(0x7ffffffe)).toBe(true);
    expect(set.has(0)).toBe(true);
    expect(set.has(0x7ffffffe)).toBe(true);
    expect(set.has(1)).toBe(false);
    expect(set.has(-1)).toBe(false);
    expect(set.has(1.5)).toBe(false);
    expect(() => set.add(-1)).toThrow(RangeError);
    expect(() => set.add(0x7fffffff)).toThrow(RangeError);
    expect(() => set.add(Number.NaN)).toThrow(RangeError);
  });
});

describe('StringSet', () => {
  it('agrees with Set on random strings, including non-ASCII and empty ones', () => {
    const next = random(11);
    const alphabet = ['a', 'b', 'A', 'é', '日', '😀', '_', '-', '.', '\u0000'];
    const ours = new StringSet();
    const reference = new Set<string>();
    const seen: string[] = [];
    for (let i = 0; i < 30_000; i++) {
      let text = '';
      if (seen.length > 0 && next() < 0.3) text = seen[Math.floor(next() * seen.length)]!;
      else {
        const length = Math.floor(next() * 6);
        for (let j = 0; j < length; j++) text += alphabet[Math.floor(next() * alphabet.length)];
      }
      expect(ours.add(text)).toBe(!reference.has(text));
      reference.add(text);
      seen.push(text);
    }
    expect(ours.size).toBe(reference.size);
    for (const text of seen) expect(ours.has(text)).toBe(true);
    expect(ours.has('not there')).toBe(false);
  });

  it('tells apart strings whose hashes collide', () => {
    // "costarring" and "liquid" share a 32-bit FNV-1a hash, so only the byte comparison
    // keeps them apart.
    const set = new StringSet();
    expect(set.add('costarring')).toBe(true);
    expect(set.has('liquid')).toBe(false);
    expect(set.add('liquid')).toBe(true);
    expect(set.add('costarring')).toBe(false);
    expect(set.size).toBe(2);
  });

  it('keeps long strings, short ones between them, and ones longer than a chunk', () => {
    const set = new StringSet();
    // 70,000 and 400,000 characters: several to a 256 KB chunk, and one that needs its own.
    const text = (i: number) => `${'x'.repeat(i % 3 === 0 ? 400_000 : 70_000)}${i}`;
    for (let i = 0; i < 40; i++) {
      expect(set.add(text(i))).toBe(true);
      expect(set.add(`short ${i}`)).toBe(true);
      expect(set.has(text(i + 1))).toBe(false);
    }
    for (let i = 0; i < 40; i++) {
      expect(set.has(text(i))).toBe(true);
      expect(set.has(`short ${i}`)).toBe(true);
      expect(set.add(text(i))).toBe(false);
    }
    expect(set.size).toBe(80);
  });
});
