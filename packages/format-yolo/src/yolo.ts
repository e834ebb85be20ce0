import {
  type ConversionReport,
  defineFormat,
  type ExportContext,
  type Item,
  type LabelConfig,
  type OutputValue,
  type PrepareContext,
  prefetchAhead,
  type Task,
  taskItems,
  UniqueNames,
} from '@lsconv/core';
import {
  annotationMode,
  annotationOption,
  type Category,
  ClipCounter,
  clamp,
  configCategories,
  envelope,
  exportDate,
  imageDataKey,
  itemRegionsWithIds,
  keypointLabelNames,
  keypointOrder,
  locateImage,
  missingImageSkip,
  num,
  type Point,
  pyRepr,
  pyReprJoin,
  rectangleCorners,
  rectangleLabelNames,
  referenceSupports,
  safeFileName,
  safeStem,
  taskImageUrl,
  urlBaseName,
} from '@lsconv/format-kit';

/** Image size in pixels. */
export interface ImageSize {
  width: number;
  height: number;
}

/** A YOLO box: centre and size, normalised to the image (0…1). */
export type YoloBox = readonly [xc: number, yc: number, w: number, h: number];

const options = {
  imageDir: {
    type: 'string',
    default: 'images',
    flag: 'image-dir',
    pythonFlag: 'image-dir',
    description: 'Folder inside the output for the images (created even when empty).',
  },
  annotation: annotationOption,
} as const;

type Variant = { obb: boolean; withImages: boolean };

function yoloFormat(id: string, title: string, description: string, variant: Variant, menuPosition: number) {
  const prepare = (task: Task, pctx: PrepareContext): PreparedYolo => prepareYolo(task, pctx, variant);
  return defineFormat({
    id,
    menuPosition,
    title,
    description,
    link: 'https://labelstud.io/guide/export.html#YOLO',
    tags: ['image segmentation', 'object detection'],
    output: 'folder',
    options,
    supports: referenceSupports(id),
    prepare,
    export: (tasks, ctx) => exportYolo(tasks, ctx, variant),
  });
}

/** YOLO: `classes.txt`, `notes.json`, `labels/<image>.txt` (boxes, polygons or pose lines), `images/`. */
export const yolo = yoloFormat(
  'YOLO',
  'YOLO',
  'Popular TXT format: one text file per image with a line per object (class, centre, size, all normalised), and a classes.txt. Polygons become YOLO segmentation lines and keypoints YOLO pose lines.',
  { obb: false, withImages: false },
  8,
);

/** YOLO with the images copied or downloaded into `images/`. */
export const yoloWithImages = yoloFormat(
  'YOLO_WITH_IMAGES',
  'YOLO with Images',
  'YOLO format with the images downloaded or copied into the images/ folder of the export.',
  { obb: false, withImages: true },
  9,
);

/** YOLOv8 OBB: one line per rotated box with its four corners, normalised. */
export const yoloObb = yoloFormat(
  'YOLO_OBB',
  'YOLOv8 OBB',
  'YOLO oriented bounding boxes (Ultralytics OBB): a line per object with the class and the four corners of the rotated box, normalised.',
  { obb: true, withImages: false },
  10,
);

/** YOLOv8 OBB with the images copied or downloaded into `images/`. */
export const yoloObbWithImages = yoloFormat(
  'YOLO_OBB_WITH_IMAGES',
  'YOLOv8 OBB with Images',
  'YOLO OBB format with the images downloaded or copied into the images/ folder of the export.',
  { obb: true, withImages: true },
  11,
);

type YoloContext = ExportContext<{ readonly imageDir: string; readonly annotation: string }>;

// ---------------------------------------------------------------- pure helpers

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
 * `kpt_shape` for pose datasets. Train and val both point at `images` (no split).
 */
