import {
  type ConversionReport,
  defineFormat,
  type ExportContext,
  type Item,
  type OutputValue,
  orderSplits,
  type PrepareContext,
  prefetchAhead,
  type Task,
  taskItems,
  taskSplit,
  UniqueNames,
} from '@lsconv/core';
import {
  annotationMode,
  ClipCounter,
  clamp,
  classifyImageRef,
  envelope,
  imageDataKey,
  imageDirOf,
  itemRegionsWithIds,
  labelText,
  locateImage,
  missingImageSkip,
  num,
  positiveNum,
  pyStr,
  rectangleCorners,
  referenceSupports,
  regionLabels,
  safeStem,
  sizeFromRegions,
  taskImageUrl,
  unwritableLabel,
  type VisionOptionValues,
  visionOptions,
} from '@lsconv/format-kit';
import { type VocObject, vocHead, vocObjects } from './voc-xml.js';

export { type VocDocument, type VocObject, vocXml } from './voc-xml.js';

const options = visionOptions('also written as <folder> in every file');

/** Pascal VOC: one `Annotations/<image>.xml` per annotated image, and an `images/` folder. */
export const voc = defineFormat({
  id: 'VOC',
  menuPosition: 7,
  title: 'Pascal VOC XML',
  description: 'Popular XML format used for object detection and polygon image segmentation tasks.',
  link: 'https://labelstud.io/guide/export.html#Pascal-VOC-XML',
  tags: ['image segmentation', 'object detection'],
  output: 'folder',
  splitLayout: true,
  options,
  supports: referenceSupports('VOC'),
  prepare: prepareVoc,
  export: exportVoc,
});

type VocContext = ExportContext<VisionOptionValues>;

/**
 * A rectangle as the Python converter writes it: each of x, y, width, height truncated
 * to an integer separately (`int()`), rotation ignored.
 */
export function pythonVocBox(value: OutputValue, width: number, height: number): Omit<VocObject, 'name'> {
  const x = Math.trunc(((value.x as number) / 100) * width);
  const y = Math.trunc(((value.y as number) / 100) * height);
  const w = Math.trunc(((value.width as number) / 100) * width);
  const h = Math.trunc(((value.height as number) / 100) * height);
  return { xmin: x, ymin: y, xmax: x + w, ymax: y + h };
}

/**
 * A rectangle in whole pixels: rotation applied about the top-left corner, the envelope
 * clipped to the image and its edges rounded. `clipped` says whether it reached outside.
 */
export function vocBox(
  value: OutputValue,
  width: number,
  height: number,
): (Omit<VocObject, 'name'> & { clipped: boolean }) | undefined {
  const x = num(value.x);
  const y = num(value.y);
  const w = num(value.width);
  const h = num(value.height);
  if (x === undefined || y === undefined || w === undefined || h === undefined) return undefined;
  const corners = rectangleCorners(
    (x / 100) * width,
    (y / 100) * height,
    (w / 100) * width,
    (h / 100) * height,
    num(value.rotation) ?? 0,
  );
  const [ex, ey, ew, eh] = envelope(corners);
  const x1 = clamp(ex, 0, width);
  const y1 = clamp(ey, 0, height);
  const x2 = clamp(ex + ew, 0, width);
  const y2 = clamp(ey + eh, 0, height);
  const clipped = x1 !== ex || y1 !== ey || x2 !== ex + ew || y2 !== ey + eh;
  return { xmin: Math.round(x1), ymin: Math.round(y1), xmax: Math.round(x2), ymax: Math.round(y2), clipped };
}

/**
 * A VOC file's content apart from what needs the image (its name and channels): the
 * annotator, the size and the `<object>` elements as text.
 */
export interface VocBody {
  annotator: string;
  width: number | string;
  height: number | string;
  /** The `<object>` elements and the closing tag. */
  objectsXml: string;
  objects: number;
}

/** A region of a task, with its result id. */
type VocRegion = ReturnType<typeof itemRegionsWithIds>[number];

