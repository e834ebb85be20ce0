/** Reading a YOLO dataset: the flat images/ + labels/ + classes.txt layout, or an Ultralytics data.yaml. */
import { promises as fs } from 'node:fs';
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { type CompatMode, LsconvError } from '@lsconv/core';

/** Largest class id a notes.json may use (the class list is dense up to it). */
const MAX_CLASS_ID = 100_000;

/** One image of the dataset and where its labels are. */
export interface DatasetImage {
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
export interface Dataset {
  root: string;
  classes: string[];
  /** `[keypoints, dims]` of a pose dataset. */
  kptShape?: [number, number];
  kptNames?: string[];
  images: DatasetImage[];
  /** Whether the images are addressed relative to `images/` (flat layout, as the Python converter does). */
  flat: boolean;
  /** Image or label files left out because they resolve outside the dataset folder (links). */
  outside: string[];
}

/** Where a dataset may read: its folder only, unless the user allows more. */
export interface DatasetScope {
  /** Read files outside the dataset folder (absolute or `..` paths in data.yaml, links leading out). */
  allowOutside: boolean;
}

/**
 * The dataset folder's real path, and a check that a path resolves inside it (links
 * followed): `missing` when there is nothing there.
 */
async function folderScope(dir: string) {
  const base = await fs.realpath(dir);
  const within = (real: string) => real === base || real.startsWith(base.endsWith(sep) ? base : base + sep);
  return {
    base,
    async where(path: string): Promise<'inside' | 'outside' | 'missing'> {
      const real = await fs.realpath(path).catch(() => undefined);
      if (real === undefined) return 'missing';
      return within(real) ? 'inside' : 'outside';
    },
    /** For a path written in data.yaml: inside when it resolves (or would resolve) under the folder. */
    namesInside(path: string): boolean {
      return within(resolve(path));
    },
  };
}

/** Leaves out images (and label files) that resolve outside the dataset folder. */
async function confine(dataset: Dataset, dir: string, scope: DatasetScope): Promise<Dataset> {
  if (scope.allowOutside) return dataset;
  const folder = await folderScope(dir);
  const kept: DatasetImage[] = [];
  for (const image of dataset.images) {
    if (
      (await folder.where(image.path)) === 'outside' ||
      (await folder.where(image.labelPath)) === 'outside'
    ) {
      dataset.outside.push(image.path);
    } else kept.push(image);
  }
  dataset.images = kept;
  return dataset;
}

function outsideError(file: string, field: string, path: string): LsconvError {
  return new LsconvError(
    'INPUT_SHAPE',
    `${file}: ${field} (${path}) is outside the dataset folder ${dirname(resolve(file))}`,
    {
      file,
      field,
      hint: 'move the data.yaml next to its images, or give --allow-outside to read files outside the dataset folder',
    },
  );
}

export function parseKptShape(value: unknown, where: string): [number, number] {
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

export function keypointNames(dataset: Dataset): string[] {
  const k = dataset.kptShape?.[0] ?? 0;
  return Array.from({ length: k }, (_, i) => dataset.kptNames?.[i] ?? `keypoint_${i}`);
}

export async function readOptional(path: string): Promise<string | undefined> {
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
export async function readDataset(
  input: string,
  exts: readonly string[],
  compat: CompatMode,
  scope: DatasetScope = { allowOutside: false },
): Promise<Dataset> {
  const stat = await fs.stat(input).catch(() => undefined);
  if (!stat) throw new LsconvError('INPUT_NOT_FOUND', `${input} does not exist`, { file: input });
  if (stat.isFile()) {
    if (/\.ya?ml$/i.test(input)) return readYamlDataset(input, exts, scope);
    throw new LsconvError('INPUT_SHAPE', `${input} is a file; give the dataset folder or its data.yaml`, {
      file: input,
    });
  }
  const hasClasses = await exists(join(input, 'classes.txt'));
  if (!hasClasses || compat !== 'python') {
    for (const name of ['data.yaml', 'dataset.yaml', 'data.yml']) {
      if (await exists(join(input, name))) return readYamlDataset(join(input, name), exts, scope);
    }
    if (!hasClasses) {
      const yamls = (await fs.readdir(input)).filter((f) => /\.ya?ml$/i.test(f));
      if (yamls.length === 1) return readYamlDataset(join(input, yamls[0]!), exts, scope);
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
  const dataset: Dataset = {
    root: resolve(input),
    classes,
    flat: true,
    outside: [],
    images: files.map((path) => {
      const rel = relative(imagesDir, path);
      return {
        path,
        urlPath: rel.split(sep).join('/'),
        labelPath: join(input, 'labels', `${stripExt(rel)}.txt`),
      };
    }),
  };
  return confine(dataset, input, scope);
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

async function readYamlDataset(file: string, exts: readonly string[], scope: DatasetScope): Promise<Dataset> {
  let doc: Record<string, unknown>;
  // Loaded only here: the YAML parser takes longer to load than a small export takes to run.
  const { parse: parseYaml } = await import('yaml');
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
  const folder = await folderScope(here);
  // Paths in data.yaml are data, not the user's words: they stay in its folder unless allowed.
  const inScope = (field: string, path: string) => {
    if (!scope.allowOutside && !folder.namesInside(join(folder.base, relative(here, path))))
      throw outsideError(file, field, path);
  };
  const rootText = typeof doc.path === 'string' && doc.path !== '' ? doc.path : '.';
  let root = isAbsolute(rootText) ? rootText : resolve(here, rootText);
  // Ultralytics resolves a relative `path` against its datasets folder; here the yaml's folder is the sensible base.
  if (!(await isDir(root))) root = here;
  inScope('path', root);
  const classes = yamlNames(doc.names, doc.nc, file);
  const dataset: Dataset = { root, classes, images: [], flat: false, outside: [] };
  if (doc.kpt_shape !== undefined) dataset.kptShape = parseKptShape(doc.kpt_shape, file);
  if (Array.isArray(doc.kpt_names)) dataset.kptNames = doc.kpt_names.map(String);
  const seen = new Set<string>();
  for (const split of ['train', 'val', 'test']) {
    const entry = doc[split];
    if (entry == null || entry === '') continue;
    for (const source of Array.isArray(entry) ? entry : [entry]) {
      const path = resolve(root, String(source));
      inScope(split, path);
      let images: string[];
      if (await isDir(path)) images = await listImages(path, exts, false);
      else if (/\.txt$/i.test(path) && (await exists(path))) {
        const listed = (await fs.readFile(path, 'utf8'))
          .split(/\r?\n/)
          .map((l) => l.trim())
          .filter(Boolean);
        images = listed.map((l) => resolve(dirname(path), l));
        for (const image of images) inScope(`${split} list ${relative(here, path)}`, image);
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
  return confine(dataset, here, scope);
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
