import {
  type ConversionReport,
  defineFormat,
  type ExportContext,
  type Item,
  JsonArraySpill,
  type LabelConfig,
  LsconvError,
  type OutputValue,
  type PrepareContext,
  prefetchAhead,
  type Task,
  taskItems,
} from '@lsconv/core';
import {
  annotationMode,
  annotatorOf,
  type Category,
  ClipCounter,
  clamp,
  classifyImageRef,
  configCategories,
  envelope,
  exportDate,
  imageDataKey,
  imageDirOf,
  itemRegionsWithIds,
  keypointLabelNames,
  keypointOrder,
  locateImage,
  missingImageSkip,
  num,
  type Point,
  percentRotatedEnvelope,
  polygonArea,
  pyDateTime,
  pyJsonNumber,
  pyJsonNumbers,
  pyRound,
  rectangleCorners,
  referenceSupports,
  regionLabels,
  sizeFromRegions,
  taskImageUrl,
  type VisionOptionValues,
  visionOptions,
} from '@lsconv/format-kit';

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

const options = visionOptions('COCO file_name values point into it');

/** COCO: `result.json` (images, categories, annotations, info) and an `images/` folder. */
export const coco = defineFormat({
  id: 'COCO',
  menuPosition: 5,
  title: 'COCO',
  description:
    'Popular machine learning format used by the COCO dataset for object detection and image segmentation tasks with polygons and rectangles.',
  link: 'https://labelstud.io/guide/export.html#COCO',
  tags: ['image segmentation', 'object detection'],
  output: 'folder',
  options,
  supports: referenceSupports('COCO'),
  prepare: prepareCoco,
  export: (tasks, ctx) => exportCoco(tasks, ctx, false),
});

/** COCO with the images copied or downloaded into `images/`. */
export const cocoWithImages = defineFormat({
  id: 'COCO_WITH_IMAGES',
  menuPosition: 6,
  title: 'COCO with Images',
  description: 'COCO format with the images downloaded or copied into the images/ folder of the export.',
  link: 'https://labelstud.io/guide/export.html#COCO',
  tags: ['image segmentation', 'object detection'],
  output: 'folder',
  options,
  supports: referenceSupports('COCO_WITH_IMAGES'),
  prepare: prepareCoco,
  export: (tasks, ctx) => exportCoco(tasks, ctx, true),
});

type CocoContext = ExportContext<VisionOptionValues>;

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

