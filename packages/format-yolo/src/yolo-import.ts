import { promises as fs } from 'node:fs';
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import {
  type CompatMode,
  type ConversionReport,
  createResourceResolver,
  defineImporter,
  type ImageInfo,
  LsconvError,
  type Result,
  type Task,
} from '@lsconv/core';
import {
  type ImportControl,
  imageImportOptions,
  importLabelConfig,
  joinImageUrl,
  LOCAL_FILES_ROOT,
  newRegionId,
} from '@lsconv/format-kit';
import { parse as parseYaml } from 'yaml';

/** Largest class id a notes.json may use (the class list is dense up to it). */
const MAX_CLASS_ID = 100_000;

/** The image root the Python converter uses for a flat YOLO folder. */
const PYTHON_IMAGE_ROOT = '/data/local-files/?d=images';

/** One image of the dataset and where its labels are. */
interface DatasetImage {
  /** Absolute path of the image. */
  path: string;
  /** Absolute path of its label file (may not exist). */
  labelPath: string;
  /** The path joined to the image root URL. */
  urlPath: string;
  /** The split (`train`, `val`, `test`) in a `data.yaml` layout. */
  split?: string;
}

/** What a dataset folder holds: its classes, keypoint layout and images. */
interface Dataset {
  root: string;
  classes: string[];
  /** `[keypoints, dims]` of a pose dataset. */
  kptShape?: [number, number];
  kptNames?: string[];
  images: DatasetImage[];
  /** Whether the images are addressed relative to `images/` (flat layout, as the Python converter does). */
  flat: boolean;
}

/** A YOLO label line, parsed. */
export type YoloLine =
  | { kind: 'box'; cls: number; box: [number, number, number, number]; score?: number }
  | { kind: 'polygon'; cls: number; points: [number, number][]; score?: number }
  | { kind: 'obb'; cls: number; corners: [number, number][]; score?: number }
  | {
      kind: 'pose';
      cls: number;
      box: [number, number, number, number];
      keypoints: [number, number, number][];
      score?: number;
    };

/** How a line of 8 coordinates is read. */
export type ObbMode = 'auto' | 'always' | 'never';

/**
 * Tells a YOLO label line's kind from its value count: 4 numbers a box, 4 + k×d a
 * pose line (when the dataset has `kpt_shape`), 8 an oriented box (its corners make
 * a rectangle in pixels) or a 4-point polygon, any other even count ≥ 6 a polygon;
 * one extra value is a score. Returns a reason string when the line is unusable.
 */
export function parseYoloLine(
  values: readonly number[],
  opts: {
    kptShape?: readonly [number, number];
    obb?: ObbMode;
    size?: { width: number; height: number };
  } = {},
): YoloLine | string {
  const [cls, ...nums] = values;
  if (cls === undefined) return 'empty line';
  if (!Number.isInteger(cls) || cls < 0) return `class id ${cls} is not a non-negative integer`;
  const n = nums.length;
  if (n < 4)
    return `${n} coordinate value${n === 1 ? '' : 's'}; a box needs 4 (class x_center y_center width height)`;
  if (opts.kptShape) {
    const [k, d] = opts.kptShape;
    const poseCount = 4 + k * d;
    if (n === poseCount || n === poseCount + 1) {
      const keypoints: [number, number, number][] = [];
      for (let i = 0; i < k; i++) {
        const base = 4 + i * d;
        keypoints.push([nums[base]!, nums[base + 1]!, d >= 3 ? nums[base + 2]! : 2]);
      }
      return {
        kind: 'pose',
        cls,
        box: [nums[0]!, nums[1]!, nums[2]!, nums[3]!],
        keypoints,
        ...(n === poseCount + 1 ? { score: nums[n - 1]! } : {}),
      };
    }
  }
  if (n === 4 || n === 5) {
    return {
      kind: 'box',
      cls,
      box: [nums[0]!, nums[1]!, nums[2]!, nums[3]!],
      ...(n === 5 ? { score: nums[4]! } : {}),
    };
  }
  const coords = n % 2 === 0 ? nums : nums.slice(0, -1);
  const score = n % 2 === 0 ? undefined : nums[n - 1];
  const points: [number, number][] = [];
  for (let i = 0; i + 1 < coords.length; i += 2) points.push([coords[i]!, coords[i + 1]!]);
  const withScore = score === undefined ? {} : { score };
  if (points.length === 4 && opts.obb !== 'never') {
    if (opts.obb === 'always' || isRectangle(points, opts.size ?? { width: 1, height: 1 })) {
      return { kind: 'obb', cls, corners: points, ...withScore };
    }
  }
  return { kind: 'polygon', cls, points, ...withScore };
}

