import pngjs from 'pngjs';
import { describe, expect, it } from 'vitest';
import { encodeGreyPng, encodeIndexedPng } from './png.js';

/** What pngjs writes for the same grey image and options: the bytes lsconv writes. */
function pngjsGrey(data: Uint8Array, width: number, height: number): Buffer {
  return pngjs.PNG.sync.write({ width, height, data: Buffer.from(data) } as unknown as pngjs.PNG, {
    colorType: 0,
    inputColorType: 0,
    inputHasAlpha: false,
    bitDepth: 8,
    filterType: 0,
    deflateLevel: 6,
    deflateStrategy: 3,
  });
}

/** A mask of runs (as brush masks are), with some noise; deterministic per seed. */
function mask(width: number, height: number, seed: number): Uint8Array {
  const out = new Uint8Array(width * height);
  let a = seed;
  const next = () => {
    a = (Math.imul(a, 1103515245) + 12345) >>> 0;
    return a / 2 ** 32;
  };
  let value = 0;
  for (let i = 0; i < out.length; ) {
    const run = 1 + Math.floor(next() * 300);
    out.fill(value, i, Math.min(out.length, i + run));
    i += run;
    value = next() < 0.5 ? 0 : Math.floor(next() * 256);
  }
  return out;
}

const sizes: [number, number][] = [
  [1, 1],
  [1, 37],
  [53, 1],
  [7, 5],
  [640, 480],
  [1024, 768],
  [333, 1999],
];

describe('PNG encoding', () => {
  it('writes the bytes pngjs writes for a grey image, mask after mask (the scratch is reused)', () => {
    sizes.forEach(([w, h], i) => {
      const data = mask(w, h, i + 1);
      expect(Buffer.from(encodeGreyPng(data, w, h)).equals(pngjsGrey(data, w, h)), `${w}x${h}`).toBe(true);
    });
    // A smaller mask after a larger one: only its own rows are encoded.
    const data = new Uint8Array(12).fill(255);
    expect(Buffer.from(encodeGreyPng(data, 4, 3)).equals(pngjsGrey(data, 4, 3))).toBe(true);
  });

  it('writes an indexed PNG that decodes to its palette colours', () => {
    const data = mask(31, 17, 9).map((v) => v % 3);
    const palette = [
      [0, 0, 0],
      [255, 0, 0],
      [0, 0, 255],
    ] as const;
    const decoded = pngjs.PNG.sync.read(Buffer.from(encodeIndexedPng(data, 31, 17, palette)));
    expect([decoded.width, decoded.height]).toEqual([31, 17]);
    for (const p of [0, 100, 300, 31 * 17 - 1]) {
      expect([...decoded.data.subarray(p * 4, p * 4 + 3)]).toEqual([...palette[data[p]!]!]);
    }
  });

  it('refuses data that does not fit the size, and an empty or oversized palette', () => {
    expect(() => encodeGreyPng(new Uint8Array(5), 2, 3)).toThrow(RangeError);
    expect(() => encodeIndexedPng(new Uint8Array(6), 2, 3, [])).toThrow(/1 to 256/);
  });
});

describe('MaskPool', () => {
  it('hands out zeroed views, reuses a buffer given back, and allocates nothing huge', async () => {
    const { MaskPool } = await import('./brush-masks.js');
    const pool = new MaskPool();
    const a = pool.take(1000)!;
    a.fill(7);
    pool.give(a);
    const b = pool.take(600)!;
    expect(b.buffer).toBe(a.buffer);
    expect(b.length).toBe(600);
    expect(b.every((v) => v === 0)).toBe(true);
    const c = pool.take(600)!;
    expect(c.buffer).not.toBe(b.buffer);
    // Past 16 MiB nothing is allocated: the caller checks the size and allocates itself.
    expect(pool.take(16 * 1024 * 1024 + 1)).toBeUndefined();
  });
});
