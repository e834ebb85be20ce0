import type {
  ControlTag,
  ConversionReport,
  Item,
  LabelConfig,
  OutputValue,
  SkipEntry,
  Task,
} from '@lsconv/core';
import { labelText } from './labels.js';
import { pyAtan, pyCos, pyRadians, pySin } from './py-math.js';

/**
 * Helpers the computer-vision formats (COCO, VOC, YOLO) share: which data key holds the
 * image, category ids, image file names, and the geometry of rectangles and polygons.
 */

/** A COCO/YOLO category. Keypoint categories carry the keypoint names. */
export interface Category {
  id: number;
  name: string;
  supercategory?: string;
  keypoints?: string[];
  skeleton?: number[][];
}

/** Category list plus the lookup by label name. */
export interface CategoryTable {
  categories: Category[];
  byName: Map<string, number>;
}

/** Control types whose labels name object classes (not Choices, TextArea, …). */
export const SHAPE_CONTROL_TYPES: ReadonlySet<string> = new Set([
  'RectangleLabels',
  'PolygonLabels',
  'KeyPointLabels',
  'Labels',
  'Rectangle',
  'Polygon',
  'KeyPoint',
]);

/**
 * The data key that holds the image: the `value` of the first Image object a control
 * points at; else the config's first data key (the only one in every supported config).
 */
export function imageDataKey(config: LabelConfig): string | undefined {
  for (const control of config.controls.values()) {
    for (const input of control.inputs) {
      if (input.type === 'Image') return input.value ?? input.valueList;
    }
  }
  return config.dataKeys[0];
}

/** Parses an integer the way Python's `int(str)` does; undefined when it would raise. */
export function pyInt(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^[+-]?\d+(?:_\d+)*$/.test(trimmed)) return undefined;
  return Number.parseInt(trimmed.replace(/_/g, ''), 10);
}

