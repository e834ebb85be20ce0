import type { OutputValue } from '@lsconv/core';
import { clamp, envelope, num, polygonArea, rectangleCorners } from '@lsconv/format-kit';

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
  const clippedCorners = corners.map(([px, py]) => [clamp(px, 0, W), clamp(py, 0, H)] as const);
  const clipped = clippedCorners.some((c, i) => c[0] !== corners[i]![0] || c[1] !== corners[i]![1]);
  const bbox = envelope(clippedCorners);
  const rotated = rotation % 360 !== 0;
  return {
    segmentation: rotated ? [clippedCorners.flat()] : [],
    bbox,
    area: rotated
      ? polygonArea(
          clippedCorners.map((c) => c[0]),
          clippedCorners.map((c) => c[1]),
        )
      : bbox[2]! * bbox[3]!,
    clipped,
  };
}

/**
 * A polygon in pixels, points clipped to the image. One flat list of coordinates, the
 * envelope and the shoelace area computed as `envelope` and `polygonArea` do (same
 * operations in the same order, so the same floats), without a pair per point.
 */
export function polygonPixels(value: OutputValue, W: number, H: number): PixelShape | undefined {
  const points = Array.isArray(value.points) ? value.points : [];
  const n = points.length;
  const flat: number[] = [];
  let clipped = false;
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const p: unknown = points[i];
    if (!Array.isArray(p) || num(p[0]) === undefined || num(p[1]) === undefined) return undefined;
    const px = ((p[0] as number) / 100) * W;
    const py = ((p[1] as number) / 100) * H;
    const cx = clamp(px, 0, W);
    const cy = clamp(py, 0, H);
    if (cx !== px || cy !== py) clipped = true;
    flat.push(cx, cy);
    if (cx < minX) minX = cx;
    if (cy < minY) minY = cy;
    if (cx > maxX) maxX = cx;
    if (cy > maxY) maxY = cy;
  }
  if (n < 3) return undefined;
  let a = 0;
  let b = 0;
  for (let i = 0; i < n; i++) {
    const prev = (i + n - 1) % n;
    a += flat[2 * i]! * flat[2 * prev + 1]!;
    b += flat[2 * i + 1]! * flat[2 * prev]!;
  }
  return {
    segmentation: [flat],
    bbox: [minX, minY, maxX - minX, maxY - minY],
    area: 0.5 * Math.abs(a - b),
    clipped,
  };
}
