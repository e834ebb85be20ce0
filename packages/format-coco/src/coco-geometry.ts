import type { OutputValue } from '@lsconv/core';
import { clamp, num, rectangleCorners } from '@lsconv/format-kit';

/** A shape in pixels as COCO writes it, and whether it reached outside the image. */
export interface PixelShape {
  segmentation: number[][];
  bbox: number[];
  area: number;
  clipped: boolean;
}

/** A rectangle in pixels: rotation applied about its top-left corner, envelope clipped to the image. */
export function rectanglePixels(value: OutputValue, W: number, H: number): PixelShape | undefined {
  const x = num(value.x);
  const y = num(value.y);
  const w = num(value.width);
  const h = num(value.height);
  if (x === undefined || y === undefined || w === undefined || h === undefined) return undefined;
  const rotation = num(value.rotation) ?? 0;
  const corners = rectangleCorners((x / 100) * W, (y / 100) * H, (w / 100) * W, (h / 100) * H, rotation);
  const outline = clipOutline([...corners[0], ...corners[1], ...corners[2], ...corners[3]], W, H);
  const { flat, bbox } = outline;
  const rotated = rotation % 360 !== 0;
  return {
    segmentation: rotated ? [flat] : [],
    bbox,
    area: rotated ? shoelace(flat) : bbox[2]! * bbox[3]!,
    clipped: outline.clipped,
  };
}

/** A polygon in pixels, points clipped to the image. */
export function polygonPixels(value: OutputValue, W: number, H: number): PixelShape | undefined {
  const points = Array.isArray(value.points) ? value.points : [];
  const pixels: number[] = [];
  for (const p of points) {
    if (!Array.isArray(p) || num(p[0]) === undefined || num(p[1]) === undefined) return undefined;
    pixels.push(((p[0] as number) / 100) * W, ((p[1] as number) / 100) * H);
  }
  if (pixels.length < 6) return undefined;
  const { flat, bbox, clipped } = clipOutline(pixels, W, H);
  return { segmentation: [flat], bbox, area: shoelace(flat), clipped };
}

/**
 * Points `[x0, y0, x1, y1, …]` in pixels clipped to the image (`flat`, reusing the
 * list), their envelope and whether any moved: one pass, where pairs per point cost an
 * array each. The same operations in the same order as the kit's `clamp` per
 * coordinate and `envelope`, so the same floats.
 */
function clipOutline(
  flat: number[],
  W: number,
  H: number,
): { flat: number[]; bbox: number[]; clipped: boolean } {
  let clipped = false;
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const px = flat[i]!;
    const py = flat[i + 1]!;
    const cx = clamp(px, 0, W);
    const cy = clamp(py, 0, H);
    if (cx !== px || cy !== py) clipped = true;
    flat[i] = cx;
    flat[i + 1] = cy;
    if (cx < minX) minX = cx;
    if (cy < minY) minY = cy;
    if (cx > maxX) maxX = cx;
    if (cy > maxY) maxY = cy;
  }
  return { flat, bbox: [minX, minY, maxX - minX, maxY - minY], clipped };
}

/** The kit's `polygonArea` of flat points: the same products and sums in the same order. */
function shoelace(flat: readonly number[]): number {
  const n = flat.length >> 1;
  let a = 0;
  let b = 0;
  for (let i = 0; i < n; i++) {
    const prev = (i + n - 1) % n;
    a += flat[2 * i]! * flat[2 * prev + 1]!;
    b += flat[2 * i + 1]! * flat[2 * prev]!;
  }
  return 0.5 * Math.abs(a - b);
}