/** Orders strings by code point, as Python's `sorted` does. */
export function codePointCompare(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const ca = ia.next();
    const cb = ib.next();
    if (ca.done || cb.done) return ca.done && cb.done ? 0 : ca.done ? -1 : 1;
    const d = ca.value.codePointAt(0)! - cb.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

/**
 * Category ids from the config: labels with `category="N"` get id N; the others,
 * sorted, take the lowest unused ids from 0. `shapeOnly` keeps only labels of shape
 * controls; the Python converter also counts Choices and every other control's labels.
 */
export function configCategories(
  config: LabelConfig,
  opts: { shapeOnly: boolean; report?: ConversionReport },
): CategoryTable {
  const controls = [...config.controls.values()].filter((c) => !opts.shapeOnly || isShapeControl(c));
  const labels = new Set<string>();
  const categories: Category[] = [];
  const byName = new Map<string, number>();
  for (const control of controls) {
    for (const label of control.labels) labels.add(label);
    for (const [label, attrs] of Object.entries(control.labelsAttrs)) {
      const raw = attrs.category;
      if (raw === undefined) continue;
      const id = pyInt(raw);
      if (id === undefined) {
        opts.report?.warn(
          `label "${label}" of ${control.name} has category="${raw}", which is not an integer; it gets the next free id`,
        );
        continue;
      }
      // The reference appends a second entry when two controls share a label with a category.
      if (opts.shapeOnly && byName.has(label)) continue;
      categories.push({ id, name: label });
      byName.set(label, id);
    }
  }
  const used = new Set(byName.values());
  let next = 0;
  for (const label of [...labels].filter((l) => !byName.has(l)).sort(codePointCompare)) {
    while (used.has(next)) next++;
    categories.push({ id: next, name: label });
    byName.set(label, next);
    used.add(next);
  }
  return { categories, byName };
}

/** True for a control whose labels are object classes of an image. */
export function isShapeControl(control: ControlTag): boolean {
  if (!SHAPE_CONTROL_TYPES.has(control.type)) return false;
  if (control.type === 'Labels')
    return control.inputs.length === 0 || control.inputs.some((i) => i.type === 'Image');
  return true;
}

/** Keypoint label names of every KeyPointLabels control, first occurrence kept. */
export function keypointLabelNames(config: LabelConfig): string[] {
  const names: string[] = [];
  for (const control of config.controls.values()) {
    if (control.type !== 'KeyPointLabels') continue;
    for (const label of control.labels) if (!names.includes(label)) names.push(label);
  }
  return names;
}

/** Rectangle label names of every RectangleLabels control, first occurrence kept. */
export function rectangleLabelNames(config: LabelConfig): string[] {
  const names: string[] = [];
  for (const control of config.controls.values()) {
    if (control.type !== 'RectangleLabels') continue;
    for (const label of control.labels) if (!names.includes(label)) names.push(label);
  }
  return names;
}

/**
 * Keypoint names in `model_index` order (labels without a valid `model_index` and
 * repeated indexes left out). Empty when no label has one.
 */
export function keypointOrder(config: LabelConfig): string[] {
  const attrs: Record<string, Readonly<Record<string, string>>> = {};
  for (const control of config.controls.values()) {
    if (control.type === 'KeyPointLabels') Object.assign(attrs, control.labelsAttrs);
  }
  const pairs: [number, string][] = [];
  const used = new Set<number>();
  for (const [name, a] of Object.entries(attrs)) {
    const index = a.model_index === undefined ? undefined : pyInt(a.model_index);
    if (index === undefined || used.has(index)) continue;
    pairs.push([index, name]);
    used.add(index);
  }
  return pairs.sort((a, b) => a[0] - b[0]).map(([, name]) => name);
}

/**
 * The class names of a region (`rectanglelabels`, `polygonlabels`, …, `labels`). A label
 * that is not a string reads as Python's `str()` prints it (`1`, `True`, `{'a': 1}`).
 */
export function regionLabels(value: OutputValue, keys: readonly string[]): string[] {
  for (const key of keys) {
    const list = value[key];
    if (Array.isArray(list) && list.length > 0) return list.map(labelText);
  }
  return [];
}

/** Every output value of an item, over all from_names, in result order. */
export function itemRegions(item: Item): OutputValue[] {
  const all: OutputValue[] = [];
  for (const key of Object.keys(item.output)) all.push(...(item.output[key] ?? []));
  return all;
}

/** The result `from_name` of each region of {@link itemRegions}, for report entries. */
export function itemRegionsWithIds(
  item: Pick<Item, 'output' | 'results'>,
): { value: OutputValue; regionId: string | undefined; fromName: string }[] {
  const all: { value: OutputValue; regionId: string | undefined; fromName: string }[] = [];
  for (const key of Object.keys(item.output)) {
    const values = item.output[key] ?? [];
    const results = item.results[key] ?? [];
    values.forEach((value, i) => {
      const id = results[i]?.id;
      all.push({
        value,
        regionId: typeof id === 'string' ? id : id === undefined ? undefined : String(id),
        fromName: key,
      });
    });
  }
  return all;
}

// ---------------------------------------------------------------- geometry

/** A point in pixels or normalised units. */
export type Point = readonly [number, number];

/**
 * Corners of a Label Studio rectangle (x, y = top-left corner *after* rotation,
 * rotation in degrees clockwise about that corner), in the units given:
 * top-left, top-right, bottom-right, bottom-left. `python` computes the angle as the
 * Python converter does (`math.radians`, then glibc's correctly rounded `cos`/`sin`),
 * so `--compat python` prints the same digits.
 */
export function rectangleCorners(
  x: number,
  y: number,
  w: number,
  h: number,
  rotationDeg: number,
  python = false,
): [Point, Point, Point, Point] {
  const r = python ? pyRadians(rotationDeg) : (rotationDeg * Math.PI) / 180;
  const cos = python ? pyCos(r) : Math.cos(r);
  const sin = python ? pySin(r) : Math.sin(r);
  return [
    [x, y],
    [x + w * cos, y + w * sin],
    [x + w * cos - h * sin, y + w * sin + h * cos],
    [x - h * sin, y + h * cos],
  ];
}

/** Axis-aligned envelope `[x, y, w, h]` of points. */
export function envelope(points: readonly Point[]): [number, number, number, number] {
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (const [px, py] of points) {
    if (px < minX) minX = px;
    if (py < minY) minY = py;
    if (px > maxX) maxX = px;
    if (py > maxY) maxY = py;
  }
  return [minX, minY, maxX - minX, maxY - minY];
}

/** Shoelace area of a polygon given as coordinate lists. */
export function polygonArea(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  if (n === 0) return 0;
  let a = 0;
  let b = 0;
  for (let i = 0; i < n; i++) {
    const prev = (i + n - 1) % n;
    a += xs[i]! * ys[prev]!;
    b += ys[i]! * xs[prev]!;
  }
  return 0.5 * Math.abs(a - b);
}

/**
 * The Python converter's COCO rotation (`rotated_rectangle`): the envelope of the
 * rotated box computed in *percent* units, so it is distorted when the image is not
 * square. Kept only for `--compat python`.
 */
export function percentRotatedEnvelope(
  x: number,
  y: number,
  w: number,
  h: number,
  rotation: number,
): [number, number, number, number] {
  if (!(Math.abs(rotation) > 0)) return [x, y, w, h];
  // The reference's operations in its order, with glibc's correctly rounded functions.
  const alpha = pyAtan(h / w);
  const beta = Math.PI * (rotation / 180);
  const radius = Math.sqrt((w / 2) ** 2 + (h / 2) ** 2);
  const cx = x - radius * (pyCos(Math.PI - alpha - beta) - pyCos(Math.PI - alpha)) + w / 2;
  const cy = y + radius * (pySin(Math.PI - alpha - beta) - pySin(Math.PI - alpha)) + h / 2;
  const angles = [alpha + beta, Math.PI - alpha + beta, Math.PI + alpha + beta, 2 * Math.PI - alpha + beta];
  const xs = angles.map((t) => cx + radius * pyCos(t));
  const ys = angles.map((t) => cy + radius * pySin(t));
  const minX = Math.min(...xs);
  const minY = Math.min(...ys);
  return [minX, minY, Math.max(...xs) - minX, Math.max(...ys) - minY];
}

/** A number, when the value is a finite number. */
export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A number above 0 (an image dimension), else undefined: 0, negative or not finite is no size. */
export function positiveNum(value: unknown): number | undefined {
  const n = num(value);
  return n !== undefined && n > 0 ? n : undefined;
}

/** Clamps to [lo, hi]. */
export function clamp(value: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, value));
}