/** Whether four corners (normalised) make a rectangle once scaled to pixels. */
function isRectangle(points: readonly [number, number][], size: { width: number; height: number }): boolean {
  const p = points.map(([x, y]) => [x * size.width, y * size.height] as const);
  const scale = Math.max(size.width, size.height);
  for (let i = 0; i < 4; i++) {
    const a = p[i]!;
    const b = p[(i + 1) % 4]!;
    const c = p[(i + 2) % 4]!;
    const ux = b[0] - a[0];
    const uy = b[1] - a[1];
    const vx = c[0] - b[0];
    const vy = c[1] - b[1];
    const lu = Math.hypot(ux, uy);
    const lv = Math.hypot(vx, vy);
    if (lu < 1e-9 * scale || lv < 1e-9 * scale) return false;
    // Corners written from a rotated box are exact to ~1e-12; 1e-4 leaves room for rounded files.
    if (Math.abs(ux * vx + uy * vy) / (lu * lv) > 1e-4) return false;
  }
  return true;
}

/**
 * Label Studio rectangle (percent, top-left corner and rotation in degrees) from
 * the four corners of an oriented box in pixels: centre, side lengths from the
 * first corner, angle of the first side.
 */
export function obbToRectangle(
  corners: readonly [number, number][],
  width: number,
  height: number,
): { x: number; y: number; width: number; height: number; rotation: number } {
  const [p0, p1, , p3] = corners as [[number, number], [number, number], [number, number], [number, number]];
  const cx = corners.reduce((s, c) => s + c[0], 0) / 4;
  const cy = corners.reduce((s, c) => s + c[1], 0) / 4;
  const w = Math.hypot(p0[0] - p1[0], p0[1] - p1[1]);
  const h = Math.hypot(p0[0] - p3[0], p0[1] - p3[1]);
  const angle = Math.atan2(p1[1] - p0[1], p1[0] - p0[0]);
  const x = cx - (w / 2) * Math.cos(angle) + (h / 2) * Math.sin(angle);
  const y = cy - (w / 2) * Math.sin(angle) - (h / 2) * Math.cos(angle);
  let rotation = (angle * 180) / Math.PI;
  if (rotation < 0) rotation += 360;
  return {
    x: (x / width) * 100,
    y: (y / height) * 100,
    width: (w / width) * 100,
    height: (h / height) * 100,
    rotation,
  };
}

const IMAGE_DIMS = /^\s*(\d+)\s*[,x× ]\s*(\d+)\s*$/i;

