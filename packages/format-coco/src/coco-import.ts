import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  type ConversionReport,
  containedPath,
  createResourceResolver,
  defineImporter,
  type ImportContext,
  LsconvError,
  type OptionValues,
  type Result,
  type Task,
} from '@lsconv/core';
import {
  type ImportControl,
  imageImportOptions,
  importedTask,
  importLabelConfig,
  joinImageUrl,
} from '@lsconv/format-kit';
import {
  type AnnotationScope,
  addBox,
  addKeypoints,
  addPolygons,
  addRle,
  type CocoCategory,
  type ControlNames,
  dropUnplaceable,
  isRle,
  keypointEnvelope,
} from './coco-import-regions.js';

type Json = Record<string, unknown>;

const URL_LIKE = /^([a-z][a-z0-9+.-]*:\/\/|\/data\/)/i;

const options = {
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
} as const;

/** An image of the COCO file: its task, the regions found for it so far, its size when known. */
interface ImportedImage {
  task: Task;
  result: Result[];
  width?: number;
  height?: number;
  index: number;
}

/** One import's state: the file's categories and images, and the control kinds and labels its regions use. */
interface ImportRun {
  o: OptionValues<typeof options>;
  python: boolean;
  file: string;
  report: ConversionReport;
  names: ControlNames;
  categories: Map<number, CocoCategory>;
  /** By COCO image id. */
  images: Map<unknown, ImportedImage>;
  /** Ids of the images without a file name (their annotations are reported as such). */
  unnamed: Set<unknown>;
  /** The control kinds (`rect`, `poly`, `brush`, `kp`) in the order first met. */
  tagOrder: string[];
  keypointLabels: string[];
  /** Category ids per control kind. */
  usedBy: Map<string, Set<number>>;
}

/** `lsconv import coco`: a COCO JSON file → Label Studio tasks. */
export const cocoImporter = defineImporter({
  id: 'coco',
  title: 'COCO',
  description:
    'Reads a COCO JSON file: boxes, polygons (every part), keypoints and RLE or uncompressed-RLE segmentations (as brush masks).',
  options,
  async run(ctx) {
    const o = ctx.options;
    const python = ctx.compat === 'python';
    const coco = await readCocoFile(ctx.input);
    const run: ImportRun = {
      o,
      python,
      file: ctx.input,
      report: ctx.report,
      names: {
        rect: `${o.fromName}_rectangles`,
        poly: `${o.fromName}polygons`,
        kp: `${o.fromName}_keypoints`,
        brush: `${o.fromName}_brush`,
      },
      categories: readCategories(coco, ctx.input, o.useSuperCategories),
      ...(await readImages(ctx, coco)),
      tagOrder: [],
      keypointLabels: [],
      usedBy: new Map(),
    };
    const annotations = Array.isArray(coco.annotations) ? (coco.annotations as Json[]) : [];
    for (const [i, ann] of annotations.entries()) {
      if (ctx.signal.aborted) throw new LsconvError('ABORTED', 'the import was cancelled');
      importAnnotation(run, ann, i);
    }
    const controls = labelControls(run);
    const ordered = [...run.images.entries()];
    // The Python converter writes the tasks by image id.
    if (python) ordered.sort(([a], [b]) => compareIds(a, b));
    const tasks = ordered.map(([, v]) => v.task);
    for (const v of run.images.values()) ctx.report.regionsWritten += v.result.length;
    return { tasks, labelConfig: importLabelConfig({ toName: o.toName, controls, compat: ctx.compat }) };
  },
});

/** The COCO file as JSON, with its `images` and `categories` lists; a clear error naming the file otherwise. */
async function readCocoFile(file: string): Promise<Json> {
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
      {
        file,
      },
    );
  }
  return coco;
}

/** The file's categories by id (named `<supercategory>:<name>` when asked). */
function readCategories(coco: Json, file: string, useSuperCategories: boolean): Map<number, CocoCategory> {
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
    if (useSuperCategories && typeof raw.supercategory === 'string') name = `${raw.supercategory}:${name}`;
    categories.set(id, {
      id,
      name,
      keypoints: Array.isArray(raw.keypoints) ? raw.keypoints.map(String) : undefined,
    });
  }
  return categories;
}

