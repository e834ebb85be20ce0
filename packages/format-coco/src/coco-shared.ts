import type { ConversionReport, ExportContext, JsonArraySpill, LabelConfig, OutputValue } from '@lsconv/core';
import {
  type Category,
  type ClipCounter,
  cocoInfoBlock,
  configCategories,
  envelope,
  exportDate,
  imageDataKey,
  type itemRegionsWithIds,
  keypointLabelNames,
  keypointOrder,
  num,
  type Point,
  pyRound,
  type VisionOptionValues,
} from '@lsconv/format-kit';

/** Helpers the COCO prepare step and both export paths share: categories, keypoints, the run's state. */

/** One entry of COCO `images`. */
export interface CocoImage {
  width: number | null;
  height: number | null;
  id: number;
  file_name: string;
}

/** One entry of COCO `annotations`. */
export interface CocoAnnotation {
  id: number;
  image_id: number;
  category_id: number;
  segmentation?: number[][];
  bbox: number[];
  ignore?: number;
  iscrowd: number;
  area?: number;
  keypoints?: number[];
  num_keypoints?: number;
  annotator?: unknown;
}

export type CocoContext = ExportContext<VisionOptionValues>;

/** Image size in pixels. */
export interface ImageSize {
  width: number;
  height: number;
}

/** A region of a task, with its result id. */
export type CocoRegion = ReturnType<typeof itemRegionsWithIds>[number];

/** The categories, keypoint order and image key an export run numbers against. */
export interface CocoState {
  categories: Category[];
  byName: Map<string, number>;
  dataKey: string | undefined;
  clips: ClipCounter;
  kpOrder: string[];
}

/** What the tasks of one export run share: the context, the state, the two spills and where images go. */
export interface CocoRun {
  ctx: CocoContext;
  state: CocoState;
  images: JsonArraySpill;
  annotations: JsonArraySpill;
  imageDir: string;
  withImages: boolean;
}

/**
 * The Python converter's categories for COCO: every control's labels (Choices too),
 * then the KeyPointLabels labels replaced by one merged `default` category.
 */
export function pythonCocoCategories(ctx: Pick<CocoContext, 'config' | 'report'>): {
  categories: Category[];
  byName: Map<string, number>;
} {
  const { categories, byName } = configCategories(ctx.config, { shapeOnly: false, report: ctx.report });
  const kpNames = keypointLabelNames(ctx.config);
  if (kpNames.length === 0) return { categories, byName };
  const kept = categories.filter((c) => !kpNames.includes(c.name));
  const mapping = new Map<string, number>(kept.map((c) => [c.name, c.id]));
  const merged = kept.length ? Math.max(...kept.map((c) => c.id)) + 1 : 0;
  kept.push({ id: merged, name: 'default', supercategory: 'default', keypoints: kpNames, skeleton: [] });
  for (const name of kpNames) mapping.set(name, merged);
  return { categories: kept, byName: mapping };
}

/** The default mode's categories, keypoint order and image key, from the labeling config. */
export function defaultCategories(
  config: LabelConfig,
  report: ConversionReport | undefined,
): Omit<CocoState, 'clips'> {
  const { categories, byName } = configCategories(config, { shapeOnly: true, report });
  // Labels without model_index still get a place: config order after the indexed ones.
  const kpOrder = keypointOrder(config);
  for (const name of keypointLabelNames(config)) if (!kpOrder.includes(name)) kpOrder.push(name);
  const kpNames = new Set(keypointLabelNames(config));
  const shapes = categories.filter((c) => !kpNames.has(c.name));
  const mapping = new Map([...byName].filter(([name]) => !kpNames.has(name)));
  if (kpOrder.length) {
    const rectNames = new Set<string>();
    for (const control of config.controls.values()) {
      if (control.type === 'RectangleLabels') for (const l of control.labels) rectNames.add(l);
    }
    for (const c of shapes)
      if (rectNames.has(c.name))
        Object.assign(c, { supercategory: c.name, keypoints: kpOrder, skeleton: [] });
  }
  return { categories: shapes, byName: mapping, dataKey: imageDataKey(config), kpOrder };
}

// A worker prepares many tasks with one config: derive its categories once (read-only in prepare).
const categoriesCache = new WeakMap<LabelConfig, Omit<CocoState, 'clips'>>();

