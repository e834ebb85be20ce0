import {
  defineFormat,
  type ExportContext,
  type Item,
  type OutputValue,
  pyRepr,
  referenceSupports,
  type Task,
  taskItems,
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
  num,
  type Point,
  rectangleCorners,
  rectangleLabelNames,
  safeFileName,
  safeStem,
  UniqueNames,
  urlBaseName,
} from '@lsconv/core';

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
    description: 'Folder inside the output for the images (created even when empty).',
  },
  annotation: annotationOption,
} as const;

type Variant = { obb: boolean; withImages: boolean };

function yoloFormat(id: string, title: string, description: string, variant: Variant) {
  return defineFormat({
    id,
    title,
    description,
    link: 'https://labelstud.io/guide/export.html#YOLO',
    tags: ['image segmentation', 'object detection'],
    output: 'folder',
    options,
    supports: referenceSupports(id),
    export: (tasks, ctx) => exportYolo(tasks, ctx, variant),
  });
}

/** YOLO: `classes.txt`, `notes.json`, `labels/<image>.txt` (boxes, polygons or pose lines), `images/`. */
export const yolo = yoloFormat(
  'YOLO',
  'YOLO',
  'Popular TXT format: one text file per image with a line per object (class, centre, size, all normalised), and a classes.txt. Polygons become YOLO segmentation lines and keypoints YOLO pose lines.',
  { obb: false, withImages: false },
);

/** YOLO with the images copied or downloaded into `images/`. */
export const yoloWithImages = yoloFormat(
  'YOLO_WITH_IMAGES',
  'YOLO with Images',
  'YOLO format with the images downloaded or copied into the images/ folder of the export.',
  { obb: false, withImages: true },
);

/** YOLOv8 OBB: one line per rotated box with its four corners, normalised. */
export const yoloObb = yoloFormat(
  'YOLO_OBB',
  'YOLOv8 OBB',
  'YOLO oriented bounding boxes (Ultralytics OBB): a line per object with the class and the four corners of the rotated box, normalised.',
  { obb: true, withImages: false },
);

/** YOLOv8 OBB with the images copied or downloaded into `images/`. */
export const yoloObbWithImages = yoloFormat(
  'YOLO_OBB_WITH_IMAGES',
  'YOLOv8 OBB with Images',
  'YOLO OBB format with the images downloaded or copied into the images/ folder of the export.',
  { obb: true, withImages: true },
);

type YoloContext = ExportContext<{ readonly imageDir: string; readonly annotation: string }>;

// ---------------------------------------------------------------- pure helpers

