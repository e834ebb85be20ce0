import {
  defineFormat,
  type ExportContext,
  type Item,
  type OutputValue,
  orderSplits,
  taskItems,
  taskSplit,
} from '@lsconv/core';
import {
  BRUSH_COCO_LAYOUT,
  BrushRleError,
  CocoDocumentWriter,
  cocoInfoBlock,
  decodeBrushMask,
  encodeCocoRle,
  pyJsonNumber,
  pyJsonNumbers,
  pyRound,
  pyStrAt,
  pyStrOrJson,
  referenceSupports,
} from '@lsconv/format-kit';
import { hashColour, parseCssColour, toHex } from './colour.js';
import { boundingRect, contourArea, findExternalContours } from './contours.js';
import { imageRefOf, regionLocation } from './regions.js';

/** Options of BRUSH_TO_COCO. */
const options = {
  cocoMasks: {
    type: 'enum',
    choices: ['polygons', 'rle'],
    default: 'polygons',
    description:
      'How brush masks become segmentations. `polygons`: the outer contours, one annotation per contour, as the Python converter writes them (holes are lost). `rle`: one annotation per region with an exact COCO RLE mask (holes kept). `--compat python` always uses `polygons`.',
  },
} as const;

/**
 * BRUSH_TO_COCO: `result_coco.json` with brush masks traced to polygons (as OpenCV's
 * `findContours` traces them), polygons and rectangles, plus an empty `images/`
 * folder, as the Python converter writes them.
 */
export const brushToCoco = defineFormat({
  id: 'BRUSH_TO_COCO',
  menuPosition: 15,
  title: 'Brush labels to COCO',
  description:
    'Brush masks, polygons and rectangles as a COCO segmentation file (result_coco.json); masks become contour polygons, or exact COCO RLE with --coco-masks rle.',
  link: 'https://labelstud.io/guide/export.html#COCO',
  tags: ['image segmentation', 'brush annotations'],
  output: 'folder',
  splitLayout: true,
  options,
  supports: referenceSupports('BRUSH_TO_COCO'),
  // The annotator id beyond 2^53 keeps its digits.
  keepsNumberSpelling: true,
  async export(tasks, ctx) {
    const python = ctx.compat === 'python';
    await ctx.sink.mkdir('images');
    // result_coco.json; with --split one document per split, annotations/instances_<split>.json,
    // the categories and the running ids shared.
    const splits = ctx.dataset?.split === true;
    const docs = new Map<string | undefined, CocoDocumentWriter>();
    const docFor = async (split: string | undefined) => {
      let doc = docs.get(split);
      if (!doc) {
        doc = await CocoDocumentWriter.create('brush-coco', BRUSH_COCO_LAYOUT);
        docs.set(split, doc);
      }
      return doc;
    };
    try {
      for (const name of ctx.dataset?.splitNames ?? []) await docFor(name);
      const run: BrushCocoRun = {
        ctx,
        python,
        rle: !python && ctx.options.cocoMasks === 'rle',
        doc: await docFor(splits ? ctx.dataset?.splitNames[0] : undefined),
        categories: [],
        categoryIds: new Map(),
        colours: labelColours(ctx),
        imageId: 0,
        annotationId: 0,
      };
      let taskIndex = 0;
      for await (const task of tasks) {
        const items = taskItems(task, { config: ctx.config, report: ctx.report, taskIndex });
        taskIndex++;
        if (splits) run.doc = await docFor(taskSplit(task));
        for (const item of items) await writeItem(run, item);
      }
      const info = cocoInfoBlock(
        { description: 'Converted from Label Studio', contributor: 'Label Studio Converter' },
        'local',
      );
      const order = splits ? orderSplits([...docs.keys()].filter((k) => k !== undefined)) : [undefined];
      for (const split of order) {
        const doc = docs.get(split)!;
        ctx.report.regionsWritten += doc.annotations.count;
        await doc.write(
          ctx.sink,
          split === undefined ? 'result_coco.json' : `annotations/instances_${split}.json`,
          [
            ['images', doc.images],
            ['annotations', doc.annotations],
            ['categories', { rows: run.categories }],
            ['info', { value: info }],
          ],
        );
      }
    } finally {
      for (const doc of docs.values()) await doc.dispose();
    }
  },
});