/**
 * What `prepare` hands `export` for one task: plain data, so it crosses threads. `body`
 * is the document content, or undefined when no region carries the image size: then
 * `export` builds it from `regions` and `annotator` once it has read the image.
 */
export interface PreparedVoc {
  taskId: unknown;
  taskIndex: number;
  url: string;
  body: VocTaskBody | undefined;
  regions?: VocRegion[];
  annotator?: string;
  /** The task's split, with --split. */
  split?: string;
}

/** One task's document body (null: no file), with its clipped regions. */
interface VocTaskBody {
  body: VocBody | null;
  clips: number;
  /** Boxes whose corners differ from the Python converter's (cut down, unrotated, unclipped). */
  differ?: number;
  clipTaskId?: unknown;
  clipRegionId?: string | undefined;
}

/** The per-task step of VOC (may run on a worker thread). */
export function prepareVoc(task: Task, pctx: PrepareContext): PreparedVoc | null {
  const python = pctx.compat === 'python';
  const items = taskItems(task, {
    config: pctx.config,
    report: pctx.report,
    taskIndex: pctx.taskIndex,
    annotations: annotationMode(pctx),
  });
  if (items.length === 0) return null;
  const dataKey = imageDataKey(pctx.config);
  const url = taskImageUrl(task, dataKey, !python);
  if (url === undefined) {
    pctx.report.skip(missingImageSkip(task, pctx.taskIndex, dataKey));
    return null;
  }
  const split = pctx.dataset?.split ? taskSplit(task) : undefined;
  const base = { taskId: task.id, taskIndex: pctx.taskIndex, url, ...(split === undefined ? {} : { split }) };
  if (python) return { ...base, body: pythonBody(items, pctx.report) };
  const regions = items.flatMap((item) => itemRegionsWithIds(item));
  const annotator = pythonAnnotator(items[0]!);
  if (regions.length > 0 && sizeFromRegions(regions.map((r) => r.value)) === undefined)
    return { ...base, body: undefined, regions, annotator };
  return { ...base, body: defaultBody(task.id, pctx.taskIndex, regions, annotator, undefined, pctx.report) };
}