/**
 * A task per named image, with its size from the file or, outside compat mode, read
 * from the image beside the COCO file (or in its `images/` folder).
 */
async function readImages(
  ctx: ImportContext<OptionValues<typeof options>>,
  coco: Json,
): Promise<{ images: Map<unknown, ImportedImage>; unnamed: Set<unknown> }> {
  const { options: o, input: file } = ctx;
  const python = ctx.compat === 'python';
  const images = new Map<unknown, ImportedImage>();
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
  return { images, unnamed };
}

function addTag(run: ImportRun, key: string): void {
  if (!run.tagOrder.includes(key)) run.tagOrder.push(key);
}

function use(run: ImportRun, key: string, id: number): void {
  if (!run.usedBy.has(key)) run.usedBy.set(key, new Set());
  run.usedBy.get(key)!.add(id);
}

/** One COCO annotation → the regions of its image: box, polygons, RLE mask, keypoints. */
function importAnnotation(run: ImportRun, ann: Json, i: number): void {
  const { o, python } = run;
  const where = { file: run.file, field: `annotations[${i}]` };
  let skips = 0;
  const skip = (code: string, reason: string) => {
    skips++;
    run.report.skip({ ...where, kind: 'region', code, reason });
  };
  if (python) {
    // The Python converter adds the tags from the keys it sees, used or not.
    if ('keypoints' in ann) addTag(run, 'kp');
    if ('segmentation' in ann) addTag(run, isRle(ann.segmentation) ? 'brush' : 'poly');
    if ('bbox' in ann) addTag(run, 'rect');
  }
  const image = run.images.get(ann.image_id);
  if (!image) {
    if (run.unnamed.has(ann.image_id))
      skip('missing-file-name', `image ${JSON.stringify(ann.image_id)} has no file_name`);
    else skip('missing-image', `image_id ${JSON.stringify(ann.image_id)} is not in "images"`);
    return;
  }
  const category = run.categories.get(Number(ann.category_id));
  if (!category) {
    skip('unknown-category', `category_id ${JSON.stringify(ann.category_id)} is not in "categories"`);
    return;
  }
  const { width, height } = image;
  const seg = ann.segmentation;
  const rle = isRle(seg) ? seg : undefined;
  if ((width === undefined || height === undefined) && !rle) {
    skip(
      'missing-image-size',
      `image ${JSON.stringify(ann.image_id)} has no width and height, needed to place the region`,
    );
    return;
  }
  const scope: AnnotationScope = {
    ann,
    category,
    result: image.result,
    base: { to_name: o.toName, image_rotation: 0, original_width: width, original_height: height },
    W: width ?? 0,
    H: height ?? 0,
    names: run.names,
    use: (key, id) => use(run, key, id),
    addTag: (key) => addTag(run, key),
    skip,
  };
  const before = image.result.length;
  const polygons = Array.isArray(seg) ? seg : [];
  const hasSegmentation = polygons.length > 0 || rle !== undefined;
  let rectId: string | undefined;
  if (
    Array.isArray(ann.bbox) &&
    (python || o.segmentationBoxes || !(hasSegmentation || keypointEnvelope(ann)))
  )
    rectId = addBox(scope, ann.bbox);
  addPolygons(scope, polygons);
  if (rle) addRle(scope, rle);
  if (Array.isArray(ann.keypoints)) {
    addKeypoints(scope, ann.keypoints, {
      python,
      pointWidth: o.pointWidth,
      rectId,
      keypointLabels: run.keypointLabels,
    });
    addTag(run, 'kp');
  }
  dropUnplaceable(scope, before);
  if (image.result.length === before && skips === 0) {
    skip(
      'empty-annotation',
      'the annotation has nothing to import: no bbox, segmentation or visible keypoints',
    );
  }
}

/** The labeling config's controls, one per control kind met, each with the categories it uses. */
function labelControls(run: ImportRun): ImportControl[] {
  const { python, names, categories, tagOrder, usedBy } = run;
  const sortedIds = [...categories.keys()].sort((a, b) => a - b);
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
      if (!used.has(id) && !categories.get(id)!.keypoints?.length) use(run, shapeKey, id);
  }
  return tagOrder.map((key) => {
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
            : run.keypointLabels.map((value, i) => ({
                value,
                colorIndex: i,
                attrs: { model_index: String(i) },
              })),
        };
    }
  });
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