/** What the items of one export share: the options, the document, the categories, the running ids. */
interface BrushCocoRun {
  ctx: ExportContext<{ readonly cocoMasks: string }>;
  python: boolean;
  /** Masks as one COCO RLE annotation each (`--coco-masks rle`), not contour polygons. */
  rle: boolean;
  doc: CocoDocumentWriter;
  categories: {
    id: number;
    name: string;
    supercategory: string;
    color: string;
    metadata: Record<string, never>;
  }[];
  categoryIds: Map<string, number>;
  colours: (label: string) => string;
  imageId: number;
  annotationId: number;
}

/** One item's image, its annotations in id order, and whether any was written. */
interface ItemScope {
  run: BrushCocoRun;
  item: Item;
  imageId: number;
  annotator: unknown;
  /** The image size: from the first region that has `original_width`. */
  width: unknown;
  height: unknown;
  /** This item's annotation rows, written to the spill once the item is read. */
  rows: string[];
  valid: boolean;
}

/** One item: its annotations, then its image entry when it has a size and a written annotation. */
async function writeItem(run: BrushCocoRun, item: Item): Promise<void> {
  const { ctx, python } = run;
  const imageId = run.imageId++;
  const hasOutput = Object.keys(item.output).length > 0;
  // The reference only knows images by their extension; signed URLs and extension-less
  // storage keys are found through the labeling config outside compat mode.
  const firstControl = Object.keys(item.output)[0];
  const imagePath =
    firstImagePath(item) ??
    (python || firstControl === undefined ? undefined : imageRefOf(item, ctx.config, firstControl));
  if (imagePath === undefined) {
    if (hasOutput) {
      ctx.report.skip({
        kind: 'annotation',
        code: 'no-image-path',
        reason:
          'the task data has no value ending in .jpg, .jpeg, .png, .gif or .bmp, so there is no image to attach the annotation to',
        taskIndex: item.taskIndex,
        taskId: item.id,
        field: 'data',
      });
    }
    return;
  }
  if (!hasOutput) return;
  const annotator =
    typeof item.completed_by === 'number' && item.annotation
      ? pyStrAt(item.annotation, 'completed_by')
      : cocoAnnotator(item.completed_by);
  const s: ItemScope = { run, item, imageId, annotator, width: null, height: null, rows: [], valid: false };
  for (const [fromName, values] of Object.entries(item.output))
    for (const [index, value] of values.entries()) writeRegion(s, fromName, value, index);
  for (const row of s.rows) await run.doc.annotations.pushJson(row);
  if (s.width !== null && s.height !== null && s.valid) {
    const { width, height } = s;
    await run.doc.images.pushJson(
      JSON.stringify({ id: imageId, file_name: posixBaseName(imagePath), path: imagePath, width, height }),
    );
    ctx.report.itemsWritten++;
  }
}

/** One region of an item, once per label: masks, polygons and rectangles become annotation rows. */
function writeRegion(s: ItemScope, fromName: string, value: OutputValue, index: number): void {
  if (s.width === null && 'original_width' in value) {
    s.width = value.original_width;
    s.height = value.original_height ?? null;
  }
  const { ctx } = s.run;
  const where = () => regionLocation(s.item, fromName, index);
  const typeKey = labelKey(value);
  if (typeKey === undefined) {
    ctx.report.skip({
      ...where(),
      kind: 'region',
      code: 'unsupported-region',
      reason: `a ${value.type} region has no labels this format writes`,
    });
    return;
  }
  const labels = Array.isArray(value[typeKey]) ? (value[typeKey] as unknown[]) : [];
  if (labels.length === 0) {
    ctx.report.skip({
      ...where(),
      kind: 'region',
      code: 'no-label',
      reason: 'the region has no label, so it has no category',
    });
    return;
  }
  const region: RegionScope = { value, typeKey, where, traced: null };
  for (const rawLabel of labels) writeShapes(s, region, categoryOf(s.run, pyStrOrJson(rawLabel)));
}