async function exportVoc(tasks: AsyncIterable<PreparedVoc | null>, ctx: VocContext): Promise<void> {
  const python = ctx.compat === 'python';
  const imageDir = imageDirOf(ctx);
  await ctx.sink.mkdir(imageDir);
  const dataKey = imageDataKey(ctx.config);
  const names = new UniqueNames();
  const clips = new ClipCounter();
  let differ = 0;
  // With --split: the image set of each split, ImageSets/Main/<split>.txt (one file stem a line).
  const sets = new Map<string, string[]>((ctx.dataset?.splitNames ?? []).map((n) => [n, []]));
  // Only what `export` resolves is fetched ahead: not http URLs, which stay names.
  const upcoming = prefetchAhead(tasks, ctx.resources, (prepared) => {
    if (prepared === null) return undefined;
    const { url, taskId, taskIndex } = prepared;
    if (classifyImageRef(url) === 'http') return undefined;
    return { url, context: { taskId, taskIndex, field: `data.${dataKey}` } };
  });
  for await (const prepared of upcoming) {
    if (prepared === null) continue;
    const { taskId, taskIndex: index, url } = prepared;
    const loc = { taskIndex: index, taskId };
    const image = await locateImage(ctx, url, {
      imageDir,
      copy: false,
      taskId,
      taskIndex: index,
      field: `data.${dataKey}`,
      // VOC reads the image only for its channel count (3 without it): nothing is skipped.
      optional: true,
    });
    // The reference reads channels only from a file it fetched, not from a plain path that exists.
    const readable = image.localPath && !(python && image.kind === 'path');
    const info = readable
      ? await ctx.resources.imageInfo(url, { taskId, taskIndex: index, optional: true })
      : undefined;
    const depth = info?.channels ?? 3;
    const done =
      prepared.body ??
      defaultBody(taskId, index, prepared.regions ?? [], prepared.annotator ?? '', info, ctx.report);
    if (done.clips > 0) {
      clips.add(done.clipTaskId, done.clipRegionId);
      clips.count += done.clips - 1;
    }
    differ += done.differ ?? 0;
    const body = done.body;
    if (!body) continue;
    const stem = safeStem(image.baseName, 251);
    const path = `Annotations/${python ? stem : names.take(stem)}.xml`;
    if (python && ctx.sink.has(path)) {
      // The reference overwrites the earlier file; an output (zip) cannot rewrite one, so keep the first.
      ctx.report.skip({
        ...loc,
        kind: 'task',
        code: 'duplicate-file-name',
        reason: `${path} was already written for another task with the same image name`,
      });
      continue;
    }
    if (!python && path !== `Annotations/${stem}.xml`) {
      ctx.report.warn(`VOC: two images are named "${stem}"; the later one is written as ${path}`);
    }
    const head = vocHead({
      folder: imageDir,
      filename: image.baseName,
      annotator: body.annotator,
      width: body.width,
      height: body.height,
      depth,
    });
    await ctx.sink.writeFile(path, head + body.objectsXml);
    ctx.report.itemsWritten++;
    ctx.report.regionsWritten += body.objects;
    if (prepared.split !== undefined) {
      const set = sets.get(prepared.split) ?? [];
      sets.set(prepared.split, set);
      set.push(path.slice('Annotations/'.length, -'.xml'.length));
    }
  }
  clips.flush(ctx.report, ctx.format);
  ctx.report.differs(VOC_CORNERS_NOTE, differ);
  for (const split of orderSplits(sets.keys()))
    await ctx.sink.writeFile(
      `ImageSets/Main/${split}.txt`,
      sets
        .get(split)!
        .map((stem) => `${stem}\n`)
        .join(''),
    );
}

const VOC_CORNERS_NOTE =
  'it cuts VOC box corners down to whole pixels and ignores rotation; lsconv rounds them and boxes the rotated rectangle, so these boxes differ';

/** The reference's document for a task: every item writes the same file, so the last (oldest) one wins. */
function pythonBody(items: Item[], skips: ConversionReport): VocTaskBody {
  let last: VocBody | null = null;
  for (const item of items) {
    const loc = { taskIndex: item.taskIndex, taskId: item.id };
    const regions = itemRegionsWithIds(item);
    if (regions.length === 0) continue;
    const first = regions[0]!.value;
    if (first.original_width === undefined || first.original_height === undefined) {
      skips.skip({
        ...loc,
        kind: 'annotation',
        code: 'missing-image-size',
        reason: 'the first region has no original_width/original_height',
      });
      continue;
    }
    const width = first.original_width as number;
    const height = first.original_height as number;
    const objects: VocObject[] = [];
    for (const { value, regionId } of regions) {
      const key = 'rectanglelabels' in value ? 'rectanglelabels' : 'labels' in value ? 'labels' : undefined;
      const list = key ? value[key] : undefined;
      if (!Array.isArray(list) || list.length === 0) {
        skips.skip({
          ...loc,
          regionId,
          kind: 'region',
          code: 'unsupported-region',
          reason: `VOC holds labelled rectangles only, not ${value.type} results`,
        });
        continue;
      }
      const name = labelText(list[0]);
      const unwritable = unwritableLabel(name, 'xml');
      if (unwritable !== undefined) {
        skips.skip({ ...loc, regionId, kind: 'region', code: 'label-not-writable', reason: unwritable });
        continue;
      }
      objects.push({ name, ...pythonVocBox(value, width, height) });
    }
    if (last) overwritten(skips, loc, last.objects);
    last = {
      annotator: pythonAnnotator(item),
      width: pyStr(width),
      height: pyStr(height),
      objectsXml: vocObjects(objects),
      objects: objects.length,
    };
  }
  return { body: last, clips: 0 };
}

