import type { Result } from '@lsconv/core';
import { type CocoRleInput, decodeCocoRle, encodeBrushMask, newRegionId } from '@lsconv/format-kit';

/** The COCO importer's regions: one COCO annotation's box, polygons, RLE mask and keypoints. */

/** A COCO category as the importer keeps it (the name with its supercategory when asked). */
export interface CocoCategory {
  id: number;
  name: string;
  supercategory?: string;
  keypoints?: string[];
}

/** The control names of one import: `<fromName>_rectangles`, `<fromName>polygons`, … */
export interface ControlNames {
  rect: string;
  poly: string;
  kp: string;
  brush: string;
}

/** Where one annotation's regions go, and what places them. */
export interface AnnotationScope {
  ann: Record<string, unknown>;
  category: CocoCategory;
  result: Result[];
  /** The fields every region of the image carries. */
  base: {
    to_name: string;
    image_rotation: number;
    original_width: number | undefined;
    original_height: number | undefined;
  };
  /** The image size (0 when unknown: only an RLE can place itself then). */
  W: number;
  H: number;
  names: ControlNames;
  /** Records one control kind (`rect`, `poly`, `brush`, `kp`) as used by a category. */
  use: (key: string, categoryId: number) => void;
  addTag: (key: string) => void;
  skip: (code: string, reason: string) => void;
}

/** The annotation's bbox as a rectangle region; returns its id, or undefined when the bbox is not valid. */
export function addBox(s: AnnotationScope, bbox: unknown[]): string | undefined {
  const b = bbox.map(Number);
  if (b.length < 4 || b.slice(0, 4).some((v) => !Number.isFinite(v))) {
    s.skip('bad-bbox', 'bbox is not [x, y, width, height]');
    return undefined;
  }
  const rectId = newRegionId();
  s.use('rect', s.category.id);
  s.result.push({
    id: rectId,
    type: 'rectanglelabels',
    value: {
      x: (b[0]! / s.W) * 100,
      y: (b[1]! / s.H) * 100,
      width: (b[2]! / s.W) * 100,
      height: (b[3]! / s.H) * 100,
      rotation: 0,
      rectanglelabels: [s.category.name],
    },
    from_name: s.names.rect,
    ...s.base,
  });
  s.addTag('rect');
  return rectId;
}

/** Every part of a polygon segmentation as a polygon region. */
export function addPolygons(s: AnnotationScope, polygons: readonly unknown[]): void {
  for (const [p, part] of polygons.entries()) {
    const nums = Array.isArray(part) ? part.map(Number) : [];
    if (nums.length < 6 || nums.length % 2 !== 0 || nums.some((v) => !Number.isFinite(v))) {
      s.skip('bad-polygon', `segmentation[${p}] is not a list of x, y pairs (at least 3 points)`);
      continue;
    }
    const points: [number, number][] = [];
    for (let k = 0; k < nums.length; k += 2)
      points.push([(nums[k]! / s.W) * 100, (nums[k + 1]! / s.H) * 100]);
    s.result.push({
      id: newRegionId(),
      type: 'polygonlabels',
      value: { points, polygonlabels: [s.category.name] },
      from_name: s.names.poly,
      ...s.base,
    });
    s.addTag('poly');
    s.use('poly', s.category.id);
  }
}

/** An RLE segmentation as a brush region, when it decodes and fits the image. */
export function addRle(s: AnnotationScope, rle: CocoRleInput): void {
  const { original_width: width, original_height: height } = s.base;
  try {
    const decoded = decodeCocoRle(rle);
    if (
      (width !== undefined && width !== decoded.width) ||
      (height !== undefined && height !== decoded.height)
    ) {
      s.skip(
        'rle-size-mismatch',
        `the RLE is ${decoded.width} × ${decoded.height}, the image ${width} × ${height}`,
      );
      return;
    }
    s.result.push({
      id: newRegionId(),
      type: 'brushlabels',
      value: { format: 'rle', rle: [...encodeBrushMask(decoded.mask)], brushlabels: [s.category.name] },
      from_name: s.names.brush,
      ...s.base,
      original_width: decoded.width,
      original_height: decoded.height,
    });
    s.addTag('brush');
    s.use('rect', s.category.id);
  } catch (error) {
    s.skip('bad-rle', `segmentation is not a valid COCO RLE: ${(error as Error).message}`);
  }
}