/** A region being written: its value, labels key, location, and its traced mask (traced once for all labels). */
interface RegionScope {
  value: OutputValue;
  typeKey: NonNullable<ReturnType<typeof labelKey>>;
  where: () => ReturnType<typeof regionLocation>;
  /** null: not traced yet; undefined: the mask cannot be decoded. */
  traced: Traced | undefined | null;
}

/** The category id of a label: the next id (from 1) when first met, with its colour. */
function categoryOf(run: BrushCocoRun, label: string): number {
  let categoryId = run.categoryIds.get(label);
  if (categoryId === undefined) {
    categoryId = run.categoryIds.size + 1;
    run.categoryIds.set(label, categoryId);
    run.categories.push({
      id: categoryId,
      name: label,
      supercategory: '',
      color: run.colours(label),
      metadata: {},
    });
  }
  return categoryId;
}

/** Adds an annotation row: the running id, the image and category, `fields` in their order, iscrowd and annotator. */
function pushRow(s: ItemScope, categoryId: number, fields: Record<string, unknown>): void {
  s.rows.push(
    JSON.stringify({
      id: s.run.annotationId++,
      image_id: s.imageId,
      category_id: categoryId,
      ...fields,
      iscrowd: 0,
      annotator: s.annotator,
    }),
  );
  s.valid = true;
}

/** The annotations of one label of a region, by what the region holds. */
function writeShapes(s: ItemScope, r: RegionScope, categoryId: number): void {
  const { ctx, python } = s.run;
  const { value, typeKey, where } = r;
  const skip = (code: string, reason: string) =>
    ctx.report.skip({ ...where(), kind: 'region', code, reason });
  const type = String(value.type ?? '').toLowerCase();
  // Brush + Labels projects put the mask on the Labels result; the reference
  // looks for a rectangle there and skips it, lsconv writes the mask.
  if ('rle' in value && (typeKey === 'brushlabels' || (!python && typeKey === 'labels'))) {
    if (!isSize(value.original_width) || !isSize(value.original_height)) {
      skip('missing-image-size', 'the brush region has no valid original_width/original_height');
      return;
    }
    if (r.traced === null) r.traced = traceRegion(value, s.run.rle, ctx, where);
    for (const shape of r.traced ?? []) pushRow(s, categoryId, shape);
  } else if ('points' in value && typeKey === 'polygonlabels') {
    const shape = polygonShape(value);
    if (shape) pushRow(s, categoryId, shape);
    else skip('invalid-points', 'the polygon needs "points" as [x, y] pairs and the image size');
  } else if (type === 'rectanglelabels' || typeKey === 'labels') {
    const box = rectangleShape(value);
    if (!box) {
      skip('invalid-rectangle', 'the rectangle needs x, y, width, height and the image size');
      return;
    }
    pushRow(s, categoryId, {
      segmentation: [],
      // Floats in the reference (`x * width / 100`): json writes 128.0 and 1e-05.
      area: python ? pyJsonNumber(box.area, 'repr') : box.area,
      bbox: python ? pyJsonNumbers(box.bbox, 'repr') : box.bbox,
    });
  } else {
    skip('unsupported-region', `a ${value.type} region without geometry this format writes`);
  }
}

type Traced = { segmentation: unknown; area: number; bbox: number[] }[];

