import {
  type ConversionReport,
  type ExportContext,
  type Item,
  type LabelConfig,
  LsconvError,
  type OutputValue,
  type UniqueNames,
} from '@lsconv/core';
import {
  type Category,
  type ClipCounter,
  configCategories,
  imageDataKey,
  itemRegionsWithIds,
  keypointLabelNames,
  keypointOrder,
  num,
  positiveNum,
  pyRepr,
  pyReprJoin,
  rectangleLabelNames,
  unwritableLabel,
  type VisionOptionValues,
} from '@lsconv/format-kit';
import type { ImageSize, YoloBox } from './yolo-geometry.js';

/** What the YOLO prepare step and both export paths share: classes, label lines, the run's state. */

/** Which YOLO format: oriented boxes or not, images copied or not. */
export type Variant = { obb: boolean; withImages: boolean };

export type YoloContext = ExportContext<VisionOptionValues & { readonly flipIdx: string }>;

/**
 * The label lines of one item. A line whose label is in the labeling config is
 * complete; a line whose label is not gets its class id in `export`, where new classes
 * are numbered in input order: `unknown` lists `[name, line index]` pairs in the order
 * the labels were met (index -1: the reference numbers the label without writing a line).
 */
export interface YoloItemLines {
  lines: string[];
  unknown: (string | number)[];
  /** Keypoints written inside pose lines: regions besides the lines' own rectangles. */
  keypoints?: number;
}

/** One task's label lines, as computed before any file is looked at. */
export interface YoloTaskLines {
  /** Per item (`python`, where the last item wins; null: the item writes an empty file only if none exists), or one entry for the whole task (`default`). */
  items: (YoloItemLines | null)[];
  /** Clipped regions: count, and the first one for the report's example. */
  clips: number;
  clipTaskId?: unknown;
  clipRegionId?: string | undefined;
}

/** What the lines of an item are made of. */
export type YoloItem = Pick<Item, 'id' | 'taskIndex' | 'output' | 'results'>;

/** The class table and pose settings the labeling config gives, before any task is read. */
export interface YoloClasses {
  categories: Category[];
  byName: Map<string, number>;
  keypoints: boolean;
  kpOrder: string[];
  dataKey: string | undefined;
}

/** The classes of a labeling config, in the mode's numbering. */
export function configClasses(
  config: LabelConfig,
  python: boolean,
  report: ConversionReport | undefined,
): YoloClasses {
  const keypoints = [...config.controls.values()].some((c) => c.type === 'KeyPointLabels');
  let categories: Category[];
  let byName: Map<string, number>;
  const kpOrder = keypointOrder(config);
  if (keypoints) {
    const kpNames = keypointLabelNames(config);
    if (!python) for (const name of kpNames) if (!kpOrder.includes(name)) kpOrder.push(name);
    categories = rectangleLabelNames(config).map((name, id) => ({ id, name, keypoints: kpNames }));
    byName = new Map(categories.map((c) => [c.name, c.id]));
  } else {
    ({ categories, byName } = configCategories(config, { shapeOnly: !python, report }));
  }
  for (const { name } of categories) {
    const reason = unwritableLabel(name, 'lines');
    if (reason === undefined) continue;
    // The Python converter writes it as it is (and its classes.txt shifts); compat python does too, and says so.
    if (python) report?.warn(`${reason}: classes.txt shifts after it, as in the Python converter`);
    else
      throw new LsconvError('UNSUPPORTED_CONFIG', `${reason} (classes.txt)`, {
        hint: 'rename the label in the labeling config, or use --compat python to write it as the Python converter does',
      });
  }
  return { categories, byName, keypoints, kpOrder, dataKey: imageDataKey(config) };
}

/**
 * Why a region's label cannot become a class (a label outside the config that holds a
 * line break: classes.txt would split it and shift every later class), or undefined.
 */
export function unwritableName(
  names: readonly string[],
  byName: ReadonlyMap<string, number>,
): string | undefined {
  for (const name of names) {
    if (byName.has(name)) continue;
    const reason = unwritableLabel(name, 'lines');
    if (reason !== undefined) return reason;
  }
  return undefined;
}

// A worker prepares many tasks with one config: derive its classes once (read-only in prepare).
const classesCache = new WeakMap<LabelConfig, Map<boolean, YoloClasses>>();

/** {@link configClasses} of a config, derived once per config and mode (prepare only reads them). */
export function cachedClasses(config: LabelConfig, python: boolean): YoloClasses {
  let byMode = classesCache.get(config);
  if (!byMode) {
    byMode = new Map();
    classesCache.set(config, byMode);
  }
  let classes = byMode.get(python);
  if (!classes) {
    // Config warnings are export's to report, once.
    classes = configClasses(config, python, undefined);
    byMode.set(python, classes);
  }
  return classes;
}

/** What computing label lines reads: the format, the mode, the variant and the config's classes. */
export interface LineContext {
  format: string;
  python: boolean;
  variant: Variant;
  classes: YoloClasses;
}

/** Builds the lines of one item; knows the config's classes only (see {@link YoloItemLines}). */
export class LineBuilder {
  readonly out: YoloItemLines = { lines: [], unknown: [] };
  constructor(private readonly byName: ReadonlyMap<string, number>) {}
  /** Meets a label: its class id when known, else the position of its pending slot. */
  meet(name: string): number | string {
    const id = this.byName.get(name);
    if (id !== undefined) return id;
    this.out.unknown.push(name, -1);
    return `${this.out.unknown.length - 1}`;
  }
  /** Adds a line for a label met with {@link meet}. */
  line(cls: number | string, tail: string): void {
    if (typeof cls === 'number') {
      this.out.lines.push(`${cls}${tail}`);
    } else {
      this.out.unknown[Number(cls)] = this.out.lines.length;
      this.out.lines.push(tail);
    }
  }
}

