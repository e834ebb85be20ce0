import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  containedPath,
  createResourceResolver,
  defineImporter,
  LsconvError,
  type Result,
  type Task,
} from '@lsconv/core';
import {
  type CocoRleInput,
  decodeCocoRle,
  encodeBrushMask,
  type ImportControl,
  imageImportOptions,
  importedTask,
  importLabelConfig,
  joinImageUrl,
  newRegionId,
} from '@lsconv/format-kit';

interface CocoCategory {
  id: number;
  name: string;
  supercategory?: string;
  keypoints?: string[];
}

type Json = Record<string, unknown>;

const URL_LIKE = /^([a-z][a-z0-9+.-]*:\/\/|\/data\/)/i;

/** `lsconv import coco`: a COCO JSON file → Label Studio tasks. */
export const cocoImporter = defineImporter({
  id: 'coco',
  title: 'COCO',
  description:
    'Reads a COCO JSON file: boxes, polygons (every part), keypoints and RLE or uncompressed-RLE segmentations (as brush masks).',
  options: {
    ...imageImportOptions({
      fromName:
        'Prefix of the control names: <name>_rectangles, <name>polygons, <name>_keypoints, <name>_brush',
      imageRootUrl: 'Root URL the image file names are joined to',
    }),
    useSuperCategories: {
      type: 'boolean',
      default: false,
      description: 'Name labels <supercategory>:<name>',
    },
    pointWidth: { type: 'number', default: 1, description: 'Size of the imported keypoints' },
    segmentationBoxes: {
      type: 'boolean',
      default: false,
      description:
        'Also import the bbox of annotations that have a segmentation (always on with --compat python, as the Python converter does)',
    },
  },
  async run(ctx) {
    const o = ctx.options;
    const python = ctx.compat === 'python';
    const file = ctx.input;
    let coco: Json;
    try {
      coco = JSON.parse(await fs.readFile(file, 'utf8')) as Json;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new LsconvError('INPUT_NOT_FOUND', `${file} does not exist`, { file });
      if (code) throw new LsconvError('INPUT_READ', `cannot read ${file}: ${code}`, { file, cause: error });
      throw new LsconvError('INPUT_PARSE', `${file} is not JSON: ${(error as Error).message}`, {
        file,
        cause: error,
      });
    }
    if (!coco || typeof coco !== 'object' || !Array.isArray(coco.images) || !Array.isArray(coco.categories)) {
      throw new LsconvError(
        'INPUT_SHAPE',
        `${file} is not a COCO file: it needs "images" and "categories" lists`,
        { file },
      );
    }
    const annotations = Array.isArray(coco.annotations) ? (coco.annotations as Json[]) : [];
    const categories = new Map<number, CocoCategory>();
    for (const [i, raw] of (coco.categories as Json[]).entries()) {
      const id = Number(raw?.id);
      if (!Number.isInteger(id) || typeof raw?.name !== 'string') {
        throw new LsconvError('INPUT_SHAPE', `${file}: categories[${i}] needs an integer id and a name`, {
          file,
          field: `categories[${i}]`,
        });
      }
      let name = raw.name;
      if (o.useSuperCategories && typeof raw.supercategory === 'string')
        name = `${raw.supercategory}:${name}`;
      categories.set(id, {
        id,
        name,
        keypoints: Array.isArray(raw.keypoints) ? raw.keypoints.map(String) : undefined,
      });
    }
    const sortedIds = [...categories.keys()].sort((a, b) => a - b);
    const names = {
      rect: `${o.fromName}_rectangles`,
      poly: `${o.fromName}polygons`,
      kp: `${o.fromName}_keypoints`,
      brush: `${o.fromName}_brush`,
    };
    const tagOrder: string[] = [];
    const addTag = (key: string) => {
      if (!tagOrder.includes(key)) tagOrder.push(key);
    };
    const keypointLabels: string[] = [];
    const usedBy = new Map<string, Set<number>>();
    const use = (key: string, id: number) => {
      if (!usedBy.has(key)) usedBy.set(key, new Set());
      usedBy.get(key)!.add(id);
    };
    const images = new Map<
      unknown,
      { task: Task; result: Result[]; width?: number; height?: number; index: number }
    >();
    const resolver = createResourceResolver({}, ctx.report);
    const unnamed = new Set<unknown>();
    for (const [index, image] of (coco.images as Json[]).entries()) {
      const fileName = String(image?.file_name ?? '');
      if (fileName.replace(/[\\/]/g, '') === '') {
        ctx.report.skip({
          kind: 'task',
          code: 'missing-file-name',
          reason: `image ${JSON.stringify(image?.id)} has no file_name, so there is no image to label`,
          file,
          field: `images[${index}]`,
        });
        unnamed.add(image?.id);
        continue;
      }
      const url = !python && URL_LIKE.test(fileName) ? fileName : joinImageUrl(o.imageRootUrl, fileName);
      const result: Result[] = [];
      const task = importedTask(url, o.outType, result);
      let width = positive(image?.width);
      let height = positive(image?.height);
      if ((width === undefined || height === undefined) && !python && fileName && !URL_LIKE.test(fileName)) {
        // file_name comes from the file: sizes are read only from images inside the dataset folder.
        const near = containedPath(dirname(file), fileName);
        const inImages = containedPath(join(dirname(file), 'images'), fileName);
        const info =
          (near ? await resolver.imageInfo(near) : undefined) ??
          (inImages ? await resolver.imageInfo(inImages) : undefined);
        width ??= info?.width;
        height ??= info?.height;
      }
      images.set(image?.id, { task, result, width, height, index });
    }
    for (const [i, ann] of annotations.entries()) {
      if (ctx.signal.aborted) throw new LsconvError('ABORTED', 'the import was cancelled');
      const where = { file, field: `annotations[${i}]` };
      let skips = 0;
      const skip = (code: string, reason: string) => {
        skips++;
        ctx.report.skip({ ...where, kind: 'region', code, reason });
      };
      if (python) {
        // The Python converter adds the tags from the keys it sees, used or not.
        if ('keypoints' in ann) addTag('kp');
        if ('segmentation' in ann) addTag(isRle(ann.segmentation) ? 'brush' : 'poly');
        if ('bbox' in ann) addTag('rect');
      }
      const image = images.get(ann.image_id);
      if (!image) {
        if (unnamed.has(ann.image_id))
          skip('missing-file-name', `image ${JSON.stringify(ann.image_id)} has no file_name`);
        else skip('missing-image', `image_id ${JSON.stringify(ann.image_id)} is not in "images"`);
        continue;
      }
      const category = categories.get(Number(ann.category_id));
      if (!category) {
        skip('unknown-category', `category_id ${JSON.stringify(ann.category_id)} is not in "categories"`);
        continue;
      }
      const { width, height } = image;
      const before = image.result.length;
      const seg = ann.segmentation;
      const rle = isRle(seg) ? seg : undefined;
      if (width === undefined || height === undefined) {
        if (!rle) {
          skip(
            'missing-image-size',
            `image ${JSON.stringify(ann.image_id)} has no width and height, needed to place the region`,
          );
          continue;
        }
      }
      const W = width ?? 0;
      const H = height ?? 0;
      const base = {
        to_name: o.toName,
        image_rotation: 0,
        original_width: width,
        original_height: height,
      };
      const polygons = Array.isArray(seg) ? seg : [];
      const hasSegmentation = polygons.length > 0 || rle !== undefined;
      let rectId: string | undefined;
      if (
        Array.isArray(ann.bbox) &&
        (python || o.segmentationBoxes || !(hasSegmentation || keypointEnvelope(ann)))
      ) {
        const b = ann.bbox.map(Number);
        if (b.length < 4 || b.slice(0, 4).some((v) => !Number.isFinite(v)))
          skip('bad-bbox', 'bbox is not [x, y, width, height]');
        else {
          rectId = newRegionId();
          use('rect', category.id);
          image.result.push({
            id: rectId,
            type: 'rectanglelabels',
            value: {
              x: (b[0]! / W) * 100,
              y: (b[1]! / H) * 100,
              width: (b[2]! / W) * 100,
              height: (b[3]! / H) * 100,
              rotation: 0,
              rectanglelabels: [category.name],
            },
            from_name: names.rect,
            ...base,
          });
          addTag('rect');
        }
      }
      for (const [p, part] of polygons.entries()) {
        const nums = Array.isArray(part) ? part.map(Number) : [];
        if (nums.length < 6 || nums.length % 2 !== 0 || nums.some((v) => !Number.isFinite(v))) {
          skip('bad-polygon', `segmentation[${p}] is not a list of x, y pairs (at least 3 points)`);
          continue;
        }
        const points: [number, number][] = [];
        for (let k = 0; k < nums.length; k += 2)
          points.push([(nums[k]! / W) * 100, (nums[k + 1]! / H) * 100]);
        image.result.push({
          id: newRegionId(),
          type: 'polygonlabels',
          value: { points, polygonlabels: [category.name] },
          from_name: names.poly,
          ...base,
        });
        addTag('poly');
        use('poly', category.id);
      }
      if (rle) {
        try {
          const decoded = decodeCocoRle(rle);
          if (
            (width !== undefined && width !== decoded.width) ||
            (height !== undefined && height !== decoded.height)
          ) {
            skip(
              'rle-size-mismatch',
              `the RLE is ${decoded.width} × ${decoded.height}, the image ${width} × ${height}`,
            );
          } else {
            image.result.push({
              id: newRegionId(),
              type: 'brushlabels',
              value: { format: 'rle', rle: [...encodeBrushMask(decoded.mask)], brushlabels: [category.name] },
              from_name: names.brush,
              ...base,
              original_width: decoded.width,
              original_height: decoded.height,
            });
            addTag('brush');
            use('rect', category.id);
          }
        } catch (error) {
          skip('bad-rle', `segmentation is not a valid COCO RLE: ${(error as Error).message}`);
        }
      }
      if (Array.isArray(ann.keypoints)) {
        addKeypoints(ann.keypoints, category, image.result, {
          ...base,
          W,
          H,
          python,
          pointWidth: o.pointWidth,
          fromName: names.kp,
          rectId,
          skip,
          keypointLabels,
        });
        addTag('kp');
      }
      // Without an image size (an RLE alone may place itself) or with absurd numbers, the
      // percentages divide by zero or overflow: JSON cannot hold NaN or Infinity.
      const bad = image.result.slice(before).filter((r) => !finiteNumbers(r.value));
      if (bad.length) {
        const kept = image.result.slice(before).filter((r) => !bad.includes(r));
        image.result.length = before;
        image.result.push(...kept);
        for (const _ of bad)
          skip(
            'bad-number',
            'the region cannot be placed: the image size is missing or its coordinates overflow',
          );
      }
      if (image.result.length === before && skips === 0) {
        skip(
          'empty-annotation',
          'the annotation has nothing to import: no bbox, segmentation or visible keypoints',
        );
      }
    }
    // `category` keeps the COCO ids when the tasks are exported again (Label Studio honours it).
    const labelsOf = (key: string) =>
      sortedIds
        .filter((id) => python || (usedBy.get(key)?.has(id) ?? false))
        .map((id) => ({
          value: categories.get(id)!.name,
          colorIndex: id,
          ...(python ? {} : { attrs: { category: String(id) } }),
        }));
    // A dataset without annotations still gets a tag with its categories to label with.
    if (tagOrder.length === 0 && !python) {
      tagOrder.push('rect');
      usedBy.set('rect', new Set(sortedIds));
    }
    // Categories no region uses stay in the config (on the first shape tag), so that an export lists them again.
    const shapeKey = tagOrder.find((k) => k !== 'kp');
    if (shapeKey && !python) {
      const used = new Set([...usedBy.values()].flatMap((set) => [...set]));
      for (const id of sortedIds)
        if (!used.has(id) && !categories.get(id)!.keypoints?.length) use(shapeKey, id);
    }
    const controls: ImportControl[] = tagOrder.map((key) => {
      switch (key) {
        case 'rect':
          return { tag: 'RectangleLabels', name: names.rect, labels: labelsOf(key) };
        case 'poly':
          return { tag: 'PolygonLabels', name: names.poly, labels: labelsOf(key) };
        case 'brush':
          return { tag: 'BrushLabels', name: names.brush, labels: labelsOf(key) };
        default:
          return {
            tag: 'KeyPointLabels',
            name: names.kp,
            labels: python
              ? labelsOf(key)
              : keypointLabels.map((value, i) => ({
                  value,
                  colorIndex: i,
                  attrs: { model_index: String(i) },
                })),
          };
      }
    });
    const ordered = [...images.entries()];
    // The Python converter writes the tasks by image id.
    if (python) ordered.sort(([a], [b]) => compareIds(a, b));
    const tasks = ordered.map(([, v]) => v.task);
    for (const v of images.values()) ctx.report.regionsWritten += v.result.length;
    return { tasks, labelConfig: importLabelConfig({ toName: o.toName, controls, compat: ctx.compat }) };
  },
});

