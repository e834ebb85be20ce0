import type { OutputValue } from '@lsconv/core';
import { clamp, envelope, num, type Point, polygonArea, rectangleCorners } from '@lsconv/format-kit';

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

/** A polygon in pixels, points clipped to the image. */
export function polygonPixels(value: OutputValue, W: number, H: number): PixelShape | undefined {
  const points = Array.isArray(value.points) ? value.points : [];
  const abs: Point[] = [];
  let clipped = false;
  for (const p of points) {
    if (!Array.isArray(p) || num(p[0]) === undefined || num(p[1]) === undefined) return undefined;
    const px = ((p[0] as number) / 100) * W;
    const py = ((p[1] as number) / 100) * H;
    const cx = clamp(px, 0, W);
    const cy = clamp(py, 0, H);
    if (cx !== px || cy !== py) clipped = true;
    abs.push([cx, cy]);
  }
  if (abs.length < 3) return undefined;
  return {
    segmentation: [abs.flat()],
    bbox: envelope(abs),
    area: polygonArea(
      abs.map((p) => p[0]),
      abs.map((p) => p[1]),
    ),
    clipped,
  };
}