/** The numbers of a label line after the class id, each preceded by a space. */
export function lineTail(values: readonly number[]): string {
  return values.length === 0 ? '' : ` ${pyReprJoin(values)}`;
}

/** A pose line being built: the rectangle's class and box, its keypoints by label. */
export interface PoseRect {
  cls: number;
  box: YoloBox;
  kp: Map<string, [number, number, number]>;
  /** The region id of each keypoint in `kp`, for the report. */
  kpIds?: Map<string, string | undefined>;
  /** The rectangle's own region id, for the report. */
  regionId?: string | undefined;
}

/** Why a keypoint has no place in a pose line: reported, never dropped in silence. */
export type LostKeypoint = (regionId: string | undefined, code: string, reason: string) => void;

/**
 * Puts a keypoint on its rectangle's pose line. A second keypoint with the same label on
 * one rectangle replaces the first (the line has one place per label, and the Python
 * converter keeps the later one too); the replaced one is reported.
 */
export function placeKeypoint(
  rect: PoseRect,
  label: string,
  point: [number, number, number],
  regionId: string | undefined,
  lost: LostKeypoint,
): void {
  rect.kpIds ??= new Map();
  if (rect.kp.has(label)) {
    lost(
      rect.kpIds.get(label),
      'duplicate-keypoint',
      `another keypoint of the same rectangle has the label "${label}"; a pose line has one place per label, and the later keypoint is kept`,
    );
  }
  rect.kp.set(label, point);
  rect.kpIds.set(label, regionId);
}

/**
 * The pose lines of an item's rectangles, and how many keypoints they hold. A keypoint
 * whose label is not in the config's keypoint order has no place in the line: reported.
 */
export function finishPose(
  rects: Iterable<PoseRect>,
  order: readonly string[],
  lost: LostKeypoint,
): { lines: string[]; keypoints: number } {
  const lines: string[] = [];
  let keypoints = 0;
  for (const rect of rects) {
    for (const label of rect.kp.keys()) {
      if (order.includes(label)) keypoints++;
      else
        lost(
          rect.kpIds?.get(label),
          'keypoint-not-in-config',
          `keypoint label "${label}" is not a label of the config's KeyPointLabels, so the pose line has no place for it`,
        );
    }
    lines.push(poseLine(rect, order));
  }
  return { lines, keypoints };
}

/** A pose line: the box, then every keypoint of `order` (`0.0 0.0 0` where missing). */
export function poseLine(rect: PoseRect, order: readonly string[]): string {
  let line = `${rect.cls}${lineTail(rect.box)}`;
  for (const name of order) {
    const kp = rect.kp.get(name);
    line += kp ? ` ${pyRepr(kp[0])} ${pyRepr(kp[1])} ${kp[2]}` : ' 0.0 0.0 0';
  }
  return line;
}

/** An export run's classes (grown by labels outside the config), clip count and label file names. */
export interface YoloState extends YoloClasses {
  clips: ClipCounter;
  names: UniqueNames;
  /** With --split: each split met, with its image names. */
  splits: Map<string, UniqueNames>;
}

/** The item's lines with every label missing from the config numbered, in the order met. */
export function resolveClasses(ctx: YoloContext, state: YoloState, item: YoloItemLines): string[] {
  const { lines, unknown } = item;
  for (let i = 0; i < unknown.length; i += 2) {
    const id = categoryId(ctx, state, unknown[i] as string);
    const at = unknown[i + 1] as number;
    if (at >= 0) lines[at] = `${id}${lines[at]}`;
  }
  return lines;
}

/** Lines, each ended by a newline. */
export function joinLines(lines: readonly string[]): string {
  let text = '';
  for (const line of lines) text += `${line}\n`;
  return text;
}

/** The class id of a label; a label outside the config gets the next id (and a warning outside compat mode). */
export function categoryId(ctx: YoloContext, state: YoloState, name: string): number {
  let id = state.byName.get(name);
  if (id === undefined) {
    // The reference appends labels missing from the config with id = number of classes.
    id =
      ctx.compat === 'python'
        ? state.categories.length
        : state.categories.reduce((m, c) => Math.max(m, c.id + 1), 0);
    state.byName.set(name, id);
    state.categories.push({ id, name });
    if (ctx.compat !== 'python')
      ctx.report.warn(`${ctx.format}: label "${name}" is not in the labeling config; it got class id ${id}`);
    else {
      const reason = unwritableLabel(name, 'lines');
      if (reason !== undefined)
        ctx.report.warn(`${reason}: classes.txt shifts after it, as in the Python converter`);
    }
  }
  return id;
}

/** The image size the items' regions carry, if any. */
export function imageSize(items: readonly YoloItem[]): ImageSize | undefined {
  for (const item of items) {
    for (const { value } of itemRegionsWithIds(item)) {
      const size = regionImageSize(value);
      if (size) return size;
    }
  }
  return undefined;
}

/** A region's own image size (`original_width/height`), if valid. */
export function regionImageSize(value: OutputValue): ImageSize | undefined {
  const w = positiveNum(value.original_width);
  const h = positiveNum(value.original_height);
  return w !== undefined && h !== undefined ? { width: w, height: h } : undefined;
}

/** A rectangle's numbers, when all four are numeric (rotation 0 when absent). */
export function numericRect(
  value: OutputValue,
): { x: number; y: number; width: number; height: number; rotation?: number } | undefined {
  const x = num(value.x);
  const y = num(value.y);
  const width = num(value.width);
  const height = num(value.height);
  if (x === undefined || y === undefined || width === undefined || height === undefined) return undefined;
  return { x, y, width, height, rotation: num(value.rotation) ?? 0 };
}
