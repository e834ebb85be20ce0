import { readFileSync } from 'node:fs';
import {
  BrushRleError,
  decodeBrushMask,
  decodeBrushRle,
  encodeBrushMask,
  encodeBrushRle,
  readBrushRleHeader,
} from '@lsconv/format-kit';
import { decodeBinary, encodeBinary } from '@thi.ng/rle-pack';
import { describe, expect, it } from 'vitest';
import { firstDifference } from './test-util.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8'));

interface RefCase {
  name: string;
  width: number;
  height: number;
  rle: number[];
}
const reference = fixture('reference-rle.json') as { cases: RefCase[] };
const rules: Record<string, (x: number, y: number) => number> = {
  'full-300x300': () => 255,
  'left-half-256x256': (x) => (x < 128 ? 255 : 0),
  'gradient-64x2': (x, y) => (x * 4 + y) % 256,
  'checker-16x16': (x, y) => ((x + y) % 2 ? 255 : 0),
  'stripes-130x70': (_x, y) => (Math.floor(y / 7) % 2 ? 255 : 0),
};

function buildMask(name: string, width: number, height: number): Uint8Array {
  const rule = rules[name]!;
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) mask[y * width + x] = rule(x, y);
  return mask;
}

/** A deterministic pseudo-random generator (mulberry32), so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomMask(width: number, height: number, seed: number): Uint8Array {
  const next = rng(seed);
  const mask = new Uint8Array(width * height);
  // Blobs of runs, some noise and some partial alpha: every run class gets used.
  for (let i = 0; i < mask.length; ) {
    const run = 1 + Math.floor(next() ** 3 * 400);
    const value = next() < 0.5 ? 0 : next() < 0.8 ? 255 : Math.floor(next() * 256);
    mask.fill(value, i, Math.min(mask.length, i + run));
    i += run;
  }
  return mask;
}

describe('brush RLE', () => {
  it('encodes masks byte for byte like the reference encoder', () => {
    expect(reference.cases.length).toBeGreaterThan(0);
    for (const c of reference.cases) {
      const mask = buildMask(c.name, c.width, c.height);
      expect([...encodeBrushMask(mask)], c.name).toEqual(c.rle);
    }
  });

  it('decodes reference-encoded masks to the original pixels', () => {
    for (const c of reference.cases) {
      expect(
        firstDifference(decodeBrushMask(c.rle, c.width, c.height), buildMask(c.name, c.width, c.height)),
        c.name,
      ).toBe(-1);
    }
  });

  it('reads the header', () => {
    const c = reference.cases[0]!;
    expect(readBrushRleHeader(c.rle)).toEqual({
      length: c.width * c.height * 4,
      wordSize: 8,
      rleSizes: [3, 4, 8, 16],
    });
  });

  it('round-trips mask → RLE → mask on random masks', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const width = 17 + seed * 13;
      const height = 5 + seed * 7;
      const mask = randomMask(width, height, seed);
      expect(firstDifference(decodeBrushMask(encodeBrushMask(mask), width, height), mask)).toBe(-1);
    }
  });

  it('agrees with @thi.ng/rle-pack in both directions', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const values = randomMask(97, 23 * seed, seed * 7);
      // Our encoder, their decoder.
      expect(firstDifference(decodeBinary(encodeBrushRle(values)), values)).toBe(-1);
      // Their encoder (multi-value literal chunks, other run splits), our decoder.
      const theirs = encodeBinary(values, values.length, 8, [3, 4, 8, 16]);
      expect(firstDifference(decodeBrushRle(theirs), values)).toBe(-1);
    }
  });

  it('decodes other word and run sizes written by @thi.ng/rle-pack', () => {
    const values = Array.from({ length: 4 * 50 }, (_, i) => (i % 7 === 0 ? 3 : Math.floor(i / 40) % 4));
    const packed = encodeBinary(values, values.length, 2, [1, 2, 5, 9]);
    expect([...decodeBrushRle(packed)]).toEqual(values);
    expect([...decodeBrushMask(packed, 10, 5)]).toEqual(values.filter((_, i) => i % 4 === 3));
  });

  it('pads a stream that ends on a byte boundary with a whole zero byte, as the reference does', () => {
    // Header 53 bits + one literal (14 bits) + ... pick lengths until the payload ends on a boundary.
    for (let n = 1; n < 64; n++) {
      const values = Array.from({ length: n }, (_, i) => i % 256);
      const bits = 53 + n * 14;
      const expected = bits % 8 === 0 ? bits / 8 + 1 : Math.ceil(bits / 8);
      expect(encodeBrushRle(values).length, `n=${n}`).toBe(expected);
    }
  });

  it('refuses malformed streams with a BrushRleError', () => {
    const good = encodeBrushMask(new Uint8Array(12).fill(255));
    expect(() => decodeBrushMask(good, 4, 4)).toThrow(/needs 64/);
    expect(() => decodeBrushMask(good.slice(0, 8), 4, 3)).toThrow(BrushRleError);
    expect(() => decodeBrushMask([1, 2, 300], 1, 1)).toThrow(/byte value/);
    expect(() => decodeBrushMask('abc' as unknown as number[], 1, 1)).toThrow(/list of byte values/);
    expect(() => decodeBrushMask(good, 0, 3)).toThrow(/positive integer size/);
    expect(() => decodeBrushMask(good, 100_000, 100_000)).toThrow(/larger than/);
  });
});