/** `lsconv import yolo`: YOLO / Ultralytics datasets → Label Studio tasks. */
export const yoloImporter = defineImporter({
  id: 'yolo',
  title: 'YOLO / Ultralytics dataset',
  description:
    'Reads a YOLO folder (images/, labels/, classes.txt) or an Ultralytics dataset (data.yaml with train/val/test splits): boxes, polygons, oriented boxes and pose lines, told apart per line; a score column becomes the region score.',
  options: {
    ...imageImportOptions({
      fromName:
        'Name of the RectangleLabels tag (from_name); polygons use <name>_polygons, keypoints <name>_keypoints',
      imageRootUrl:
        'Root URL of the images (flat layout: of images/; data.yaml layout: of the dataset folder). Default: Label Studio local files, /data/local-files/?d=<path under the input folder>',
      imageRootDefault: '',
    }),
    imageExt: {
      type: 'string',
      default: '.jpg,.jpeg,.png',
      description: 'Image extensions to look for, comma separated',
    },
    imageDims: {
      type: 'string',
      default: '',
      description: 'Width and height of every image (e.g. 640x480), instead of reading each image header',
    },
    obb: {
      type: 'enum',
      choices: ['auto', 'always', 'never'],
      default: 'auto',
      description:
        'Lines of 8 coordinates: auto = oriented box when the corners form a rectangle in pixels, else polygon',
    },
    kptShape: {
      type: 'string',
      default: '',
      description: 'Keypoints per pose line and values per keypoint (e.g. 17,3), when data.yaml does not say',
    },
  },
  async run(ctx) {
    const o = ctx.options;
    const dims = parseDims(o.imageDims);
    const exts = o.imageExt
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e !== '')
      .map((e) => (e.startsWith('.') ? e : `.${e}`));
    const dataset = await readDataset(ctx.input, exts, ctx.compat);
    if (o.kptShape.trim() !== '') dataset.kptShape = parseKptShape(o.kptShape, 'the kpt-shape option');
    const resolver = createResourceResolver({}, ctx.report);
    const used = { box: false, polygon: false, keypoints: false };
    const tasks: Task[] = [];
    for (const image of dataset.images) {
      if (ctx.signal.aborted) throw new LsconvError('ABORTED', 'the import was cancelled');
      const root =
        o.imageRootUrl || (dataset.flat && ctx.compat === 'python' ? PYTHON_IMAGE_ROOT : LOCAL_FILES_ROOT);
      const urlPath =
        o.imageRootUrl || ctx.compat === 'python' ? image.urlPath : relative(dataset.root, image.path);
      const task: Task = { data: { image: joinImageUrl(root, urlPath) } };
      if (image.split !== undefined && ctx.compat !== 'python') task.meta = { split: image.split };
      const text = await readOptional(image.labelPath);
      if (text !== undefined) {
        const size: ImageInfo | undefined = dims ?? (await resolver.imageInfo(image.path));
        if (!size) {
          ctx.report.skip({
            kind: 'resource',
            code: 'image-size-unknown',
            reason:
              'the image size could not be read; regions have no original_width/height and oriented boxes are left out',
            file: image.path,
          });
        }
        const result = labelResults(text, {
          ...ctx,
          dataset,
          size,
          file: relative(dataset.root, image.labelPath),
          used,
        });
        task[o.outType] = [{ result, ground_truth: false }];
        ctx.report.regionsWritten += result.length;
      }
      tasks.push(task);
    }
    if (tasks.length === 0)
      ctx.report.warn(`no images with the extensions ${exts.join(', ')} were found in ${ctx.input}`);
    return { tasks, labelConfig: yoloLabelConfig(dataset, o, used, ctx.compat) };
  },
});

function parseDims(text: string): ImageInfo | undefined {
  if (text.trim() === '') return undefined;
  const m = IMAGE_DIMS.exec(text);
  const width = Number(m?.[1]);
  const height = Number(m?.[2]);
  if (!m || !(width > 0) || !(height > 0)) {
    throw new LsconvError(
      'INVALID_OPTION',
      `image-dims must be WIDTHxHEIGHT (e.g. 640x480), got ${JSON.stringify(text)}`,
    );
  }
  return { width, height };
}

function parseKptShape(value: unknown, where: string): [number, number] {
  const parts = Array.isArray(value)
    ? value.map(Number)
    : String(value)
        .split(/[,x ]+/)
        .filter(Boolean)
        .map(Number);
  const [k, d] = parts;
  if (parts.length !== 2 || !Number.isInteger(k) || !Number.isInteger(d) || k! < 1 || (d !== 2 && d !== 3)) {
    throw new LsconvError(
      'INVALID_OPTION',
      `${where}: kpt_shape must be [keypoints, 2 or 3], got ${JSON.stringify(value)}`,
    );
  }
  return [k!, d!];
}

interface LineContext {
  dataset: Dataset;
  size: ImageInfo | undefined;
  file: string;
  report: ConversionReport;
  compat: CompatMode;
  options: { toName: string; fromName: string; obb: ObbMode };
  used: { box: boolean; polygon: boolean; keypoints: boolean };
}