/** The COCO shapes of one brush region: its contours, or one RLE mask. */
function traceRegion(
  value: OutputValue,
  rle: boolean,
  ctx: ExportContext<unknown>,
  where: () => ReturnType<typeof regionLocation>,
): Traced | undefined {
  const width = value.original_width as number;
  const height = value.original_height as number;
  let mask: Uint8Array;
  try {
    mask = decodeBrushMask(value.rle as Uint8Array, width, height);
  } catch (error) {
    if (!(error instanceof BrushRleError)) throw error;
    const w = where();
    ctx.report.skip({
      ...w,
      field: `${w.field}.value.rle`,
      kind: 'region',
      code: 'invalid-rle',
      reason: `the brush mask cannot be decoded: ${error.message}`,
    });
    return undefined;
  }
  if (rle) {
    let area = 0;
    let minX = width;
    let minY = height;
    let maxX = -1;
    let maxY = -1;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (mask[y * width + x] === 0) continue;
        area++;
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
    }
    if (area === 0) {
      ctx.report.skip({
        ...where(),
        kind: 'region',
        code: 'empty-mask',
        reason: 'the brush mask has no painted pixel',
      });
      return [];
    }
    return [
      {
        segmentation: encodeCocoRle(mask, width, height),
        area,
        bbox: [minX, minY, maxX - minX + 1, maxY - minY + 1],
      },
    ];
  }
  const shapes: Traced = [];
  const contours = findExternalContours(mask, width, height);
  if (contours.length === 0)
    ctx.report.skip({
      ...where(),
      kind: 'region',
      code: 'empty-mask',
      reason: 'the brush mask has no painted pixel',
    });
  for (const points of contours) {
    if (points.length < 6) {
      // The reference keeps only contours of three points or more.
      ctx.report.skip({
        ...where(),
        kind: 'region',
        code: 'small-contour',
        reason:
          'a part of the mask traces to fewer than 3 contour points (a dot or a line), which a COCO polygon cannot hold',
      });
      continue;
    }
    shapes.push({
      segmentation: [points],
      area: Math.trunc(contourArea(points)),
      bbox: boundingRect(points),
    });
  }
  return shapes;
}

function polygonShape(
  value: OutputValue,
): { segmentation: number[][]; area: number; bbox: number[] } | undefined {
  const w = value.original_width;
  const h = value.original_height;
  if (!Array.isArray(value.points) || typeof w !== 'number' || typeof h !== 'number') return undefined;
  const flat: number[] = [];
  for (const point of value.points as unknown[]) {
    if (
      !Array.isArray(point) ||
      point.length !== 2 ||
      typeof point[0] !== 'number' ||
      typeof point[1] !== 'number'
    )
      return undefined;
    flat.push(pyRound((point[0] * w) / 100), pyRound((point[1] * h) / 100));
  }
  return { segmentation: [flat], bbox: boundingRect(flat), area: Math.trunc(contourArea(flat)) };
}

function rectangleShape(value: OutputValue): { area: number; bbox: number[] } | undefined {
  const { x, y, width, height, original_width: ow, original_height: oh } = value;
  if (![x, y, width, height, ow, oh].every((n) => typeof n === 'number')) return undefined;
  const bx = ((x as number) * (ow as number)) / 100;
  const by = ((y as number) * (oh as number)) / 100;
  const bw = ((width as number) * (ow as number)) / 100;
  const bh = ((height as number) * (oh as number)) / 100;
  return { area: bw * bh, bbox: [bx, by, bw, bh] };
}

/** The labels key the reference looks for, in its order. */
function labelKey(
  value: OutputValue,
): 'brushlabels' | 'polygonlabels' | 'rectanglelabels' | 'labels' | undefined {
  for (const key of ['brushlabels', 'polygonlabels', 'rectanglelabels', 'labels'] as const)
    if (key in value) return key;
  return undefined;
}

/** The first task data value that names an image file, in data key order. */
function firstImagePath(item: Item): string | undefined {
  for (const v of Object.values(item.input ?? {})) {
    if (typeof v !== 'string') continue;
    const lower = v.toLowerCase();
    if (['.jpg', '.jpeg', '.png', '.gif', '.bmp'].some((ext) => lower.endsWith(ext))) return v;
  }
  return undefined;
}

/** The reference's `get_annotator(item, "unknown")`. */
function cocoAnnotator(completedBy: unknown): unknown {
  if (typeof completedBy === 'object' && completedBy !== null && !Array.isArray(completedBy)) {
    return 'email' in completedBy ? ((completedBy as { email: unknown }).email ?? null) : 'unknown';
  }
  return pyStrOrJson(completedBy);
}

function labelColours(ctx: ExportContext<unknown>): (label: string) => string {
  const known = new Map<string, string>();
  for (const control of ctx.config.controls.values()) {
    for (const label of control.labels) {
      const colour = parseCssColour(control.labelsAttrs[label]?.background);
      if (colour && !known.has(label)) known.set(label, toHex(colour));
    }
  }
  return (label) => known.get(label) ?? toHex(hashColour(label));
}

function isSize(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n > 0;
}

function posixBaseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