/** {@link defaultCategories} of a config, derived once per config (prepare only reads them). */
export function cachedCategories(config: LabelConfig): Omit<CocoState, 'clips'> {
  let found = categoriesCache.get(config);
  if (!found) {
    // Config warnings are export's to report, once.
    found = defaultCategories(config, undefined);
    categoriesCache.set(config, found);
  }
  return found;
}

/** The category id of a label; a label outside the config gets the next id (and a warning outside compat mode). */
export function categoryFor(state: CocoState, name: string, ctx: CocoContext): number {
  let id = state.byName.get(name);
  if (id === undefined) {
    // The reference appends labels missing from the config with id = number of categories.
    id = ctx.compat === 'python' ? state.categories.length : nextFreeId(state.categories);
    state.byName.set(name, id);
    state.categories.push({ id, name });
    if (ctx.compat !== 'python')
      ctx.report.warn(
        `${ctx.format}: label "${name}" is not in the labeling config; it got category id ${id}`,
      );
  }
  return id;
}

/** One more than the largest category id (0 for none). */
export function nextFreeId(categories: readonly Category[]): number {
  return categories.length ? Math.max(...categories.map((c) => c.id)) + 1 : 0;
}

/** COCO keypoints `[x, y, v, …]` in `order`, from keypoint regions (pixels, rounded, v = 2). */
export function cocoKeypoints(
  regions: readonly OutputValue[],
  order: readonly string[],
  size?: ImageSize,
): number[] {
  const keypoints = new Array<number>(order.length * 3).fill(0);
  for (const kp of regions) {
    const width = num(kp.original_width) ?? size?.width;
    const height = num(kp.original_height) ?? size?.height;
    const x0 = num(kp.x);
    const y0 = num(kp.y);
    if (width === undefined || height === undefined || x0 === undefined || y0 === undefined) continue;
    const x = (x0 / 100) * width;
    const y = (y0 / 100) * height;
    const labels = Array.isArray(kp.keypointlabels) ? kp.keypointlabels.map(String) : [];
    const v = labels.length ? 2 : 0;
    for (const label of labels) {
      const idx = order.indexOf(label);
      if (idx < 0) continue;
      keypoints[3 * idx] = pyRound(x);
      keypoints[3 * idx + 1] = pyRound(y);
      keypoints[3 * idx + 2] = v;
    }
  }
  return keypoints;
}

/**
 * Why {@link cocoKeypoints} cannot place a keypoint region (it leaves such points out
 * of the list), or undefined when it can: the report names every one.
 */
export function keypointProblem(
  kp: OutputValue,
  order: readonly string[],
  size?: ImageSize,
): string | undefined {
  if (
    (num(kp.original_width) ?? size?.width) === undefined ||
    (num(kp.original_height) ?? size?.height) === undefined
  )
    return 'image size unknown, so the keypoint cannot be placed in pixels';
  if (num(kp.x) === undefined || num(kp.y) === undefined) return 'keypoint has no numeric x and y';
  const labels = Array.isArray(kp.keypointlabels) ? kp.keypointlabels.map(String) : [];
  if (!labels.some((l) => order.includes(l)))
    return 'keypoint label is not a KeyPointLabels label of the config';
  return undefined;
}

/** COCO bbox of the visible keypoints, `[0, 0, 0, 0]` when none is visible. */
export function keypointsBbox(keypoints: readonly number[]): number[] {
  const points: Point[] = [];
  for (let i = 0; i + 2 < keypoints.length; i += 3)
    if (keypoints[i + 2]! > 0) points.push([keypoints[i]!, keypoints[i + 1]!]);
  return points.length ? envelope(points) : [0, 0, 0, 0];
}

/** How many keypoints of `[x, y, v, …]` are visible. */
export function countVisible(keypoints: readonly number[]): number {
  let n = 0;
  for (let i = 2; i < keypoints.length; i += 3) if (keypoints[i]! > 0) n++;
  return n;
}

/**
 * The COCO `info` block. The Python converter writes `datetime.now()`, the time of its
 * process's zone (`local`, what `--compat python` writes); lsconv's default writes UTC.
 * `SOURCE_DATE_EPOCH` pins the date for reproducible builds.
 */
export function cocoInfo(now: Date = exportDate(), zone: 'utc' | 'local' = 'utc'): Record<string, unknown> {
  return cocoInfoBlock({ description: '', contributor: 'Label Studio', url: '' }, zone, now);
}