/**
 * Whether an annotation's bbox is only the envelope of its visible keypoints (as
 * Label Studio's COCO export writes it): such a box carries nothing of its own, so
 * it is not imported as a rectangle.
 */
function keypointEnvelope(ann: Record<string, unknown>): boolean {
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

function compareIds(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

function positive(value: unknown): number | undefined {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && value.trim() !== ''
        ? Number(value)
        : Number.NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

function isRle(seg: unknown): seg is CocoRleInput {
  return !!seg && typeof seg === 'object' && !Array.isArray(seg) && 'counts' in seg && 'size' in seg;
}

interface KeypointContext {
  to_name: string;
  image_rotation: number;
  original_width: number | undefined;
  original_height: number | undefined;
  W: number;
  H: number;
  python: boolean;
  pointWidth: number;
  fromName: string;
  rectId: string | undefined;
  skip: (code: string, reason: string) => void;
  keypointLabels: string[];
}

/**
 * COCO keypoints `[x, y, v…]` → keypoint regions. The Python converter labels every
 * point with the category name and keeps unlabelled (v = 0) points as hidden; by
 * default the points are named by the category's `keypoints` list, v = 0 points are
 * left out and each point is linked to its box (`parentID`), which YOLO pose and
 * COCO keypoint exports need.
 */
function addKeypoints(raw: unknown[], category: CocoCategory, result: Result[], k: KeypointContext): void {
  const nums = raw.map(Number);
  if (nums.length % 3 !== 0 || nums.some((v) => !Number.isFinite(v))) {
    k.skip('bad-keypoints', 'keypoints is not a list of x, y, visibility triples');
    return;
  }
  for (let i = 0; i < nums.length; i += 3) {
    const [x, y, v] = [nums[i]!, nums[i + 1]!, nums[i + 2]!];
    const index = i / 3;
    const name = k.python ? category.name : (category.keypoints?.[index] ?? `${category.name}_${index}`);
    if (!k.python && !k.keypointLabels.includes(name)) k.keypointLabels.push(name);
    if (!k.python && v === 0) continue;
    const region: Result = {
      id: newRegionId(),
      type: 'keypointlabels',
      value: { x: (x / k.W) * 100, y: (y / k.H) * 100, width: k.pointWidth, keypointlabels: [name] },
      to_name: k.to_name,
      from_name: k.fromName,
      image_rotation: 0,
      original_width: k.original_width,
      original_height: k.original_height,
    };
    if (v < 2 && k.python) (region.value as Record<string, unknown>).hidden = true;
    if (!k.python && k.rectId) region.parentID = k.rectId;
    result.push(region);
  }
}

function finiteNumbers(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(finiteNumbers);
  if (typeof value === 'object' && value !== null) return Object.values(value).every(finiteNumbers);
  return true;
}