/** The Label Studio results of one label file; broken lines become report entries. */
function labelResults(text: string, ctx: LineContext): Result[] {
  const { dataset, size, file, report, options: o } = ctx;
  const results: Result[] = [];
  const sizeFields = size ? { original_width: size.width, original_height: size.height } : {};
  const common = { to_name: o.toName };
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    const where = { file, field: `line ${i + 1}` };
    const tokens = raw.split(/\s+/);
    const values = tokens.map(Number);
    const bad = tokens.findIndex((t, k) => t === '' || !Number.isFinite(values[k]));
    if (bad >= 0) {
      report.skip({
        ...where,
        kind: 'region',
        code: 'bad-number',
        reason: `${JSON.stringify(tokens[bad])} is not a number`,
      });
      continue;
    }
    const line = parseYoloLine(values, { kptShape: dataset.kptShape, obb: o.obb, ...(size ? { size } : {}) });
    if (typeof line === 'string') {
      report.skip({ ...where, kind: 'region', code: 'bad-line', reason: line });
      continue;
    }
    const before = results.length;
    const label = dataset.classes[line.cls];
    if (label === undefined) {
      report.skip({
        ...where,
        kind: 'region',
        code: 'unknown-class',
        reason: `class id ${line.cls} is beyond the ${dataset.classes.length} classes of the dataset`,
      });
      continue;
    }
    // The Python converter drops a score of 0 (`if score:`).
    const score =
      line.score !== undefined && (line.score !== 0 || ctx.compat !== 'python') ? { score: line.score } : {};
    if (line.kind === 'box' || line.kind === 'pose') {
      const [xc, yc, w, h] = line.box;
      const id = newRegionId();
      results.push({
        id,
        type: 'rectanglelabels',
        value: {
          x: (xc - w / 2) * 100,
          y: (yc - h / 2) * 100,
          width: w * 100,
          height: h * 100,
          rotation: 0,
          rectanglelabels: [label],
        },
        ...common,
        from_name: o.fromName,
        image_rotation: 0,
        ...sizeFields,
        ...score,
      });
      ctx.used.box = true;
      if (line.kind === 'pose') {
        const names = keypointNames(dataset);
        line.keypoints.forEach(([x, y, v], k) => {
          if (v === 0) return;
          results.push({
            id: newRegionId(),
            type: 'keypointlabels',
            value: { x: x * 100, y: y * 100, width: 1, keypointlabels: [names[k]!] },
            ...common,
            from_name: `${o.fromName}_keypoints`,
            image_rotation: 0,
            parentID: id,
            ...sizeFields,
          });
          ctx.used.keypoints = true;
        });
      }
    } else if (line.kind === 'polygon') {
      results.push({
        id: newRegionId(),
        type: 'polygonlabels',
        value: {
          points: line.points.map(([x, y]) => [x * 100, y * 100] as [number, number]),
          closed: true,
          polygonlabels: [label],
        },
        ...common,
        from_name: `${o.fromName}_polygons`,
        image_rotation: 0,
        ...sizeFields,
        ...score,
      });
      ctx.used.polygon = true;
    } else {
      if (!size) {
        report.skip({
          ...where,
          kind: 'region',
          code: 'missing-image-size',
          reason: 'an oriented box needs the image size',
        });
        continue;
      }
      const px = line.corners.map(([x, y]) => [x * size.width, y * size.height] as [number, number]);
      results.push({
        id: newRegionId(),
        type: 'rectanglelabels',
        value: { ...obbToRectangle(px, size.width, size.height), rectanglelabels: [label] },
        ...common,
        from_name: o.fromName,
        image_rotation: 0,
        ...sizeFields,
        ...score,
      });
      ctx.used.box = true;
    }
    // Coordinates near 1e308 overflow once scaled to percent or pixels; JSON cannot hold Infinity.
    if (results.slice(before).some((r) => !finiteNumbers(r.value))) {
      results.length = before;
      report.skip({
        ...where,
        kind: 'region',
        code: 'bad-number',
        reason: 'the coordinates overflow when scaled to the image',
      });
    }
  }
  return results;
}

function finiteNumbers(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(finiteNumbers);
  if (typeof value === 'object' && value !== null) return Object.values(value).every(finiteNumbers);
  return true;
}

function keypointNames(dataset: Dataset): string[] {
  const k = dataset.kptShape?.[0] ?? 0;
  return Array.from({ length: k }, (_, i) => dataset.kptNames?.[i] ?? `keypoint_${i}`);
}

function yoloLabelConfig(
  dataset: Dataset,
  o: { toName: string; fromName: string },
  used: { box: boolean; polygon: boolean; keypoints: boolean },
  compat: CompatMode,
): string {
  // `category` keeps the class ids when the tasks are exported again (Label Studio honours it).
  const labels = dataset.classes.map((value, i) => ({
    value,
    colorIndex: i,
    ...(compat === 'python' ? {} : { attrs: { category: String(i) } }),
  }));
  const controls: ImportControl[] = [];
  // The Python converter always writes the RectangleLabels tag, whatever the lines hold.
  if (used.box || !used.polygon || compat === 'python')
    controls.push({ tag: 'RectangleLabels', name: o.fromName, labels });
  if (used.polygon) controls.push({ tag: 'PolygonLabels', name: `${o.fromName}_polygons`, labels });
  if (dataset.kptShape && (used.keypoints || used.box)) {
    controls.push({
      tag: 'KeyPointLabels',
      name: `${o.fromName}_keypoints`,
      labels: keypointNames(dataset).map((value, i) => ({
        value,
        colorIndex: i,
        attrs: { model_index: String(i) },
      })),
    });
  }
  return importLabelConfig({ toName: o.toName, controls, compat });
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await fs.readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new LsconvError('INPUT_READ', `cannot read ${path}: ${(error as Error).message}`, {
      file: path,
      cause: error,
    });
  }
}