export function dataYaml(categories: readonly Category[], keypointCount?: number): string {
  const names = classNames(categories);
  const lines = [
    '# Ultralytics dataset config written by lsconv; split images/ into train and val sets as you need.',
    'path: .',
    'train: images',
    'val: images',
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

// ---------------------------------------------------------------- prepare

/**
 * The label lines of one item. A line whose label is in the labeling config is
 * complete; a line whose label is not gets its class id in `export`, where new classes
 * are numbered in input order: `unknown` lists `[name, line index]` pairs in the order
 * the labels were met (index -1: the reference numbers the label without writing a line).
 */
export interface YoloItemLines {
  lines: string[];
  unknown: (string | number)[];
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

/**
 * What `prepare` hands `export` for one task (null: nothing to write): plain data, so
 * it crosses threads. Exactly one of `lines` and `items` is set.
 */
export type PreparedYolo = null | {
  taskId: unknown;
  taskIndex: number;
  /** The image reference (the last string of a list). */
  url: string;
  /** Whether a region carries the image size (`original_width/height`). */
  hasSize: boolean;
  /** The label lines. */
  lines?: YoloTaskLines;
  /** The items, when the lines need the image file's size (rotated boxes without original_width/height). */
  items?: YoloItem[];
};

/** The class table and pose settings the labeling config gives, before any task is read. */
interface YoloClasses {
  categories: Category[];
  byName: Map<string, number>;
  keypoints: boolean;
  kpOrder: string[];
  dataKey: string | undefined;
}

function configClasses(
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
  return { categories, byName, keypoints, kpOrder, dataKey: imageDataKey(config) };
}

// A worker prepares many tasks with one config: derive its classes once (read-only in prepare).
const classesCache = new WeakMap<LabelConfig, Map<boolean, YoloClasses>>();

function cachedClasses(config: LabelConfig, python: boolean): YoloClasses {
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

/** The per-task step of the YOLO formats (may run on a worker thread). */
function prepareYolo(task: Task, pctx: PrepareContext, variant: Variant): PreparedYolo {
  const python = pctx.compat === 'python';
  const classes = cachedClasses(pctx.config, python);
  const items = taskItems(task, {
    config: pctx.config,
    report: pctx.report,
    taskIndex: pctx.taskIndex,
    withRegionIds: classes.keypoints,
    annotations: annotationMode(pctx),
  });
  if (items.length === 0) return null;
  const url = taskImageUrl(task, classes.dataKey);
  if (url === undefined) {
    pctx.report.skip(missingImageSkip(task, pctx.taskIndex, classes.dataKey));
    return null;
  }
  const hasSize = imageSize(items) !== undefined;
  const base = { taskId: task.id, taskIndex: pctx.taskIndex, url, hasSize };
  if (!python && !hasSize && needsImageSize(items, variant)) {
    const slim = items.map(({ id, taskIndex, output, results }) => ({ id, taskIndex, output, results }));
    return { ...base, items: slim };
  }
  const lc = { format: pctx.format, python, variant, classes };
  return { ...base, lines: taskLines(items, lc, undefined, pctx.report) };
}

/** Whether a region's numbers depend on the image size when no region carries it. */
function needsImageSize(items: readonly YoloItem[], variant: Variant): boolean {
  for (const item of items) {
    for (const { value } of itemRegionsWithIds(item)) {
      if (variant.obb || (num(value.rotation) ?? 0) % 360 !== 0) return true;
    }
  }
  return false;
}

interface LineContext {
  format: string;
  python: boolean;
  variant: Variant;
  classes: YoloClasses;
}

/** Builds the lines of one item; knows the config's classes only (see {@link YoloItemLines}). */
class LineBuilder {
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
function lineTail(values: readonly number[]): string {
  return values.length === 0 ? '' : ` ${pyReprJoin(values)}`;
}

/** The lines of a task; skipped regions go to `skips` (prepare's report, or export's when the size came from the file). */
function taskLines(
  items: readonly YoloItem[],
  lc: LineContext,
  size: ImageSize | undefined,
  skips: ConversionReport,
): YoloTaskLines {
  const result: YoloTaskLines = { items: [], clips: 0 };
  const clip = (taskId: unknown, regionId: string | undefined) => {
    if (result.clips++ === 0) {
      result.clipTaskId = taskId;
      result.clipRegionId = regionId;
    }
  };
  if (lc.python) {
    for (const item of items) result.items.push(pythonItemLines(lc, skips, item));
  } else {
    const builder = new LineBuilder(lc.classes.byName);
    for (const item of items) defaultItemLines(lc, skips, clip, builder, item, size);
    result.items.push(builder.out);
  }
  return result;
}

// ---------------------------------------------------------------- export

interface YoloState extends YoloClasses {
  clips: ClipCounter;
  names: UniqueNames;
}

async function exportYolo(
  tasks: AsyncIterable<PreparedYolo>,
  ctx: YoloContext,
  variant: Variant,
): Promise<void> {
  const python = ctx.compat === 'python';
  const imageDir = (ctx.options.imageDir || 'images').replace(/\/+$/, '');
  await ctx.sink.mkdir(imageDir);
  await ctx.sink.mkdir('labels');
  const state: YoloState = {
    ...configClasses(ctx.config, python, ctx.report),
    clips: new ClipCounter(),
    names: new UniqueNames(),
  };
  const upcoming = prefetchAhead(
    tasks,
    ctx.resources,
    (prepared) => mediaRef(prepared, state.dataKey, variant.withImages, python),
    { copy: variant.withImages },
  );
  for await (const prepared of upcoming) {
    if (prepared === null) continue;
    const { lines, items } = prepared;
    if (lines) await exportTask(ctx, state, variant, prepared, lines, imageDir);
    else if (items) await exportSizelessTask(ctx, state, variant, prepared, items, imageDir);
  }
  state.clips.flush(ctx.report, ctx.format);
  // The reference writes classes in list order, so an explicit category="N" puts names on the
  // wrong lines; line i must be class i for every YOLO trainer.
  const classes = python ? state.categories.map((c) => c.name) : classNames(state.categories);
  if (!python && classes.length > state.categories.length) {
    ctx.report.warn(
      `${ctx.format}: class ids have gaps (category="N" in the config); the missing lines of classes.txt are named unused-<id>`,
    );
  }
  await ctx.sink.writeFile('classes.txt', classes.map((name) => `${name}\n`).join(''));
  const year = exportDate().getUTCFullYear();
  const notes = python ? state.categories : [...state.categories].sort((a, b) => a.id - b.id);
  await ctx.sink.writeFile(
    'notes.json',
    `${JSON.stringify({ categories: notes, info: { year, version: '1.0', contributor: 'Label Studio' } }, null, 2)}\n`,
  );
  if (!python)
    await ctx.sink.writeFile(
      'data.yaml',
      dataYaml(state.categories, state.keypoints ? state.kpOrder.length : undefined),
    );
}

/**
 * The image a prepared task will read, for the resolver to fetch ahead: every image when
 * they are copied; otherwise only the ones whose size must come from the file (lsconv's
 * default; the reference never reads them).
 */
function mediaRef(prepared: PreparedYolo, dataKey: string | undefined, withImages: boolean, python: boolean) {
  if (prepared === null) return undefined;
  if (!withImages && (python || prepared.hasSize)) return undefined;
  const { url, taskId, taskIndex } = prepared;
  return { url, context: { taskId, taskIndex, field: `data.${dataKey}` } };
}

/** A task whose lines need the image file's size: converted here, where the file can be read. */
async function exportSizelessTask(
  ctx: YoloContext,
  state: YoloState,
  variant: Variant,
  task: { taskId: unknown; taskIndex: number; url: string; hasSize: boolean },
  items: readonly YoloItem[],
  imageDir: string,
): Promise<void> {
  const python = ctx.compat === 'python';
  const lc: LineContext = { format: ctx.format, python, variant, classes: state };
  await exportTask(ctx, state, variant, task, (size) => taskLines(items, lc, size, ctx.report), imageDir);
}

/**
 * Writes one task's label file: image reference, unique name, optional copy, then the
 * lines with the class ids of labels missing from the config assigned in input order.
 */
async function exportTask(
  ctx: YoloContext,
  state: YoloState,
  variant: Variant,
  task: { taskId: unknown; taskIndex: number; url: string; hasSize: boolean },
  lines: YoloTaskLines | ((size: ImageSize | undefined) => YoloTaskLines),
  imageDir: string,
): Promise<void> {
  const python = ctx.compat === 'python';
  const { taskId, taskIndex, url } = task;
  const loc = { taskIndex, taskId };
  const field = `data.${state.dataKey}`;
  // The label files need the file only for rotated boxes without original_width/height.
  const image = await locateImage(ctx, url, {
    imageDir,
    copy: false,
    resolve: !python && !task.hasSize,
    taskId,
    taskIndex,
    field,
  });
  const stem = safeStem(image.baseName, 251);
  const unique = python ? stem : state.names.take(stem);
  if (!python && unique !== stem)
    ctx.report.warn(`${ctx.format}: two images are named "${stem}"; the later one is written as ${unique}`);
  if (variant.withImages) {
    const ext = extensionOf(image.baseName) || extensionOf(urlBaseName(url));
    const dest = `${imageDir}/${safeFileName(python ? image.baseName : `${unique}${ext}`)}`;
    const copied =
      ctx.sink.has(dest) || (await ctx.resources.copyTo(ctx.sink, url, dest, { taskId, taskIndex, field }));
    if (!copied && (!python || image.kind === 'cloud')) {
      ctx.report.skip({
        ...loc,
        kind: 'task',
        code: 'image-unavailable',
        reason: 'the image could not be copied into the export, so its label file is left out too',
        field,
      });
      return;
    }
  }
  const size = python || task.hasSize ? undefined : await sizeFromFile(ctx, image, url, taskId, taskIndex);
  const done = typeof lines === 'function' ? lines(size) : lines;
  if (done.clips > 0) {
    state.clips.add(done.clipTaskId, done.clipRegionId);
    state.clips.count += done.clips - 1;
  }
  const path = `labels/${unique}.txt`;
  let text: string | undefined;
  let regions = 0;
  if (python) {
    // Every item rewrites the same file, so the last item (the oldest annotation) wins.
    for (const item of done.items) {
      if (item === null) {
        if (text === undefined && !ctx.sink.has(path)) text = '';
        continue;
      }
      for (let i = 0; i < regions; i++) {
        ctx.report.skip({
          ...loc,
          kind: 'region',
          code: 'overwritten-annotation',
          reason:
            'with --compat python every annotation of a task writes the same label file, so the oldest annotation replaces the lines of the newer ones (as the Python converter does)',
        });
      }
      const itemLines = resolveClasses(ctx, state, item);
      text = state.keypoints ? itemLines.join('\n') : joinLines(itemLines);
      regions = itemLines.length;
    }
    if (text === undefined) return;
    if (ctx.sink.has(path)) {
      if (text !== '') {
        ctx.report.skip({
          ...loc,
          kind: 'task',
          code: 'duplicate-file-name',
          reason: `${path} was already written for another task with the same image name (the Python converter overwrites it)`,
        });
      }
      return;
    }
  } else {
    const itemLines = done.items[0] ? resolveClasses(ctx, state, done.items[0]) : [];
    text = joinLines(itemLines);
    regions = itemLines.length;
  }
  await ctx.sink.writeFile(path, text);
  ctx.report.itemsWritten++;
  ctx.report.regionsWritten += regions;
}

function joinLines(lines: readonly string[]): string {
  let text = '';
  for (const line of lines) text += `${line}\n`;
  return text;
}

/** The item's lines with every label missing from the config numbered, in the order met. */
function resolveClasses(ctx: YoloContext, state: YoloState, item: YoloItemLines): string[] {
  const { lines, unknown } = item;
  for (let i = 0; i < unknown.length; i += 2) {
    const id = categoryId(ctx, state, unknown[i] as string);
    const at = unknown[i + 1] as number;
    if (at >= 0) lines[at] = `${id}${lines[at]}`;
  }
  return lines;
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 && name.length - dot <= 8 ? name.slice(dot) : '';
}

function imageSize(items: readonly YoloItem[]): ImageSize | undefined {
  for (const item of items) {
    for (const { value } of itemRegionsWithIds(item)) {
      const w = num(value.original_width);
      const h = num(value.original_height);
      if (w !== undefined && h !== undefined && w > 0 && h > 0) return { width: w, height: h };
    }
  }
  return undefined;
}

async function sizeFromFile(
  ctx: YoloContext,
  image: { localPath?: string; copied: boolean },
  url: string,
  taskId: unknown,
  taskIndex: number,
): Promise<ImageSize | undefined> {
  if (!image.localPath) return undefined;
  const info = await ctx.resources.imageInfo(url, { taskId, taskIndex });
  return info ? { width: info.width, height: info.height } : undefined;
}

function categoryId(ctx: YoloContext, state: YoloState, name: string): number {
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
  }
  return id;
}

// ---------------------------------------------------------------- lines

/** The reference's lines for one item; null when it writes an empty file only if none exists. */
function pythonItemLines(lc: LineContext, skips: ConversionReport, item: YoloItem): YoloItemLines | null {
  if (Object.keys(item.output).length === 0) return null;
  const regions = itemRegionsWithIds(item);
  if (regions.length === 0) return null;
  const loc = { taskIndex: item.taskIndex, taskId: item.id };
  if (lc.classes.keypoints) return { lines: pythonPoseLines(lc, skips, item, regions), unknown: [] };
  const builder = new LineBuilder(lc.classes.byName);
  for (const { value, regionId } of regions) {
    const names: string[] = [];
    for (const key of ['rectanglelabels', 'polygonlabels', 'labels']) {
      const list = value[key];
      if (key in value && Array.isArray(list) && list.length > 0) names.push(...list.map(String));
    }
    if (names.length === 0) {
      skips.skip({
        ...loc,
        regionId,
        kind: 'region',
        code: 'unsupported-region',
        reason: `${lc.format} holds labelled rectangles and polygons only, not ${value.type} results`,
      });
      continue;
    }
    for (const name of names) {
      // The reference numbers the label before it checks the coordinates.
      const cls = builder.meet(name);
      if ('rectanglelabels' in value || 'rectangle' in value || 'labels' in value) {
        if (lc.variant.obb) {
          const ok = ['original_width', 'original_height', 'x', 'y', 'width', 'height', 'rotation'].every(
            (k) => k in value,
          );
          if (!ok) {
            skips.skip({
              ...loc,
              regionId,
              kind: 'region',
              code: 'missing-rotation',
              reason: 'the Python converter leaves out OBB rectangles without rotation or image size',
            });
            continue;
          }
          const corners = obbCorners(
            value as never,
            { width: value.original_width as number, height: value.original_height as number },
            true,
          );
          builder.line(cls, lineTail(corners.flat()));
        } else {
          const box = pythonYoloBox(value);
          if (!box) {
            skips.skip({
              ...loc,
              regionId,
              kind: 'region',
              code: 'missing-coordinates',
              reason: 'rectangle has no numeric x, y, width and height',
            });
            continue;
          }
          builder.line(cls, lineTail(box));
        }
      } else {
        // The Python converter fails on a point that is not an [x, y] pair; lsconv reports it.
        if (!Array.isArray(value.points) || !value.points.every((p) => Array.isArray(p) && p.length >= 2)) {
          skips.skip({
            ...loc,
            regionId,
            kind: 'region',
            code: 'missing-coordinates',
            reason: 'polygon has no points, or a point that is not an [x, y] pair',
          });
          continue;
        }
        const flat = (value.points as [number, number][]).flatMap(([x, y]) => [x / 100, y / 100]);
        builder.line(cls, lineTail(flat));
      }
    }
  }
  return builder.out;
}

interface PoseRect {
  cls: number;
  box: YoloBox;
  kp: Map<string, [number, number, number]>;
  regionId?: string | undefined;
}

/** The reference's pose lines: each rectangle with the keypoints whose parentID points at it. */
function pythonPoseLines(
  lc: LineContext,
  skips: ConversionReport,
  item: YoloItem,
  regions: ReturnType<typeof itemRegionsWithIds>,
): string[] {
  const loc = { taskIndex: item.taskIndex, taskId: item.id };
  const rects = new Map<unknown, PoseRect>();
  for (const { value, regionId } of regions) {
    if (value.type.toLowerCase() !== 'rectanglelabels') continue;
    const labels = Array.isArray(value.rectanglelabels) ? value.rectanglelabels : [];
    const cls = labels.length ? lc.classes.byName.get(String(labels[0])) : undefined;
    if (cls === undefined) {
      skips.skip({
        ...loc,
        regionId,
        kind: 'region',
        code: labels.length ? 'unknown-label' : 'no-label',
        reason: 'rectangle has no label of the RectangleLabels classes',
      });
      continue;
    }
    const x = (value.x as number) / 100;
    const y = (value.y as number) / 100;
    const w = (value.width as number) / 100;
    const h = (value.height as number) / 100;
    // The reference keys rectangles by id: a later one with the same id replaces the earlier.
    const replaced = rects.get(value.id);
    if (replaced)
      skips.skip({
        ...loc,
        regionId: replaced.regionId,
        kind: 'region',
        code: 'duplicate-region-id',
        reason: 'a later rectangle has the same id, and the Python converter keeps only the last one',
      });
    rects.set(value.id, { cls, box: [x + w / 2, y + h / 2, w, h], kp: new Map(), regionId });
  }
  for (const { value, regionId } of regions) {
    const type = value.type.toLowerCase();
    if (type === 'rectanglelabels') continue;
    if (type !== 'keypointlabels') {
      skips.skip({
        ...loc,
        regionId,
        kind: 'region',
        code: 'unsupported-region',
        reason: `a pose export holds rectangles with keypoints only, not ${value.type} results`,
      });
      continue;
    }
    const parent = rects.get(value.parentID);
    const labels = Array.isArray(value.keypointlabels) ? value.keypointlabels : [];
    if (!parent || value.parentID === undefined || labels.length === 0) {
      skips.skip({
        ...loc,
        regionId,
        kind: 'region',
        code: parent ? 'no-label' : 'keypoint-without-parent',
        reason: parent
          ? 'keypoint has no label'
          : 'keypoint has no parent rectangle (parentID), so no pose line can hold it',
      });
      continue;
    }
    parent.kp.set(String(labels[0]), [(value.x as number) / 100, (value.y as number) / 100, 2]);
  }
  return [...rects.values()].map((r) => poseLine(r, lc.classes.kpOrder));
}

function poseLine(rect: PoseRect, order: readonly string[]): string {
  let line = `${rect.cls}${lineTail(rect.box)}`;
  for (const name of order) {
    const kp = rect.kp.get(name);
    line += kp ? ` ${pyRepr(kp[0])} ${pyRepr(kp[1])} ${kp[2]}` : ' 0.0 0.0 0';
  }
  return line;
}

const RECT_TYPES = new Set(['RectangleLabels', 'Rectangle', 'Labels']);
const POLY_TYPES = new Set(['PolygonLabels', 'Polygon']);

type Clip = (taskId: unknown, regionId: string | undefined) => void;

/** Lines for one item in default mode: rotation applied, coordinates clipped, nothing dropped silently. */
function defaultItemLines(
  lc: LineContext,
  skips: ConversionReport,
  clip: Clip,
  builder: LineBuilder,
  item: YoloItem,
  size: ImageSize | undefined,
): void {
  const regions = itemRegionsWithIds(item);
  const loc = { taskIndex: item.taskIndex, taskId: item.id };
  if (lc.classes.keypoints) {
    builder.out.lines.push(...defaultPoseLines(lc, skips, clip, item, regions, size));
    return;
  }
  for (const { value, regionId } of regions) {
    const rloc = { ...loc, regionId };
    const isRect = RECT_TYPES.has(value.type) && 'x' in value && 'width' in value;
    const isPoly = POLY_TYPES.has(value.type) || (value.type === 'Labels' && Array.isArray(value.points));
    if (!isRect && !isPoly) {
      skips.skip({
        ...rloc,
        kind: 'region',
        code: 'unsupported-region',
        reason: `${lc.format} holds rectangles and polygons only; ${value.type} results are left out`,
      });
      continue;
    }
    const names: string[] = [];
    for (const key of ['rectanglelabels', 'polygonlabels', 'labels']) {
      const list = value[key];
      if (Array.isArray(list)) names.push(...list.map(String));
    }
    if (names.length === 0) {
      skips.skip({
        ...rloc,
        kind: 'region',
        code: 'no-label',
        reason: 'region has no label, so it has no class',
      });
      continue;
    }
    const regionSize = regionImageSize(value) ?? size;
    let numbers: number[] | undefined;
    let clipped = false;
    if (isRect) {
      const rect = numericRect(value);
      if (!rect) {
        skips.skip({
          ...rloc,
          kind: 'region',
          code: 'missing-coordinates',
          reason: 'rectangle has no numeric x, y, width and height',
        });
        continue;
      }
      if (lc.variant.obb) {
        let corners: Point[];
        if (regionSize) corners = obbCorners(rect, regionSize);
        else if ((rect.rotation ?? 0) % 360 === 0) {
          const { x, y, width: w, height: h } = rect;
          corners = [
            [x / 100, y / 100],
            [(x + w) / 100, y / 100],
            [(x + w) / 100, (y + h) / 100],
            [x / 100, (y + h) / 100],
          ];
        } else {
          skips.skip({
            ...rloc,
            kind: 'region',
            code: 'missing-image-size',
            reason: 'a rotated rectangle needs the image size (original_width/height) to get its corners',
          });
          continue;
        }
        const c = clipPoints(corners);
        numbers = c.points.flat();
        clipped = c.clipped;
      } else {
        const b = toYoloBox(rect, regionSize);
        if (!b) {
          skips.skip({
            ...rloc,
            kind: 'region',
            code: 'missing-image-size',
            reason: 'a rotated rectangle needs the image size (original_width/height) to get its box',
          });
          continue;
        }
        numbers = [...b.box];
        clipped = b.clipped;
      }
    } else {
      const points = Array.isArray(value.points) ? value.points : [];
      const pts: Point[] = [];
      for (const p of points)
        if (Array.isArray(p) && num(p[0]) !== undefined && num(p[1]) !== undefined)
          pts.push([(p[0] as number) / 100, (p[1] as number) / 100]);
      if (pts.length < 3 || pts.length !== points.length) {
        skips.skip({
          ...rloc,
          kind: 'region',
          code: 'missing-coordinates',
          reason: 'polygon needs at least 3 numeric points',
        });
        continue;
      }
      const c = clipPoints(pts);
      numbers = c.points.flat();
      clipped = c.clipped;
    }
    if (clipped) clip(item.id, regionId);
    const tail = lineTail(numbers);
    for (const name of names) builder.line(builder.meet(name), tail);
  }
}

function regionImageSize(value: OutputValue): ImageSize | undefined {
  const w = num(value.original_width);
  const h = num(value.original_height);
  return w !== undefined && h !== undefined && w > 0 && h > 0 ? { width: w, height: h } : undefined;
}

function numericRect(
  value: OutputValue,
): { x: number; y: number; width: number; height: number; rotation?: number } | undefined {
  const x = num(value.x);
  const y = num(value.y);
  const width = num(value.width);
  const height = num(value.height);
  if (x === undefined || y === undefined || width === undefined || height === undefined) return undefined;
  return { x, y, width, height, rotation: num(value.rotation) ?? 0 };
}

/** Pose lines in default mode: rotation applied to the box, keypoints clipped, orphans reported. */
function defaultPoseLines(
  lc: LineContext,
  skips: ConversionReport,
  clip: Clip,
  item: YoloItem,
  regions: ReturnType<typeof itemRegionsWithIds>,
  size: ImageSize | undefined,
): string[] {
  const loc = { taskIndex: item.taskIndex, taskId: item.id };
  const rects = new Map<unknown, PoseRect>();
  const lines: PoseRect[] = [];
  for (const { value, regionId } of regions) {
    if (value.type !== 'RectangleLabels') continue;
    const labels = Array.isArray(value.rectanglelabels) ? value.rectanglelabels : [];
    const cls = labels.length ? lc.classes.byName.get(String(labels[0])) : undefined;
    const rect = numericRect(value);
    if (cls === undefined || !rect) {
      skips.skip({
        ...loc,
        regionId,
        kind: 'region',
        code: rect ? 'no-label' : 'missing-coordinates',
        reason: rect
          ? 'rectangle has no label of the RectangleLabels classes'
          : 'rectangle has no numeric x, y, width and height',
      });
      continue;
    }
    const b = toYoloBox(rect, regionImageSize(value) ?? size);
    if (!b) {
      skips.skip({
        ...loc,
        regionId,
        kind: 'region',
        code: 'missing-image-size',
        reason: 'a rotated rectangle needs the image size (original_width/height) to get its box',
      });
      continue;
    }
    if (b.clipped) clip(item.id, regionId);
    const pose: PoseRect = { cls, box: b.box, kp: new Map(), regionId };
    lines.push(pose);
    // Keypoints name their rectangle by id: the first rectangle of an id holds them.
    if (!rects.has(value.id)) rects.set(value.id, pose);
  }
  for (const { value, regionId } of regions) {
    if (value.type === 'RectangleLabels') continue;
    if (value.type !== 'KeyPointLabels') {
      skips.skip({
        ...loc,
        regionId,
        kind: 'region',
        code: 'unsupported-region',
        reason: `a pose export holds rectangles with keypoints only; ${value.type} results are left out`,
      });
      continue;
    }
    const parent = value.parentID === undefined ? undefined : rects.get(value.parentID);
    const labels = Array.isArray(value.keypointlabels) ? value.keypointlabels.map(String) : [];
    const x = num(value.x);
    const y = num(value.y);
    if (!parent) {
      skips.skip({
        ...loc,
        regionId,
        kind: 'region',
        code: 'keypoint-without-parent',
        reason: 'keypoint has no parent rectangle (parentID), so no pose line can hold it',
      });
      continue;
    }
    if (
      labels.length === 0 ||
      !lc.classes.kpOrder.includes(labels[0]!) ||
      x === undefined ||
      y === undefined
    ) {
      skips.skip({
        ...loc,
        regionId,
        kind: 'region',
        code: 'no-label',
        reason: 'keypoint has no known label or no numeric x and y',
      });
      continue;
    }
    const c = clipPoints([[x / 100, y / 100]]);
    if (c.clipped) clip(item.id, regionId);
    const [px, py] = c.points[0]!;
    parent.kp.set(labels[0]!, [px, py, 2]);
  }
  return lines.map((r) => poseLine(r, lc.classes.kpOrder));
}