/** Reports the boxes of a document that a later item replaces, so none is lost silently. */
function overwritten(
  skips: ConversionReport,
  loc: { taskIndex: number; taskId: unknown },
  count: number,
): void {
  for (let i = 0; i < count; i++) {
    skips.skip({
      ...loc,
      kind: 'region',
      code: 'overwritten-annotation',
      reason:
        'with --compat python every annotation of a task writes the same XML file, so the oldest annotation replaces the boxes of the newer ones (as the Python converter does)',
    });
  }
}

/** `get_annotator(item, "")`: the email of an expanded user (or ""), else `str(id)`. */
function pythonAnnotator(item: Item): string {
  const a = item.completed_by;
  if (typeof a === 'object' && a !== null && !Array.isArray(a)) {
    const email = (a as { email?: unknown }).email;
    return email === undefined ? '' : pyStr(email);
  }
  return pyStr(a);
}

const RECT_TYPES = new Set(['RectangleLabels', 'Rectangle', 'Labels']);

/** A default-mode document; its skips go to `skips` (prepare's report, or export's when the size came from the file). */
function defaultBody(
  taskId: unknown,
  taskIndex: number,
  regions: readonly VocRegion[],
  annotator: string,
  info: { width: number; height: number } | undefined,
  skips: ConversionReport,
): VocTaskBody {
  const result: VocTaskBody = { body: null, clips: 0 };
  const loc = { taskIndex, taskId };
  if (regions.length === 0) {
    skips.skip({
      ...loc,
      kind: 'task',
      code: 'no-regions',
      reason: 'task has no regions, so it gets no VOC file',
    });
    return result;
  }
  const size = sizeFromRegions(regions.map((r) => r.value)) ?? info;
  if (!size) {
    skips.skip({
      ...loc,
      kind: 'task',
      code: 'missing-image-size',
      reason: 'image size unknown (no original_width/height in the results and the image could not be read)',
    });
    return result;
  }
  const objects: VocObject[] = [];
  for (const { value, regionId } of regions) {
    const rloc = { ...loc, regionId };
    const name = regionLabels(value, ['rectanglelabels', 'labels'])[0];
    const isRect = RECT_TYPES.has(value.type) && 'x' in value && 'width' in value;
    if (!isRect) {
      skips.skip({
        ...rloc,
        kind: 'region',
        code: 'unsupported-region',
        reason: `VOC holds rectangles only; ${value.type} results are left out`,
      });
      continue;
    }
    if (name === undefined) {
      skips.skip({ ...rloc, kind: 'region', code: 'no-label', reason: 'rectangle has no label' });
      continue;
    }
    const unwritable = unwritableLabel(name, 'xml');
    if (unwritable !== undefined) {
      skips.skip({ ...rloc, kind: 'region', code: 'label-not-writable', reason: unwritable });
      continue;
    }
    // A size of 0 or below is no size: the image's own, when read, is used instead.
    const W = positiveNum(value.original_width) ?? size.width;
    const H = positiveNum(value.original_height) ?? size.height;
    const box = vocBox(value, W, H);
    if (!box) {
      skips.skip({
        ...rloc,
        kind: 'region',
        code: 'missing-coordinates',
        reason: 'rectangle has no numeric x, y, width and height',
      });
      continue;
    }
    if (box.clipped && result.clips++ === 0) {
      result.clipTaskId = taskId;
      result.clipRegionId = regionId;
    }
    const py = pythonVocBox(value, W, H);
    if (py.xmin !== box.xmin || py.ymin !== box.ymin || py.xmax !== box.xmax || py.ymax !== box.ymax)
      result.differ = (result.differ ?? 0) + 1;
    objects.push({ name, xmin: box.xmin, ymin: box.ymin, xmax: box.xmax, ymax: box.ymax });
  }
  result.body = {
    annotator,
    width: size.width,
    height: size.height,
    objectsXml: vocObjects(objects),
    objects: objects.length,
  };
  return result;
}