/** COCO keypoints `[x, y, v, …]` in `order`, from keypoint regions (pixels, rounded, v = 2). */
export function cocoKeypoints(
  regions: readonly OutputValue[],
  order: readonly string[],
  size?: { width: number; height: number },
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
function keypointProblem(
  kp: OutputValue,
  order: readonly string[],
  size?: { width: number; height: number },
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

/** Reports the keypoints that cannot be placed; returns how many can (each is a region written). */
function placeableKeypoints(
  ctx: CocoContext,
  loc: { taskIndex: number; taskId: unknown },
  regions: readonly { value: OutputValue; regionId?: string | undefined }[],
  order: readonly string[],
  size?: { width: number; height: number },
): number {
  let placed = 0;
  for (const { value, regionId } of regions) {
    const problem = keypointProblem(value, order, size);
    if (problem === undefined) placed++;
    else ctx.report.skip({ ...loc, regionId, kind: 'region', code: 'unplaced-keypoint', reason: problem });
  }
  return placed;
}

/** COCO bbox of the visible keypoints, `[0, 0, 0, 0]` when none is visible. */
export function keypointsBbox(keypoints: readonly number[]): number[] {
  const points: Point[] = [];
  for (let i = 0; i + 2 < keypoints.length; i += 3)
    if (keypoints[i + 2]! > 0) points.push([keypoints[i]!, keypoints[i + 1]!]);
  return points.length ? envelope(points) : [0, 0, 0, 0];
}

async function exportCoco(
  tasks: AsyncIterable<PreparedCoco>,
  ctx: CocoContext,
  withImages: boolean,
): Promise<void> {
  const imageDir = imageDirOf(ctx);
  await ctx.sink.mkdir(imageDir);
  const images = await JsonArraySpill.create('coco-images');
  const annotations = await JsonArraySpill.create('coco-annotations');
  try {
    const state = ctx.compat === 'python' ? pythonState(ctx) : defaultState(ctx);
    const upcoming = prefetchAhead(
      tasks,
      ctx.resources,
      (prepared) => mediaRef(prepared, state.dataKey, withImages),
      { copy: withImages },
    );
    for await (const prepared of upcoming) {
      if (prepared === null) continue;
      const { body, regions, items } = prepared;
      if (items) {
        for (const item of items)
          await pythonItem(ctx, state, item, images, annotations, imageDir, withImages);
      } else if (body) {
        const task = { ...prepared, url: prepared.url! };
        await writeTask(ctx, state, task, body, images, annotations, imageDir, withImages);
      } else if (regions) {
        const task = { ...prepared, url: prepared.url! };
        await sizelessTask(ctx, state, task, regions, images, annotations, imageDir, withImages);
      }
    }
    state.clips.flush(ctx.report, ctx.format);
    const categories =
      ctx.compat === 'python' ? state.categories : [...state.categories].sort((a, b) => a.id - b.id);
    const out = await ctx.sink.createFile('result.json');
    await out.write('{\n"images": [\n');
    await images.pipeTo(out);
    await out.write(`\n],\n"categories": ${JSON.stringify(categories, null, 2)},\n"annotations": [\n`);
    await annotations.pipeTo(out);
    await out.write(`\n],\n"info": ${JSON.stringify(cocoInfo(), null, 2)}\n}\n`);
    await out.close();
    ctx.report.itemsWritten += images.count;
    ctx.report.regionsWritten += annotations.count;
  } finally {
    await images.dispose();
    await annotations.dispose();
  }
}

/** The COCO `info` block; `SOURCE_DATE_EPOCH` pins the date for reproducible builds. */
export function cocoInfo(now: Date = exportDate()): Record<string, unknown> {
  return {
    year: now.getUTCFullYear(),
    version: '1.0',
    description: '',
    contributor: 'Label Studio',
    url: '',
    date_created: pyDateTime(now, 'utc'),
  };
}

interface CocoState {
  categories: Category[];
  byName: Map<string, number>;
  dataKey: string | undefined;
  clips: ClipCounter;
  kpOrder: string[];
}

function pythonState(ctx: CocoContext): CocoState {
  const { categories, byName } = pythonCocoCategories(ctx);
  return {
    categories,
    byName,
    dataKey: imageDataKey(ctx.config),
    clips: new ClipCounter(),
    kpOrder: keypointOrder(ctx.config),
  };
}

function defaultState(ctx: CocoContext): CocoState {
  return { ...defaultCategories(ctx.config, ctx.report), clips: new ClipCounter() };
}

/** The default mode's categories, keypoint order and image key, from the labeling config. */
function defaultCategories(
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

function cachedCategories(config: LabelConfig): Omit<CocoState, 'clips'> {
  let found = categoriesCache.get(config);
  if (!found) {
    // Config warnings are export's to report, once.
    found = defaultCategories(config, undefined);
    categoriesCache.set(config, found);
  }
  return found;
}

function categoryFor(state: CocoState, name: string, ctx: CocoContext): number {
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

function nextFreeId(categories: readonly Category[]): number {
  return categories.length ? Math.max(...categories.map((c) => c.id)) + 1 : 0;
}

const PY_LABEL_KEYS = ['rectanglelabels', 'polygonlabels', 'keypointlabels', 'labels'] as const;

/** One item, exactly as the Python converter's `convert_to_coco` loop body. */
async function pythonItem(
  ctx: CocoContext,
  state: CocoState,
  item: PythonCocoItem,
  images: JsonArraySpill,
  annotations: JsonArraySpill,
  imageDir: string,
  withImages: boolean,
): Promise<void> {
  const loc = { taskIndex: item.taskIndex, taskId: item.id };
  const raw = state.dataKey === undefined ? undefined : item.input[state.dataKey];
  if (typeof raw !== 'string') {
    ctx.report.skip({
      ...loc,
      kind: 'task',
      code: 'missing-image',
      reason: `task data has no image reference in "${state.dataKey}"`,
      field: `data.${state.dataKey}`,
    });
    return;
  }
  const image = await locateImage(ctx, raw, {
    imageDir,
    copy: withImages,
    taskId: item.id,
    taskIndex: item.taskIndex,
    field: `data.${state.dataKey}`,
  });
  const imageId = images.count;
  let width: number | null = null;
  let height: number | null = null;
  if (image.localPath || image.copied) {
    const info = await ctx.resources.imageInfo(raw, { taskId: item.id, taskIndex: item.taskIndex });
    if (info) {
      width = info.width;
      height = info.height;
      await images.push({ width, height, id: imageId, file_name: image.fileName });
    }
  }
  const regions = itemRegionsWithIds(item);
  if (Object.keys(item.output).length === 0) {
    if (!width) await images.push({ width, height, id: imageId, file_name: image.fileName });
    return;
  }
  const keypointRegions: OutputValue[] = [];
  let annotationId = annotations.count;
  for (const { value: label, regionId } of regions) {
    const rloc = { ...loc, regionId };
    const names = regionLabels(label, PY_LABEL_KEYS);
    const categoryName = names[0];
    if (categoryName === undefined) {
      ctx.report.skip({
        ...rloc,
        kind: 'region',
        code: 'unsupported-region',
        reason: `${label.type} results have no rectangle, polygon or keypoint label; COCO cannot carry them`,
      });
      continue;
    }
    if (!height || !width) {
      const ow = label.original_width;
      const oh = label.original_height;
      if (ow === undefined || oh === undefined) {
        ctx.report.skip({
          ...rloc,
          kind: 'region',
          code: 'missing-image-size',
          reason: 'region has no original_width/original_height and the image size is unknown',
        });
        continue;
      }
      width = ow as number;
      height = oh as number;
      await images.push({ width, height, id: imageId, file_name: image.fileName });
    }
    const categoryId = categoryFor(state, categoryName, ctx);
    annotationId = annotations.count;
    let written: CocoAnnotation | undefined;
    if ('rectanglelabels' in label || 'labels' in label) {
      const x0 = label.x as number;
      const y0 = label.y as number;
      const w0 = label.width as number;
      const h0 = label.height as number;
      if (!('x' in label && 'y' in label && 'width' in label && 'height' in label)) {
        ctx.report.skip({
          ...rloc,
          kind: 'region',
          code: 'missing-coordinates',
          reason: 'rectangle has no x, y, width or height',
        });
        continue;
      }
      const rotation = 'rotation' in label ? (label.rotation as number) : 0;
      const [px, py, pw, ph] = percentRotatedEnvelope(x0, y0, w0, h0, rotation);
      const ow = label.original_width as number;
      const oh = label.original_height as number;
      const x = (px * ow) / 100;
      const y = (py * oh) / 100;
      const w = (pw * ow) / 100;
      const h = (ph * oh) / 100;
      written = {
        id: annotationId,
        image_id: imageId,
        category_id: categoryId,
        segmentation: [],
        bbox: [x, y, w, h],
        ignore: 0,
        iscrowd: 0,
        area: w * h,
      };
    } else if ('polygonlabels' in label) {
      const points = Array.isArray(label.points) ? (label.points as [number, number][]) : [];
      // The Python converter crashes on such a point; we report the region instead.
      if (!points.every((p) => Array.isArray(p) && typeof p[0] === 'number' && typeof p[1] === 'number')) {
        ctx.report.skip({
          ...rloc,
          kind: 'region',
          code: 'missing-coordinates',
          reason: 'polygon has a point that is not a pair of numbers [x, y]',
        });
        continue;
      }
      const abs = points.map(
        ([px, py]) => [(px / 100) * (width as number), (py / 100) * (height as number)] as const,
      );
      const xs = abs.map((p) => p[0]);
      const ys = abs.map((p) => p[1]);
      written = {
        id: annotationId,
        image_id: imageId,
        category_id: categoryId,
        segmentation: [abs.flat()],
        bbox: envelope(abs),
        ignore: 0,
        iscrowd: 0,
        area: polygonArea(xs, ys),
      };
    } else {
      keypointRegions.push(label);
      continue;
    }
    if (process.env.LABEL_STUDIO_FORCE_ANNOTATOR_EXPORT) written.annotator = annotatorOf(item);
    await annotations.push(withPythonFloats(written));
  }
  if (keypointRegions.length) {
    if (state.kpOrder.length === 0) {
      throw new LsconvError(
        'UNSUPPORTED_CONFIG',
        'COCO keypoints need a model_index on every KeyPointLabels label',
        {
          format: ctx.format,
          taskIndex: item.taskIndex,
          taskId: item.id,
          hint: 'add model_index="0", "1", … to the <Label> tags of KeyPointLabels (as the Python converter requires), or export without --compat python',
        },
      );
    }
    const keypoints = cocoKeypoints(keypointRegions, state.kpOrder);
    // The points are merged into one annotation: count each placed point as a region.
    const placed = placeableKeypoints(
      ctx,
      loc,
      keypointRegions.map((value) => ({ value })),
      state.kpOrder,
    );
    ctx.report.regionsWritten += placed - 1;
    await annotations.push({
      id: annotations.count,
      image_id: imageId,
      category_id: state.byName.get(state.kpOrder[0]!) ?? 0,
      keypoints,
      num_keypoints: countVisible(keypoints),
      bbox: keypointsBbox(keypoints),
      iscrowd: 0,
    });
  }
}

/**
 * A box or polygon annotation with its coordinates and area spelled as the Python
 * converter's ujson writes them: they are floats there (`x * width / 100`), so an
 * integral one prints `128.0`.
 */
function withPythonFloats(annotation: CocoAnnotation): Record<string, unknown> {
  const { segmentation, bbox, area } = annotation;
  return {
    ...annotation,
    ...(segmentation ? { segmentation: segmentation.map((part) => pyJsonNumbers(part)) } : {}),
    bbox: pyJsonNumbers(bbox),
    ...(area === undefined ? {} : { area: pyJsonNumber(area) }),
  };
}

function countVisible(keypoints: readonly number[]): number {
  let n = 0;
  for (let i = 2; i < keypoints.length; i += 3) if (keypoints[i]! > 0) n++;
  return n;
}

const RECT_TYPES = new Set(['RectangleLabels', 'Rectangle', 'Labels']);
const POLY_TYPES = new Set(['PolygonLabels', 'Polygon']);
const KP_TYPES = new Set(['KeyPointLabels', 'KeyPoint']);

/**
 * One task's annotations in default mode, as JSON text after `category_id`, with the
 * category ids known from the config: running ids, labels outside the config and the
 * `default` keypoint category are numbered in `export`, in input order.
 */
export interface CocoTaskBody {
  /** Category id per annotation (placeholders where `unknown` or `orphans` name it). */
  categoryIds: number[];
  /** Per annotation, the JSON text after `category_id`: `,"segmentation":…}`. */
  tails: string[];
  /** `[label, annotation index]` pairs for labels outside the config, in the order met (-1: no annotation came of it). */
  unknown: (string | number)[];
  /** Index of the annotation holding keypoints without a parent rectangle (category `default`), or -1. */
  orphans: number;
  /** Regions written as keypoints merged into annotations, beyond one per annotation. */
  keypointRegions: number;
  clips: number;
  clipTaskId?: unknown;
  clipRegionId?: string | undefined;
}

/**
 * The image a prepared task will read, for the resolver to fetch ahead: every image when
 * they are copied; otherwise only for tasks converted in `export` (compat python, or the
 * size must come from the file), and not http URLs, which stay names.
 */
function mediaRef(prepared: PreparedCoco, dataKey: string | undefined, withImages: boolean) {
  if (prepared === null) return undefined;
  const { url, body } = prepared;
  if (!withImages && body) return undefined;
  if (url === undefined || (!withImages && classifyImageRef(url) === 'http')) return undefined;
  return {
    url,
    context: { taskId: prepared.taskId, taskIndex: prepared.taskIndex, field: `data.${dataKey}` },
  };
}

/** A region of a task, with its result id. */
type CocoRegion = ReturnType<typeof itemRegionsWithIds>[number];

/** What the compat python path reads of an item (`input` holds the image field only). */
export type PythonCocoItem = Pick<Item, 'id' | 'taskIndex' | 'input' | 'output' | 'results' | 'completed_by'>;

/**
 * What `prepare` hands `export` for one task (null: nothing to write): plain data, so
 * it crosses threads. Exactly one of `body`, `regions` and `items` is set.
 */
export type PreparedCoco = null | {
  taskId: unknown;
  taskIndex: number;
  /** The image reference. */
  url: string | undefined;
  /** Default mode, image size in the results: the image entry's size and the annotations. */
  body?: CocoTaskBody & { width: number; height: number };
  /** Default mode, no image size in the results: the regions, converted once the file is read. */
  regions?: CocoRegion[];
  /** Compat python: the items, converted in `export` (the reference looks at the image once per item). */
  items?: PythonCocoItem[];
};

/** The per-task step of COCO (may run on a worker thread). */
export function prepareCoco(task: Task, pctx: PrepareContext): PreparedCoco {
  const python = pctx.compat === 'python';
  const items = taskItems(task, {
    config: pctx.config,
    report: pctx.report,
    taskIndex: pctx.taskIndex,
    withRegionIds: !python,
    annotations: annotationMode(pctx),
  });
  if (items.length === 0) return null;
  const base = { taskId: task.id, taskIndex: pctx.taskIndex };
  if (python) {
    const dataKey = imageDataKey(pctx.config);
    return {
      ...base,
      url: taskImageUrl(task, dataKey, false),
      items: items.map((item) => ({
        id: item.id,
        taskIndex: item.taskIndex,
        input: dataKey === undefined ? {} : { [dataKey]: item.input[dataKey] },
        output: item.output,
        results: item.results,
        completed_by: item.completed_by,
      })),
    };
  }
  const statics = cachedCategories(pctx.config);
  const url = taskImageUrl(task, statics.dataKey);
  if (url === undefined) {
    pctx.report.skip(missingImageSkip(task, pctx.taskIndex, statics.dataKey));
    return null;
  }
  const regions = items.flatMap((item) => itemRegionsWithIds(item));
  const size = sizeFromRegions(regions.map((r) => r.value));
  if (!size) return { ...base, url, regions };
  return {
    ...base,
    url,
    body: { ...taskBody(task.id, pctx.taskIndex, regions, size, statics, pctx.report), ...size },
  };
}

/** A default-mode task whose image size is not in its results: looked up in the file first. */
async function sizelessTask(
  ctx: CocoContext,
  state: CocoState,
  task: { taskId: unknown; taskIndex: number; url: string },
  regions: readonly CocoRegion[],
  images: JsonArraySpill,
  annotations: JsonArraySpill,
  imageDir: string,
  withImages: boolean,
): Promise<void> {
  const { url, taskId, taskIndex } = task;
  const field = `data.${state.dataKey}`;
  let size = sizeFromRegions(regions.map((r) => r.value));
  // Only look for the image file when the results do not give its size.
  const image = await locateImage(ctx, url, {
    imageDir,
    copy: withImages,
    resolve: !size,
    taskId,
    taskIndex,
    field,
  });
  if (!size && (image.localPath || image.copied)) {
    const info = await ctx.resources.imageInfo(url, { taskId, taskIndex, field });
    if (info) size = { width: info.width, height: info.height };
  }
  const imageId = images.count;
  await images.push({
    width: size?.width ?? null,
    height: size?.height ?? null,
    id: imageId,
    file_name: image.fileName,
  });
  if (!size) {
    ctx.report.skip({
      taskIndex,
      taskId,
      kind: 'resource',
      code: 'missing-image-size',
      reason:
        'image size unknown (no original_width/height in the results and the image could not be read); width and height are null',
      field,
    });
  }
  const body = taskBody(taskId, taskIndex, regions, size, state, ctx.report);
  await writeBody(ctx, state, body, imageId, annotations);
}

/** A prepared default-mode task: its image entry, then its annotations. */
async function writeTask(
  ctx: CocoContext,
  state: CocoState,
  task: { taskId: unknown; taskIndex: number; url: string },
  body: CocoTaskBody & { width: number; height: number },
  images: JsonArraySpill,
  annotations: JsonArraySpill,
  imageDir: string,
  withImages: boolean,
): Promise<void> {
  const { taskId, taskIndex } = task;
  const image = await locateImage(ctx, task.url, {
    imageDir,
    copy: withImages,
    resolve: false,
    taskId,
    taskIndex,
    field: `data.${state.dataKey}`,
  });
  const imageId = images.count;
  await images.push({ width: body.width, height: body.height, id: imageId, file_name: image.fileName });
  await writeBody(ctx, state, body, imageId, annotations);
}

/** Numbers a task's categories and annotations, and writes them. */
async function writeBody(
  ctx: CocoContext,
  state: CocoState,
  body: CocoTaskBody,
  imageId: number,
  annotations: JsonArraySpill,
): Promise<void> {
  ctx.report.regionsWritten += body.keypointRegions;
  if (body.clips > 0) {
    state.clips.add(body.clipTaskId, body.clipRegionId);
    state.clips.count += body.clips - 1;
  }
  const { categoryIds, tails, unknown } = body;
  for (let i = 0; i < unknown.length; i += 2) {
    const id = categoryFor(state, unknown[i] as string, ctx);
    const at = unknown[i + 1] as number;
    if (at >= 0) categoryIds[at] = id;
  }
  if (body.orphans >= 0) categoryIds[body.orphans] = defaultKeypointCategory(state);
  for (let i = 0; i < tails.length; i++) {
    await annotations.pushJson(
      `{"id":${annotations.count},"image_id":${imageId},"category_id":${categoryIds[i]}${tails[i]}`,
    );
  }
}

/** The id of the `default` category that holds keypoints without a parent rectangle (added when first needed). */
function defaultKeypointCategory(state: CocoState): number {
  let id = state.byName.get('default');
  if (id === undefined || !state.categories.some((c) => c.id === id && c.keypoints)) {
    id = nextFreeId(state.categories);
    state.categories.push({
      id,
      name: 'default',
      supercategory: 'default',
      keypoints: state.kpOrder,
      skeleton: [],
    });
    state.byName.set('default', id);
  }
  return id;
}

/** The JSON of an annotation after its `category_id`, starting with a comma. */
function jsonTail(fields: Omit<CocoAnnotation, 'id' | 'image_id' | 'category_id'>): string {
  return `,${JSON.stringify(fields).slice(1)}`;
}

/**
 * One task in default mode: every region of the selected annotation(s), categories known
 * from `byName` only; skipped regions go to `skips` (prepare's report, or export's when
 * the size came from the file).
 */
function taskBody(
  taskId: unknown,
  taskIndex: number,
  regions: readonly CocoRegion[],
  size: { width: number; height: number } | undefined,
  statics: Pick<CocoState, 'byName' | 'kpOrder'>,
  skips: ConversionReport,
): CocoTaskBody {
  const body: CocoTaskBody = {
    categoryIds: [],
    tails: [],
    unknown: [],
    orphans: -1,
    keypointRegions: 0,
    clips: 0,
  };
  const loc = { taskIndex, taskId };
  const pending: { annotation: Omit<CocoAnnotation, 'id' | 'image_id'>; regionId: string | undefined }[] = [];
  const keypoints: { value: OutputValue; regionId: string | undefined }[] = [];
  for (const { value, regionId } of regions) {
    const rloc = { ...loc, regionId };
    const type = value.type;
    const isRect = RECT_TYPES.has(type) && 'x' in value && 'width' in value;
    const isPoly = POLY_TYPES.has(type) || (type === 'Labels' && Array.isArray(value.points));
    const isKp = KP_TYPES.has(type) || (type === 'Labels' && 'x' in value && !('width' in value));
    if (!isRect && !isPoly && !isKp) {
      skips.skip({
        ...rloc,
        kind: 'region',
        code: 'unsupported-region',
        reason: `COCO cannot carry ${type} results (only rectangles, polygons and keypoints)`,
      });
      continue;
    }
    const names = regionLabels(value, ['rectanglelabels', 'polygonlabels', 'keypointlabels', 'labels']);
    if (isKp) {
      keypoints.push({ value, regionId });
      continue;
    }
    const name = names[0];
    if (name === undefined) {
      skips.skip({
        ...rloc,
        kind: 'region',
        code: 'no-label',
        reason: 'region has no label, so it has no category',
      });
      continue;
    }
    const W = num(value.original_width) ?? size?.width;
    const H = num(value.original_height) ?? size?.height;
    if (W === undefined || H === undefined) {
      skips.skip({
        ...rloc,
        kind: 'region',
        code: 'missing-image-size',
        reason: 'image size unknown, so percent coordinates cannot become pixels',
      });
      continue;
    }
    // The category is numbered before the coordinates are checked, as the single-threaded export always did.
    let categoryId = statics.byName.get(name);
    if (categoryId === undefined) body.unknown.push(name, -1);
    const unknownAt = categoryId === undefined ? body.unknown.length - 1 : -1;
    const shape = isRect ? rectanglePixels(value, W, H) : polygonPixels(value, W, H);
    if (!shape) {
      skips.skip({
        ...rloc,
        kind: 'region',
        code: 'missing-coordinates',
        reason: isRect
          ? 'rectangle has no numeric x, y, width and height'
          : 'polygon has fewer than 3 numeric points',
      });
      continue;
    }
    if (shape.clipped && body.clips++ === 0) {
      body.clipTaskId = taskId;
      body.clipRegionId = regionId;
    }
    if (unknownAt >= 0) {
      body.unknown[unknownAt] = pending.length;
      categoryId = 0;
    }
    pending.push({
      regionId,
      annotation: {
        category_id: categoryId!,
        segmentation: shape.segmentation,
        bbox: shape.bbox,
        ignore: 0,
        iscrowd: 0,
        area: shape.area,
      },
    });
  }
  const placed = { count: 0 };
  const orphans = attachKeypoints(
    skips,
    statics.kpOrder,
    taskId,
    taskIndex,
    size,
    pending,
    keypoints,
    placed,
  );
  // Each placed point counts as a region; the `default` annotation holding orphans is not one more.
  body.keypointRegions = placed.count - (orphans ? 1 : 0);
  for (const { annotation } of pending) {
    const { category_id, ...fields } = annotation;
    body.categoryIds.push(category_id);
    body.tails.push(jsonTail(fields));
  }
  if (orphans) {
    body.orphans = body.tails.length;
    body.categoryIds.push(0);
    body.tails.push(jsonTail(orphans));
  }
  return body;
}

/**
 * Links keypoints to their parent rectangle (`parentID`); returns the fields of the one
 * annotation the rest become (category `default`), if any.
 */
function attachKeypoints(
  skips: ConversionReport,
  kpOrder: readonly string[],
  taskId: unknown,
  taskIndex: number,
  size: { width: number; height: number } | undefined,
  pending: { annotation: Omit<CocoAnnotation, 'id' | 'image_id'>; regionId: string | undefined }[],
  keypoints: { value: OutputValue; regionId: string | undefined }[],
  placed: { count: number },
): Omit<CocoAnnotation, 'id' | 'image_id' | 'category_id'> | undefined {
  if (keypoints.length === 0) return undefined;
  const byParent = new Map<string, OutputValue[]>();
  const orphans: OutputValue[] = [];
  const parents = new Set(pending.map((p) => p.regionId).filter((id): id is string => id !== undefined));
  for (const { value, regionId } of keypoints) {
    if (regionLabels(value, ['keypointlabels', 'labels']).length === 0) {
      skips.skip({
        taskIndex,
        taskId,
        regionId,
        kind: 'region',
        code: 'no-label',
        reason: 'keypoint has no label',
      });
      continue;
    }
    const parent = typeof value.parentID === 'string' ? value.parentID : undefined;
    // Points are merged into their parent's (or the `default`) annotation: count each placed one as a region.
    const problem = keypointProblem(keypointValue(value), kpOrder, size);
    if (problem === undefined) placed.count++;
    else
      skips.skip({ taskIndex, taskId, regionId, kind: 'region', code: 'unplaced-keypoint', reason: problem });
    if (parent && parents.has(parent)) {
      const list = byParent.get(parent) ?? [];
      list.push(keypointValue(value));
      byParent.set(parent, list);
    } else orphans.push(keypointValue(value));
  }
  for (const p of pending) {
    const children = p.regionId === undefined ? undefined : byParent.get(p.regionId);
    if (!children) continue;
    const kps = cocoKeypoints(children, kpOrder, size);
    p.annotation.keypoints = kps;
    p.annotation.num_keypoints = countVisible(kps);
  }
  if (orphans.length === 0) return undefined;
  const kps = cocoKeypoints(orphans, kpOrder, size);
  return { keypoints: kps, num_keypoints: countVisible(kps), bbox: keypointsBbox(kps), iscrowd: 0 };
}

function keypointValue(value: OutputValue): OutputValue {
  if (Array.isArray(value.keypointlabels) || !Array.isArray(value.labels)) return value;
  return { ...value, keypointlabels: value.labels };
}

interface PixelShape {
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
