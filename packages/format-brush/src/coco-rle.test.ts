import { describe, expect, it } from 'vitest';
import { cocoRleCounts, cocoRleFromString, cocoRleString, encodeCocoRle } from './coco-rle.js';
import { npyHeader } from './npy.js';

function maskFromCounts(counts: number[], width: number, height: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  let k = 0;
  counts.forEach((run, i) => {
    for (let r = 0; r < run; r++, k++) if (i % 2) mask[(k % height) * width + Math.floor(k / height)] = 1;
  });
  return mask;
}

describe('COCO RLE', () => {
  it('counts runs column by column, starting with background', () => {
    // 3 wide, 2 high; column-major order: (0,0) (0,1) (1,0) (1,1) (2,0) (2,1)
    const mask = Uint8Array.from([255, 0, 0, 0, 255, 0]);
    expect(cocoRleCounts(mask, 3, 2)).toEqual([0, 1, 2, 1, 2]);
  });

  it('matches the string pycocotools writes for a known mask', () => {
    // pycocotools: encode(np.asfortranarray(m)) of a 4x4 mask with a 2x2 block at (1,1) → b'52203'
    const mask = new Uint8Array(16);
    for (const [x, y] of [
      [1, 1],
      [2, 1],
      [1, 2],
      [2, 2],
    ] as const)
      mask[y * 4 + x] = 1;
    expect(encodeCocoRle(mask, 4, 4)).toEqual({ size: [4, 4], counts: '52203' });
  });

  it('round-trips through the compressed string on random masks', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (let t = 0; t < 20; t++) {
      const width = 1 + Math.floor(next() * 90);
      const height = 1 + Math.floor(next() * 70);
      const mask = new Uint8Array(width * height);
      let v = 0;
      for (let i = 0; i < mask.length; i++) {
        if (next() < 0.08) v ^= 1;
        mask[i] = v;
      }
      const counts = cocoRleCounts(mask, width, height);
      expect(cocoRleFromString(cocoRleString(counts))).toEqual(counts);
      expect(maskFromCounts(counts, width, height)).toEqual(mask);
    }
  });
});

describe('npy header', () => {
  it('is version 1.0 with the data 64-byte aligned, as NumPy writes it', () => {
    const h = npyHeader([32, 48]);
    expect(h.length % 64).toBe(0);
    const text = Buffer.from(h.subarray(10)).toString('latin1');
    expect(text).toMatch(/^\{'descr': '\|u1', 'fortran_order': False, 'shape': \(32, 48\), \} *\n$/);
    expect(h[8]! | (h[9]! << 8)).toBe(h.length - 10);
  });
});
