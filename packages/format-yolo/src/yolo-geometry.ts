import type { OutputValue } from '@lsconv/core';
import { type Category, clamp, envelope, type Point, pyReprJoin, rectangleCorners } from '@lsconv/format-kit';

/** The YOLO formats' pure helpers: boxes, corners, clipping, label lines and class files. */

/** Image size in pixels. */
export interface ImageSize {
  width: number;
  height: number;
}

/** A YOLO box: centre and size, normalised to the image (0…1). */
export type YoloBox = readonly [xc: number, yc: number, w: number, h: number];

/** A label line: the class id, then every number in Python's float repr. */
export function toYoloLine(classId: number, values: readonly number[]): string {
  return values.length === 0 ? String(classId) : `${classId} ${pyReprJoin(values)}`;
}

/**
 * The Python converter's YOLO box (`convert_annotation_to_yolo`): centre and size from
 * percent coordinates; rotation ignored. Undefined when a coordinate is missing.
 */
export function pythonYoloBox(value: OutputValue): YoloBox | undefined {
  if (!('x' in value && 'y' in value && 'width' in value && 'height' in value)) return undefined;
  const {
    x,
    y,
    width: w,
    height: h,
  } = value as unknown as { x: unknown; y: unknown; width: unknown; height: unknown };
  if (typeof x !== 'number' || typeof y !== 'number' || typeof w !== 'number' || typeof h !== 'number')
    return undefined;
  return [(x + w / 2) / 100, (y + h / 2) / 100, w / 100, h / 100];
}

/**
 * The four corners of a rectangle (top-left, top-right, bottom-right, bottom-left),
 * rotated in pixel space about the top-left corner, normalised to the image.
 */
export function obbCorners(
  value: { x: number; y: number; width: number; height: number; rotation?: number },
  size: ImageSize,
  python = false,
): Point[] {
  const { width: W, height: H } = size;
  const corners = rectangleCorners(
    (value.x / 100) * W,
    (value.y / 100) * H,
    (value.width / 100) * W,
    (value.height / 100) * H,
    value.rotation ?? 0,
    python,
  );
  return corners.map(([px, py]) => [px / W, py / H] as const);
}

/**
 * A YOLO box with rotation applied: the envelope of the rotated rectangle (in pixel
 * space, so non-square images stay right), clipped to the image. Without a size, only
 * unrotated boxes can be computed.
 */
export function toYoloBox(
  value: { x: number; y: number; width: number; height: number; rotation?: number },
  size: ImageSize | undefined,
): { box: YoloBox; clipped: boolean } | undefined {
  const rotation = value.rotation ?? 0;
  if (rotation % 360 === 0) {
    // Unrotated boxes stay in percent units, so the numbers equal the reference's when nothing is clipped.
    const x1 = clamp(value.x, 0, 100);
    const y1 = clamp(value.y, 0, 100);
    const x2 = clamp(value.x + value.width, 0, 100);
    const y2 = clamp(value.y + value.height, 0, 100);
    const clipped =
      x1 !== value.x || y1 !== value.y || x2 !== value.x + value.width || y2 !== value.y + value.height;
    return { box: [(x1 + x2) / 2 / 100, (y1 + y2) / 2 / 100, (x2 - x1) / 100, (y2 - y1) / 100], clipped };
  }
  if (!size) return undefined;
  const [ex, ey, ew, eh] = envelope(obbCorners(value, size));
  const x1 = clamp(ex, 0, 1);
  const y1 = clamp(ey, 0, 1);
  const x2 = clamp(ex + ew, 0, 1);
  const y2 = clamp(ey + eh, 0, 1);
  const clipped = x1 !== ex || y1 !== ey || x2 !== ex + ew || y2 !== ey + eh;
  return { box: [(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1], clipped };
}

/** Clamps normalised points to the image; says whether any moved. */
export function clipPoints(points: readonly Point[]): { points: Point[]; clipped: boolean } {
  let clipped = false;
  const out = points.map(([x, y]) => {
    const cx = clamp(x, 0, 1);
    const cy = clamp(y, 0, 1);
    if (cx !== x || cy !== y) clipped = true;
    return [cx, cy] as const;
  });
  return { points: out, clipped };
}

/**
 * An Ultralytics dataset file (`data.yaml`): class names by id, their count, and
 * `kpt_shape` for pose datasets. Train and val both point at the image folder (no split).
 */
export function dataYaml(
  categories: readonly Category[],
  keypointCount?: number,
  imageDir = 'images',
): string {
  const names = classNames(categories);
  const folder = JSON.stringify(imageDir);
  const lines = [
    `# Ultralytics dataset config written by lsconv; split ${imageDir}/ into train and val sets as you need.`,
    'path: .',
    `train: ${imageDir === 'images' ? imageDir : folder}`,
    `val: ${imageDir === 'images' ? imageDir : folder}`,
    `nc: ${names.length}`,
    'names:',
    ...names.map((name, id) => `  ${id}: ${JSON.stringify(name)}`),
  ];
  if (keypointCount !== undefined) lines.push(`kpt_shape: [${keypointCount}, 3]`);
  return `${lines.join('\n')}\n`;
}

/**
 * Class names by id, one per line index: line i names class i. Ids nobody uses (gaps
 * left by `category="N"`) get the placeholder `unused-<id>`.
 */
export function classNames(categories: readonly Category[]): string[] {
  const size = categories.reduce((m, c) => Math.max(m, c.id + 1), 0);
  const names = Array.from({ length: size }, (_, i) => `unused-${i}`);
  for (const c of categories) if (c.id >= 0) names[c.id] = c.name;
  return names;
}