/** How the keypoints of an annotation are named and linked. */
export interface KeypointOptions {
  python: boolean;
  pointWidth: number;
  /** The rectangle the points belong to (`parentID`), when the bbox was imported. */
  rectId: string | undefined;
  /** Keypoint label names in the order met (the config's KeyPointLabels). */
  keypointLabels: string[];
}

/**
 * COCO keypoints `[x, y, v…]` → keypoint regions. The Python converter labels every
 * point with the category name and keeps unlabelled (v = 0) points as hidden; by
 * default the points are named by the category's `keypoints` list, v = 0 points are
 * left out and each point is linked to its box (`parentID`), which YOLO pose and
 * COCO keypoint exports need.
 */
export function addKeypoints(s: AnnotationScope, raw: unknown[], k: KeypointOptions): void {
  const nums = raw.map(Number);
  if (nums.length % 3 !== 0 || nums.some((v) => !Number.isFinite(v))) {
    s.skip('bad-keypoints', 'keypoints is not a list of x, y, visibility triples');
    return;
  }
  const { category } = s;
  for (let i = 0; i < nums.length; i += 3) {
    const [x, y, v] = [nums[i]!, nums[i + 1]!, nums[i + 2]!];
    const index = i / 3;
    const name = k.python ? category.name : (category.keypoints?.[index] ?? `${category.name}_${index}`);
    if (!k.python && !k.keypointLabels.includes(name)) k.keypointLabels.push(name);
    if (!k.python && v === 0) continue;
    const region: Result = {
      id: newRegionId(),
      type: 'keypointlabels',
      value: { x: (x / s.W) * 100, y: (y / s.H) * 100, width: k.pointWidth, keypointlabels: [name] },
      to_name: s.base.to_name,
      from_name: s.names.kp,
      image_rotation: 0,
      original_width: s.base.original_width,
      original_height: s.base.original_height,
    };
    if (v < 2 && k.python) (region.value as Record<string, unknown>).hidden = true;
    if (!k.python && k.rectId) region.parentID = k.rectId;
    s.result.push(region);
  }
}

/**
 * Drops the regions added since `before` that hold a number JSON cannot (NaN, Infinity):
 * without an image size (an RLE alone may place itself) or with absurd numbers, the
 * percentages divide by zero or overflow.
 */
export function dropUnplaceable(s: AnnotationScope, before: number): void {
  const bad = s.result.slice(before).filter((r) => !finiteNumbers(r.value));
  if (bad.length === 0) return;
  const kept = s.result.slice(before).filter((r) => !bad.includes(r));
  s.result.length = before;
  s.result.push(...kept);
  for (const _ of bad)
    s.skip(
      'bad-number',
      'the region cannot be placed: the image size is missing or its coordinates overflow',
    );
}

/**
 * Whether an annotation's bbox is only the envelope of its visible keypoints (as
 * Label Studio's COCO export writes it): such a box carries nothing of its own, so
 * it is not imported as a rectangle.
 */
export function keypointEnvelope(ann: Record<string, unknown>): boolean {
  if (!Array.isArray(ann.keypoints) || !Array.isArray(ann.bbox)) return false;
  const k = ann.keypoints.map(Number);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i + 2 < k.length; i += 3) {
    if (k[i + 2]! > 0) {
      xs.push(k[i]!);
      ys.push(k[i + 1]!);
    }
  }
  if (xs.length === 0) return true;
  const b = ann.bbox.map(Number);
  const env = [
    Math.min(...xs),
    Math.min(...ys),
    Math.max(...xs) - Math.min(...xs),
    Math.max(...ys) - Math.min(...ys),
  ];
  return env.every((v, i) => Math.abs(v - (b[i] ?? Number.NaN)) <= 1e-6);
}

/** Whether a segmentation is an RLE (`{counts, size}`) rather than polygons. */
export function isRle(seg: unknown): seg is CocoRleInput {
  return !!seg && typeof seg === 'object' && !Array.isArray(seg) && 'counts' in seg && 'size' in seg;
}

function finiteNumbers(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(finiteNumbers);
  if (typeof value === 'object' && value !== null) return Object.values(value).every(finiteNumbers);
  return true;
}
