import { readFileSync } from 'node:fs';
import { decodeBrushMask } from '@lsconv/format-kit';
import { describe, expect, it } from 'vitest';
import { boundingRect, contourArea, findExternalContours } from './contours.js';

interface ContourCase {
  name: string;
  width: number;
  height: number;
  rows: string[];
  contours: number[][];
  areas: number[];
  bboxes: number[][];
  rle: number[];
}

// Written by OpenCV itself (see fixtures/README.md): its points, order, areas and boxes.
const fixture = JSON.parse(
  readFileSync(new URL('../fixtures/opencv-contours.json', import.meta.url), 'utf8'),
) as { cases: ContourCase[] };

function maskOf(c: ContourCase): Uint8Array {
  const mask = new Uint8Array(c.width * c.height);
  c.rows.forEach((row, y) => {
    for (let x = 0; x < c.width; x++) if (row[x] === '1') mask[y * c.width + x] = 255;
  });
  return mask;
}

describe('findExternalContours', () => {
  it('has cases covering holes, nesting, thin walls, dots, lines and image edges', () => {
    const names = fixture.cases.map((c) => c.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'ring',
        'blob-in-hole',
        'one-px-wall-quirk',
        'single-pixels',
        'lines',
        'edges',
        'full',
      ]),
    );
  });

  for (const c of fixture.cases) {
    it(`matches OpenCV on ${c.name}`, () => {
      const mask = maskOf(c);
      const contours = findExternalContours(mask, c.width, c.height);
      expect(contours).toEqual(c.contours);
      expect(contours.map((p) => Math.trunc(contourArea(p)))).toEqual(c.areas);
      expect(contours.map((p) => boundingRect(p))).toEqual(c.bboxes);
      // The reference's RLE of the same mask decodes to it.
      expect([...decodeBrushMask(c.rle, c.width, c.height)]).toEqual([...mask]);
    });
  }

  it("leaves the caller's mask untouched", () => {
    const c = fixture.cases.find((x) => x.name === 'ring')!;
    const mask = maskOf(c);
    const copy = mask.slice();
    findExternalContours(mask, c.width, c.height);
    expect(mask).toEqual(copy);
  });
});
