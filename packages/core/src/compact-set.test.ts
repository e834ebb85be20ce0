import { describe, expect, it } from 'vitest';
import { HashSet64, IntSet, StringSet, TaggedStringSet } from './compact-set.js';

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

describe('TaggedStringSet', () => {
  const tagOf = (n: number) => {
    const tag = Buffer.alloc(8);
    tag.writeUInt32LE(n >>> 0, 0);
    tag.writeUInt32LE(Math.imul(n, 2654435761) >>> 0, 4);
    return tag;
  };

  it('agrees with a Map on random names and owners, through many growths', () => {
    const next = random(23);
    const alphabet = ['a', 'b', 'é', '日', '😀', '/', '.', '\u0000'];
    const ours = new TaggedStringSet();
    const reference = new Map<string, number>();
    for (let i = 0; i < 30_000; i++) {
      let text = '';
      const length = Math.floor(next() * 5);
      for (let j = 0; j < length; j++) text += alphabet[Math.floor(next() * alphabet.length)];
      // Few owners, so names are often claimed again by the same one and by another.
      const owner = Math.floor(next() * 4);
      const known = reference.get(text);
      const expected = known === undefined ? 'absent' : known === owner ? 'same' : 'other';
      expect(ours.tagged(text, tagOf(owner))).toBe(expected);
      expect(ours.claim(text, tagOf(owner))).toBe(expected === 'absent' ? 'added' : expected);
      if (known === undefined) reference.set(text, owner);
    }
    expect(ours.size).toBe(reference.size);
    for (const [text, owner] of reference) {
      expect(ours.tagged(text, tagOf(owner))).toBe('same');
      expect(ours.tagged(text, tagOf(owner + 1))).toBe('other');
    }
  });

  it('keeps each tag with its name, for long names and ones longer than a chunk', () => {
    const set = new TaggedStringSet();
    const text = (i: number) => `${'n'.repeat(i % 3 === 0 ? 300_000 : 60_000)}${i}`;
    for (let i = 0; i < 30; i++) {
      expect(set.claim(text(i), tagOf(i))).toBe('added');
      expect(set.claim(`short ${i}`, tagOf(1000 + i))).toBe('added');
    }
    for (let i = 0; i < 30; i++) {
      expect(set.claim(text(i), tagOf(i))).toBe('same');
      expect(set.claim(text(i), tagOf(i + 1))).toBe('other');
      expect(set.tagged(`short ${i}`, tagOf(1000 + i))).toBe('same');
      expect(set.has(`short ${i}`)).toBe(true);
    }
    expect(set.tagged('absent', tagOf(0))).toBe('absent');
    expect(set.size).toBe(60);
  });

  it('refuses a tag that is not 8 bytes', () => {
    expect(() => new TaggedStringSet().claim('a', Buffer.alloc(4))).toThrow(RangeError);
  });
});

describe('HashSet64', () => {
  it('agrees with Set on random 64-bit values, through many growths', () => {
    const next = random(31);
    const ours = new HashSet64();
    const reference = new Set<string>();
    const seen: [number, number][] = [];
    for (let i = 0; i < 40_000; i++) {
      // Halves from a small range, so values repeat and share one half often.
      const value: [number, number] =
        seen.length > 0 && next() < 0.3
          ? seen[Math.floor(next() * seen.length)]!
          : [Math.floor(next() * 300) * 0x1000193, Math.floor(next() * 300) * 0x9e3779b1];
      const key = `${value[0] >>> 0}:${value[1] >>> 0}`;
      expect(ours.add(...value)).toBe(!reference.has(key));
      reference.add(key);
      seen.push(value);
    }
    expect(ours.size).toBe(reference.size);
    for (const value of seen) expect(ours.has(...value)).toBe(true);
    expect(ours.has(12345, 678)).toBe(reference.has('12345:678'));
  });

  it('holds zero halves and the largest values', () => {
    const set = new HashSet64();
    expect(set.has(0, 0)).toBe(false);
    expect(set.add(0, 0)).toBe(true);
    expect(set.has(0, 0)).toBe(true);
    expect(set.add(0xffffffff, 0xffffffff)).toBe(true);
    expect(set.add(-1, -1)).toBe(false);
    expect(set.add(0, 2)).toBe(true);
    expect(set.has(2, 0)).toBe(false);
    expect(set.size).toBe(3);
  });
});