async function isDir(path: string): Promise<boolean> {
  return (await fs.stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

async function exists(path: string): Promise<boolean> {
  return (await fs.stat(path).catch(() => undefined)) !== undefined;
}

/** Finds the layout: a `data.yaml` file or folder holding one, else images/ + labels/ + classes.txt. */
async function readDataset(input: string, exts: readonly string[], compat: CompatMode): Promise<Dataset> {
  const stat = await fs.stat(input).catch(() => undefined);
  if (!stat) throw new LsconvError('INPUT_NOT_FOUND', `${input} does not exist`, { file: input });
  if (stat.isFile()) {
    if (/\.ya?ml$/i.test(input)) return readYamlDataset(input, exts);
    throw new LsconvError('INPUT_SHAPE', `${input} is a file; give the dataset folder or its data.yaml`, {
      file: input,
    });
  }
  const hasClasses = await exists(join(input, 'classes.txt'));
  if (!hasClasses || compat !== 'python') {
    for (const name of ['data.yaml', 'dataset.yaml', 'data.yml']) {
      if (await exists(join(input, name))) return readYamlDataset(join(input, name), exts);
    }
    if (!hasClasses) {
      const yamls = (await fs.readdir(input)).filter((f) => /\.ya?ml$/i.test(f));
      if (yamls.length === 1) return readYamlDataset(join(input, yamls[0]!), exts);
    }
  }
  const classes = await readClasses(input);
  const imagesDir = join(input, 'images');
  if (!(await isDir(imagesDir))) {
    throw new LsconvError('INPUT_SHAPE', `${input} has no images/ folder`, {
      file: input,
      hint: 'a YOLO folder holds images/, labels/ and classes.txt, or a data.yaml',
    });
  }
  const files = await listImages(imagesDir, exts, compat === 'python');
  return {
    root: resolve(input),
    classes,
    flat: true,
    images: files.map((path) => {
      const rel = relative(imagesDir, path);
      return {
        path,
        urlPath: rel.split(sep).join('/'),
        labelPath: join(input, 'labels', `${stripExt(rel)}.txt`),
      };
    }),
  };
}

async function readClasses(dir: string): Promise<string[]> {
  const text = await readOptional(join(dir, 'classes.txt'));
  if (text !== undefined) {
    const lines = text.split(/\r?\n/).map((l) => l.trim());
    while (lines.length && lines[lines.length - 1] === '') lines.pop();
    return lines;
  }
  const notes = await readOptional(join(dir, 'notes.json'));
  if (notes !== undefined) {
    const file = join(dir, 'notes.json');
    let parsed: unknown;
    try {
      parsed = JSON.parse(notes);
    } catch (error) {
      throw new LsconvError('INPUT_PARSE', `${file} is not JSON: ${(error as Error).message}`, { file });
    }
    const categories = (parsed as { categories?: unknown } | null)?.categories ?? [];
    const out: string[] = [];
    const bad = (field: string) =>
      new LsconvError(
        'INPUT_SHAPE',
        `${file}: "categories" must be a list of {id, name} with small non-negative integer ids`,
        {
          file,
          field,
        },
      );
    if (!Array.isArray(categories)) throw bad('categories');
    for (const [i, c] of categories.entries()) {
      const id = (c as { id?: unknown } | null)?.id;
      // An id of 1e9 would make a billion-entry class list.
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > MAX_CLASS_ID)
        throw bad(`categories[${i}]`);
      out[id] = String((c as { name?: unknown }).name ?? `class_${id}`);
    }
    return Array.from(out, (name, i) => name ?? `class_${i}`);
  }
  throw new LsconvError('INPUT_NOT_FOUND', `${join(dir, 'classes.txt')} does not exist`, {
    file: join(dir, 'classes.txt'),
    hint: 'a YOLO folder needs classes.txt (one class name per line), notes.json or a data.yaml with names',
  });
}

function stripExt(path: string): string {
  const ext = extname(path);
  return ext ? path.slice(0, -ext.length) : path;
}

/** Image files under `dir` (recursively), sorted; extensions case-insensitive except in python mode. */
async function listImages(dir: string, exts: readonly string[], exactCase: boolean): Promise<string[]> {
  const out: string[] = [];
  const lower = exts.map((e) => e.toLowerCase());
  const walk = async (d: string): Promise<void> => {
    const entries = await fs.readdir(d, { withFileTypes: true });
    for (const e of entries) {
      const full = join(d, e.name);
      // The Python converter lists images/ only, not its subfolders.
      if (e.isDirectory()) {
        if (!exactCase) await walk(full);
      } else if (
        exactCase ? exts.some((x) => e.name.endsWith(x)) : lower.some((x) => e.name.toLowerCase().endsWith(x))
      )
        out.push(full);
    }
  };
  await walk(dir);
  return out.sort();
}

/** Ultralytics' rule: the label of `…/images/…/x.jpg` is `…/labels/…/x.txt`. */
function labelPathOf(imagePath: string): string {
  const parts = imagePath.split(sep);
  const i = parts.lastIndexOf('images');
  if (i >= 0) parts[i] = 'labels';
  return `${stripExt(parts.join(sep))}.txt`;
}

async function readYamlDataset(file: string, exts: readonly string[]): Promise<Dataset> {
  let doc: Record<string, unknown>;
  try {
    doc = (parseYaml(await fs.readFile(file, 'utf8')) ?? {}) as Record<string, unknown>;
  } catch (error) {
    throw new LsconvError('INPUT_PARSE', `${file} is not valid YAML: ${(error as Error).message}`, {
      file,
      cause: error,
    });
  }
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new LsconvError('INPUT_SHAPE', `${file} is not a YAML mapping`, { file });
  const here = dirname(resolve(file));
  const rootText = typeof doc.path === 'string' && doc.path !== '' ? doc.path : '.';
  let root = isAbsolute(rootText) ? rootText : resolve(here, rootText);
  // Ultralytics resolves a relative `path` against its datasets folder; here the yaml's folder is the sensible base.
  if (!(await isDir(root))) root = here;
  const classes = yamlNames(doc.names, doc.nc, file);
  const dataset: Dataset = { root, classes, images: [], flat: false };
  if (doc.kpt_shape !== undefined) dataset.kptShape = parseKptShape(doc.kpt_shape, file);
  if (Array.isArray(doc.kpt_names)) dataset.kptNames = doc.kpt_names.map(String);
  const seen = new Set<string>();
  for (const split of ['train', 'val', 'test']) {
    const entry = doc[split];
    if (entry == null || entry === '') continue;
    for (const source of Array.isArray(entry) ? entry : [entry]) {
      const path = resolve(root, String(source));
      let images: string[];
      if (await isDir(path)) images = await listImages(path, exts, false);
      else if (/\.txt$/i.test(path) && (await exists(path))) {
        const listed = (await fs.readFile(path, 'utf8'))
          .split(/\r?\n/)
          .map((l) => l.trim())
          .filter(Boolean);
        images = listed.map((l) => resolve(dirname(path), l));
      } else {
        throw new LsconvError(
          'INPUT_NOT_FOUND',
          `${file}: the ${split} images (${String(source)}) are not there`,
          {
            file,
            field: split,
          },
        );
      }
      for (const image of images) {
        if (seen.has(image)) continue;
        seen.add(image);
        dataset.images.push({
          path: image,
          labelPath: labelPathOf(image),
          urlPath: relative(root, image).split(sep).join('/'),
          split,
        });
      }
    }
  }
  if (seen.size === 0 && doc.train === undefined) {
    throw new LsconvError('INPUT_SHAPE', `${file} names no train/val/test images`, { file });
  }
  return dataset;
}

function yamlNames(names: unknown, nc: unknown, file: string): string[] {
  if (Array.isArray(names)) return names.map(String);
  if (names && typeof names === 'object') {
    const out: string[] = [];
    for (const [k, v] of Object.entries(names)) {
      const id = Number(k);
      if (!Number.isInteger(id) || id < 0)
        throw new LsconvError('INPUT_SHAPE', `${file}: class id ${k} is not an integer`, {
          file,
          field: 'names',
        });
      out[id] = String(v);
    }
    return Array.from(out, (n, i) => n ?? `class_${i}`);
  }
  if (typeof nc === 'number' && Number.isInteger(nc))
    return Array.from({ length: nc }, (_, i) => `class_${i}`);
  throw new LsconvError('INPUT_SHAPE', `${file} has no class names (names:)`, { file, field: 'names' });
}
