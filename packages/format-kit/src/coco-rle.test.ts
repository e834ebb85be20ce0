import { describe, expect, it } from 'vitest';
import { cocoRleCounts, cocoRleFromString, cocoRleString, decodeCocoRle, encodeCocoRle } from './coco-rle.js';

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

describe('COCO RLE', () => {
  it('decodes compressed counts (deltas, several characters, negative deltas)', () => {
    expect(cocoRleFromString('04')).toEqual([0, 4]);
    expect(cocoRleFromString('1232')).toEqual([1, 2, 3, 4]);
    expect(cocoRleFromString('T3')).toEqual([100]);
    expect(cocoRleFromString('555M')).toEqual([5, 5, 5, 2]);
    expect(() => cocoRleFromString('T')).toThrow(/ends/);
  });
  it('fills the mask down the columns', () => {
    // 2 rows × 3 columns; runs: 1 background, 2 foreground, 3 background (column-major).
    const { mask, width, height } = decodeCocoRle({ counts: [1, 2, 3], size: [2, 3] });
    expect([width, height]).toEqual([3, 2]);
    expect([...mask]).toEqual([0, 255, 0, 255, 0, 0]);
    expect(() => decodeCocoRle({ counts: [1, 20], size: [2, 3] })).toThrow(/more pixels/);
  });
});
