import { clamp, envelope, type Point, polygonArea } from '@lsconv/format-kit';
import { describe, expect, it } from 'vitest';
import { polygonPixels } from './coco-geometry.js';

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The polygon as the kit's general helpers compute it: pairs, then envelope and shoelace area. */
function generalPolygon(points: number[][], W: number, H: number) {
  const pairs: Point[] = points.map(([x, y]) => [clamp((x! / 100) * W, 0, W), clamp((y! / 100) * H, 0, H)]);
  return {
    segmentation: [pairs.flat()],
    bbox: envelope(pairs),
    area: polygonArea(
      pairs.map((p) => p[0]),
      pairs.map((p) => p[1]),
    ),
  };
}

describe('polygonPixels', () => {
  it('gives the same floats as the envelope and shoelace helpers, clipped points and -0 included', () => {
    const next = random(7);
    for (let round = 0; round < 500; round++) {
      const n = 3 + Math.floor(next() * 20);
      // Coordinates from -20% to 120%, so some points are clipped; a few exact edges and -0.
      const points = Array.from({ length: n }, () =>
        [0, 1].map(() => {
          const pick = next();
          if (pick < 0.05) return -0;
          if (pick < 0.1) return 100;
          return next() * 140 - 20;
        }),
      );
      const W = 1 + Math.floor(next() * 4000);
      const H = 1 + Math.floor(next() * 4000);
      const shape = polygonPixels({ type: 'PolygonLabels', points }, W, H)!;
      const expected = generalPolygon(points, W, H);
      expect(shape.segmentation).toEqual(expected.segmentation);
      expect(Object.is(shape.area, expected.area)).toBe(true);
      expect(shape.bbox.map((v, i) => Object.is(v, expected.bbox[i]))).toEqual([true, true, true, true]);
      expect(JSON.stringify(shape.segmentation)).toBe(JSON.stringify(expected.segmentation));
    }
  });

  it('refuses fewer than 3 points and a point that is not two numbers', () => {
    expect(
      polygonPixels(
        {
          type: 'PolygonLabels',
          points: [
            [1, 2],
            [3, 4],
          ],
        },
        10,
        10,
      ),
    ).toBeUndefined();
    expect(polygonPixels({ type: 'PolygonLabels', points: [[1, 2], [3, 4], [5]] }, 10, 10)).toBeUndefined();
    expect(polygonPixels({ type: 'PolygonLabels', points: [[1, 2], [3, 4], 'x'] }, 10, 10)).toBeUndefined();
    expect(polygonPixels({ type: 'PolygonLabels' }, 10, 10)).toBeUndefined();
  });
});