/** A label line: the class id, then every number in Python's float repr. */
export function toYoloLine(classId: number, values: readonly number[]): string {
  return [String(classId), ...values.map((v) => pyRepr(v))].join(' ');
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
): Point[] {
  const { width: W, height: H } = size;
  const corners = rectangleCorners(
    (value.x / 100) * W,
    (value.y / 100) * H,
    (value.width / 100) * W,
    (value.height / 100) * H,
    value.rotation ?? 0,
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

// ---------------------------------------------------------------- export

interface YoloState {
  categories: Category[];
  byName: Map<string, number>;
  keypoints: boolean;
  kpOrder: string[];
  dataKey: string | undefined;
  clips: ClipCounter;
  names: UniqueNames;
}

async function exportYolo(tasks: AsyncIterable<Task>, ctx: YoloContext, variant: Variant): Promise<void> {
  const python = ctx.compat === 'python';
  const imageDir = (ctx.options.imageDir || 'images').replace(/\/+$/, '');
  await ctx.sink.mkdir(imageDir);
  await ctx.sink.mkdir('labels');
  const keypoints = [...ctx.config.controls.values()].some((c) => c.type === 'KeyPointLabels');
  let categories: Category[];
  let byName: Map<string, number>;
  const kpOrder = keypointOrder(ctx.config);
  if (keypoints) {
    const kpNames = keypointLabelNames(ctx.config);
    if (!python) for (const name of kpNames) if (!kpOrder.includes(name)) kpOrder.push(name);
    categories = rectangleLabelNames(ctx.config).map((name, id) => ({ id, name, keypoints: kpNames }));
    byName = new Map(categories.map((c) => [c.name, c.id]));
  } else {
    ({ categories, byName } = configCategories(ctx.config, { shapeOnly: !python, report: ctx.report }));
  }
  const state: YoloState = {
    categories,
    byName,
    keypoints,
    kpOrder,
    dataKey: imageDataKey(ctx.config),
    clips: new ClipCounter(),
    names: new UniqueNames(),
  };
  let taskIndex = 0;
  for await (const task of tasks) {
    const index = taskIndex++;
    const items = taskItems(task, {
      config: ctx.config,
      report: ctx.report,
      taskIndex: index,
      withRegionIds: keypoints,
      annotations: annotationMode(ctx),
    });
    if (items.length === 0) continue;
    await exportTask(ctx, state, variant, task, index, items, imageDir);
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
      dataYaml(state.categories, keypoints ? state.kpOrder.length : undefined),
    );
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

async function exportTask(
  ctx: YoloContext,
  state: YoloState,
  variant: Variant,
  task: Task,
  taskIndex: number,
  items: Item[],
  imageDir: string,
): Promise<void> {
  const python = ctx.compat === 'python';
  const loc = { taskIndex, taskId: task.id };
  const field = `data.${state.dataKey}`;
  const raw = state.dataKey === undefined ? undefined : task.data?.[state.dataKey];
  const candidates =
    typeof raw === 'string'
      ? [raw]
      : Array.isArray(raw)
        ? raw.filter((r): r is string => typeof r === 'string')
        : [];
  // A list of images: the reference takes the last one it can resolve.
  const url = candidates[candidates.length - 1];
  if (url === undefined || url === '') {
    ctx.report.skip({
      ...loc,
      kind: 'task',
      code: 'missing-image',
      reason: `task data has no image reference in "${state.dataKey}"`,
      field,
    });
    return;
  }
  // The label files need the file only for rotated boxes without original_width/height.
  const image = await locateImage(ctx, url, {
    imageDir,
    copy: false,
    resolve: !python && imageSize(items) === undefined,
    taskId: task.id,
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
      ctx.sink.has(dest) ||
      (await ctx.resources.copyTo(ctx.sink, url, dest, { taskId: task.id, taskIndex, field }));
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
  const path = `labels/${unique}.txt`;
  let text: string | undefined;
  let regions = 0;
  if (python) {
    // Every item rewrites the same file, so the last item (the oldest annotation) wins.
    for (const item of items) {
      const lines = pythonItemLines(ctx, state, variant, item);
      if (lines === undefined) {
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
      text = state.keypoints ? lines.join('\n') : lines.map((l) => `${l}\n`).join('');
      regions = lines.length;
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
    const size = imageSize(items) ?? (await sizeFromFile(ctx, image, url, task.id, taskIndex));
    const lines = items.flatMap((item) => defaultItemLines(ctx, state, variant, item, size));
    text = lines.map((l) => `${l}\n`).join('');
    regions = lines.length;
  }
  await ctx.sink.writeFile(path, text);
  ctx.report.itemsWritten++;
  ctx.report.regionsWritten += regions;
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 && name.length - dot <= 8 ? name.slice(dot) : '';
}

function imageSize(items: readonly Item[]): ImageSize | undefined {
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

/** The reference's lines for one item; undefined when it writes an empty file only if none exists. */
function pythonItemLines(
  ctx: YoloContext,
  state: YoloState,
  variant: Variant,
  item: Item,
): string[] | undefined {
  if (Object.keys(item.output).length === 0) return undefined;
  const regions = itemRegionsWithIds(item);
  if (regions.length === 0) return undefined;
  const loc = { taskIndex: item.taskIndex, taskId: item.id };
  if (state.keypoints) return pythonPoseLines(ctx, state, item, regions);
  const lines: string[] = [];
  for (const { value, regionId } of regions) {
    const names: string[] = [];
    for (const key of ['rectanglelabels', 'polygonlabels', 'labels']) {
      const list = value[key];
      if (key in value && Array.isArray(list) && list.length > 0) names.push(...list.map(String));
    }
    if (names.length === 0) {
      ctx.report.skip({
        ...loc,
        regionId,
        kind: 'region',
        code: 'unsupported-region',
        reason: `${ctx.format} holds labelled rectangles and polygons only, not ${value.type} results`,
      });
      continue;
    }
    for (const name of names) {
      const cls = categoryId(ctx, state, name);
      if ('rectanglelabels' in value || 'rectangle' in value || 'labels' in value) {
        if (variant.obb) {
          const ok = ['original_width', 'original_height', 'x', 'y', 'width', 'height', 'rotation'].every(
            (k) => k in value,
          );
          if (!ok) {
            ctx.report.skip({
              ...loc,
              regionId,
              kind: 'region',
              code: 'missing-rotation',
              reason: 'the Python converter leaves out OBB rectangles without rotation or image size',
            });
            continue;
          }
          const corners = obbCorners(value as never, {
            width: value.original_width as number,
            height: value.original_height as number,
          });
          lines.push(toYoloLine(cls, corners.flat()));
        } else {
          const box = pythonYoloBox(value);
          if (!box) {
            ctx.report.skip({
              ...loc,
              regionId,
              kind: 'region',
              code: 'missing-coordinates',
              reason: 'rectangle has no numeric x, y, width and height',
            });
            continue;
          }
          lines.push(toYoloLine(cls, box));
        }
      } else {
        if (!Array.isArray(value.points)) {
          ctx.report.skip({
            ...loc,
            regionId,
            kind: 'region',
            code: 'missing-coordinates',
            reason: 'polygon has no points',
          });
          continue;
        }
        const flat = (value.points as [number, number][]).flatMap(([x, y]) => [x / 100, y / 100]);
        lines.push(toYoloLine(cls, flat));
      }
    }
  }
  return lines;
}

interface PoseRect {
  cls: number;
  box: YoloBox;
  kp: Map<string, [number, number, number]>;
}

/** The reference's pose lines: each rectangle with the keypoints whose parentID points at it. */
function pythonPoseLines(
  ctx: YoloContext,
  state: YoloState,
  item: Item,
  regions: ReturnType<typeof itemRegionsWithIds>,
): string[] {
  const loc = { taskIndex: item.taskIndex, taskId: item.id };
  const rects = new Map<unknown, PoseRect>();
  for (const { value, regionId } of regions) {
    if (value.type.toLowerCase() !== 'rectanglelabels') continue;
    const labels = Array.isArray(value.rectanglelabels) ? value.rectanglelabels : [];
    const cls = labels.length ? state.byName.get(String(labels[0])) : undefined;
    if (cls === undefined) {
      ctx.report.skip({
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
    rects.set(value.id, { cls, box: [x + w / 2, y + h / 2, w, h], kp: new Map() });
  }
  for (const { value, regionId } of regions) {
    const type = value.type.toLowerCase();
    if (type === 'rectanglelabels') continue;
    if (type !== 'keypointlabels') {
      ctx.report.skip({
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
      ctx.report.skip({
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
  return [...rects.values()].map((r) => poseLine(r, state.kpOrder));
}

function poseLine(rect: PoseRect, order: readonly string[]): string {
  const parts = [String(rect.cls), ...rect.box.map((v) => pyRepr(v))];
  for (const name of order) {
    const kp = rect.kp.get(name);
    parts.push(kp ? `${pyRepr(kp[0])} ${pyRepr(kp[1])} ${kp[2]}` : '0.0 0.0 0');
  }
  return parts.join(' ');
}

const RECT_TYPES = new Set(['RectangleLabels', 'Rectangle', 'Labels']);
const POLY_TYPES = new Set(['PolygonLabels', 'Polygon']);

/** Lines for one item in default mode: rotation applied, coordinates clipped, nothing dropped silently. */
function defaultItemLines(
  ctx: YoloContext,
  state: YoloState,
  variant: Variant,
  item: Item,
  size: ImageSize | undefined,
): string[] {
  const regions = itemRegionsWithIds(item);
  const loc = { taskIndex: item.taskIndex, taskId: item.id };
  if (state.keypoints) return defaultPoseLines(ctx, state, item, regions, size);
  const lines: string[] = [];
  for (const { value, regionId } of regions) {
    const rloc = { ...loc, regionId };
    const isRect = RECT_TYPES.has(value.type) && 'x' in value && 'width' in value;
    const isPoly = POLY_TYPES.has(value.type) || (value.type === 'Labels' && Array.isArray(value.points));
    if (!isRect && !isPoly) {
      ctx.report.skip({
        ...rloc,
        kind: 'region',
        code: 'unsupported-region',
        reason: `${ctx.format} holds rectangles and polygons only; ${value.type} results are left out`,
      });
      continue;
    }
    const names: string[] = [];
    for (const key of ['rectanglelabels', 'polygonlabels', 'labels']) {
      const list = value[key];
      if (Array.isArray(list)) names.push(...list.map(String));
    }
    if (names.length === 0) {
      ctx.report.skip({
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
        ctx.report.skip({
          ...rloc,
          kind: 'region',
          code: 'missing-coordinates',
          reason: 'rectangle has no numeric x, y, width and height',
        });
        continue;
      }
      if (variant.obb) {
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
          ctx.report.skip({
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
          ctx.report.skip({
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
        ctx.report.skip({
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
    if (clipped) state.clips.add(item.id, regionId);
    for (const name of names) lines.push(toYoloLine(categoryId(ctx, state, name), numbers));
  }
  return lines;
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
  ctx: YoloContext,
  state: YoloState,
  item: Item,
  regions: ReturnType<typeof itemRegionsWithIds>,
  size: ImageSize | undefined,
): string[] {
  const loc = { taskIndex: item.taskIndex, taskId: item.id };
  const rects = new Map<unknown, PoseRect>();
  for (const { value, regionId } of regions) {
    if (value.type !== 'RectangleLabels') continue;
    const labels = Array.isArray(value.rectanglelabels) ? value.rectanglelabels : [];
    const cls = labels.length ? state.byName.get(String(labels[0])) : undefined;
    const rect = numericRect(value);
    if (cls === undefined || !rect) {
      ctx.report.skip({
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
      ctx.report.skip({
        ...loc,
        regionId,
        kind: 'region',
        code: 'missing-image-size',
        reason: 'a rotated rectangle needs the image size (original_width/height) to get its box',
      });
      continue;
    }
    if (b.clipped) state.clips.add(item.id, regionId);
    rects.set(value.id, { cls, box: b.box, kp: new Map() });
  }
  for (const { value, regionId } of regions) {
    if (value.type === 'RectangleLabels') continue;
    if (value.type !== 'KeyPointLabels') {
      ctx.report.skip({
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
      ctx.report.skip({
        ...loc,
        regionId,
        kind: 'region',
        code: 'keypoint-without-parent',
        reason: 'keypoint has no parent rectangle (parentID), so no pose line can hold it',
      });
      continue;
    }
    if (labels.length === 0 || !state.kpOrder.includes(labels[0]!) || x === undefined || y === undefined) {
      ctx.report.skip({
        ...loc,
        regionId,
        kind: 'region',
        code: 'no-label',
        reason: 'keypoint has no known label or no numeric x and y',
      });
      continue;
    }
    const c = clipPoints([[x / 100, y / 100]]);
    if (c.clipped) state.clips.add(item.id, regionId);
    const [px, py] = c.points[0]!;
    parent.kp.set(labels[0]!, [px, py, 2]);
  }
  return [...rects.values()].map((r) => poseLine(r, state.kpOrder));
}