/**
 * Counts regions whose coordinates fell outside the image and were clipped, and
 * writes one report line at the end.
 */
export class ClipCounter {
  count = 0;
  private example: string | undefined;
  /** Records one clipped region. */
  add(taskId: unknown, regionId: string | undefined): void {
    this.count++;
    this.example ??= `task ${String(taskId)}${regionId ? `, region ${regionId}` : ''}`;
  }
  /** Writes the report line, when something was clipped. */
  flush(report: ConversionReport, format: string): void {
    if (this.count > 0) {
      report.tally('clipped', this.count);
      report.warn(
        `${format}: ${this.count} region(s) reached outside the image and were clipped to its borders (first: ${this.example}); use --compat python to keep raw coordinates`,
      );
    }
  }
}

/** The image size of an item from its regions' `original_width/height`, when any has them. */
export function sizeFromRegions(
  regions: readonly OutputValue[],
): { width: number; height: number } | undefined {
  for (const r of regions) {
    const w = positiveNum(r.original_width);
    const h = positiveNum(r.original_height);
    if (w !== undefined && h !== undefined) return { width: w, height: h };
  }
  return undefined;
}

/**
 * The image reference of a task: `data[dataKey]` when it is a non-empty string; for a
 * list of images, the last string in it (the reference takes the last one it can
 * resolve), unless `lists` is false. Undefined when there is none.
 */
export function taskImageUrl(task: Task, dataKey: string | undefined, lists = true): string | undefined {
  let raw = dataKey === undefined ? undefined : task.data?.[dataKey];
  if (lists && Array.isArray(raw)) raw = raw.findLast((r) => typeof r === 'string');
  return typeof raw !== 'string' || raw === '' ? undefined : raw;
}

/** The skip entry of a task without an image reference (see {@link taskImageUrl}). */
export function missingImageSkip(task: Task, taskIndex: number, dataKey: string | undefined): SkipEntry {
  return {
    taskIndex,
    taskId: task.id,
    kind: 'task',
    code: 'missing-image',
    reason: `task data has no image reference in "${dataKey}"`,
    field: `data.${dataKey}`,
  };
}
