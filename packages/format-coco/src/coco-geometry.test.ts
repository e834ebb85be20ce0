import { clamp, envelope, type Point, polygonArea, rectangleCorners } from '@lsconv/format-kit';
import { describe, expect, it } from 'vitest';
import { polygonPixels, rectanglePixels } from './coco-geometry.js';

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

/** A rectangle as the kit's general helpers compute it: corner pairs, clamped, envelope, shoelace area. */
function generalRectangle(
  x: number,
  y: number,
  w: number,
  h: number,
  rotation: number,
  W: number,
  H: number,
) {
  const corners = rectangleCorners((x / 100) * W, (y / 100) * H, (w / 100) * W, (h / 100) * H, rotation);
  const pairs: Point[] = corners.map(([px, py]) => [clamp(px, 0, W), clamp(py, 0, H)]);
  const bbox = envelope(pairs);
  const rotated = rotation % 360 !== 0;
  return {
    segmentation: rotated ? [pairs.flat()] : [],
    bbox,
    area: rotated
      ? polygonArea(
          pairs.map((p) => p[0]),
          pairs.map((p) => p[1]),
        )
      : bbox[2]! * bbox[3]!,
    clipped: pairs.some((c, i) => c[0] !== corners[i]![0] || c[1] !== corners[i]![1]),
  };
}

/** The same floats: `toEqual` tells -0 from 0, and Object.is compares each number exactly. */
function expectSameShape(
  shape: ReturnType<typeof polygonPixels>,
  expected: { segmentation: number[][]; bbox: number[]; area: number },
) {
  expect(shape).toBeDefined();
  expect(shape!.segmentation).toEqual(expected.segmentation);
  expect(Object.is(shape!.area, expected.area)).toBe(true);
  expect(shape!.bbox.map((v, i) => Object.is(v, expected.bbox[i]))).toEqual([true, true, true, true]);
  expect(JSON.stringify(shape!.segmentation)).toBe(JSON.stringify(expected.segmentation));
}

describe('rectanglePixels', () => {
  it('gives the same floats and clipping as the corner, envelope and shoelace helpers', () => {
    const next = random(11);
    const rotations = [0, 360, -90, 45, 90, 180, 270, 12.5];
    for (let round = 0; round < 500; round++) {
      const [x, y, w, h] = [next() * 140 - 20, next() * 140 - 20, next() * 60, next() * 60];
      const rotation = next() < 0.5 ? rotations[round % rotations.length]! : next() * 720 - 360;
      const W = 1 + Math.floor(next() * 4000);
      const H = 1 + Math.floor(next() * 4000);
      const shape = rectanglePixels({ type: 'RectangleLabels', x, y, width: w, height: h, rotation }, W, H);
      const expected = generalRectangle(x!, y!, w!, h!, rotation, W, H);
      expectSameShape(shape, expected);
      expect(shape!.clipped).toBe(expected.clipped);
    }
  });
});

describe('polygonPixels', () => {
  it('gives the same floats as the pair, envelope and shoelace helpers, clipped points and -0 included', () => {
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
      expectSameShape(polygonPixels({ type: 'PolygonLabels', points }, W, H), generalPolygon(points, W, H));
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
