// A structural check of a YOLO dataset written from the rules Ultralytics' loader applies
// (ultralytics/data/utils.py: check_det_dataset, img2label_paths, verify_image_label):
// data.yaml has train and val, nc equals the number of names, kpt_shape is [n, 2|3] and
// flip_idx a permutation of the keypoints; every label file belongs to an image path of a
// split (its /images/ swapped for /labels/, the extension for .txt), every line is numeric,
// its class below nc, its coordinates normalised (a keypoint's visibility aside), nothing
// negative, and it has the columns of a box (5), a
// segment (odd, at least 7) or a pose line (5 + n * dims).
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(join(import.meta.dirname, '../packages/core/package.json'));
const { parse } = require('yaml') as typeof import('yaml');

const IMAGE_EXT = /\.(bmp|dng|jpe?g|mpo|png|tiff?|webp|pfm|heic)$/i;

/** The problems found, as sentences; empty when the dataset passes. */
export function checkUltralyticsDataset(
  files: ReadonlyMap<string, Uint8Array>,
  options: { imagesPresent: boolean },
): string[] {
  const problems: string[] = [];
  const text = (path: string) => Buffer.from(files.get(path)!).toString('utf8');
  if (!files.has('data.yaml')) return ['data.yaml is missing'];
  const doc = parse(text('data.yaml')) as Record<string, unknown>;
  for (const key of ['train', 'val']) if (!(key in doc)) problems.push(`data.yaml has no '${key}' key`);
  const rawNames = doc.names;
  let names: string[] = [];
  if (Array.isArray(rawNames)) names = rawNames.map(String);
  else if (rawNames && typeof rawNames === 'object') {
    Object.entries(rawNames).forEach(([k, v], i) => {
      if (Number(k) !== i) problems.push(`names key ${k} is not ${i}`);
      names.push(String(v));
    });
  }
  if (names.length === 0) problems.push('data.yaml has no names');
  if (doc.nc !== undefined && doc.nc !== names.length)
    problems.push(`nc ${String(doc.nc)} is not the ${names.length} names`);
  let kpt: [number, number] | undefined;
  if (doc.kpt_shape !== undefined) {
    const shape = doc.kpt_shape as number[];
    if (!Array.isArray(shape) || shape.length !== 2 || !(shape[0]! > 0) || ![2, 3].includes(shape[1]!))
      problems.push(`kpt_shape ${JSON.stringify(shape)} is not [n, 2|3]`);
    else kpt = [shape[0]!, shape[1]!];
    const flip = doc.flip_idx as number[] | undefined;
    if (flip !== undefined && kpt) {
      const sorted = [...flip].sort((a, b) => a - b);
      if (flip.length !== kpt[0] || !sorted.every((v, i) => v === i))
        problems.push(`flip_idx ${JSON.stringify(flip)} is not a permutation of ${kpt[0]} keypoints`);
    }
  }
  const base = typeof doc.path === 'string' && doc.path !== '.' ? `${doc.path}/` : '';
  const imageDirs = ['train', 'val', 'test']
    .filter((k) => typeof doc[k] === 'string')
    .map((k) => `${base}${doc[k] as string}`.replace(/^\.\//, '').replace(/\/$/, ''));
  const labelDirs = imageDirs.map((dir) => {
    const at = dir.lastIndexOf('images');
    return at < 0 ? undefined : `${dir.slice(0, at)}labels${dir.slice(at + 6)}`;
  });
  if (labelDirs.includes(undefined))
    problems.push('a split folder has no images/ part, so its labels cannot be found');
  const labelled = new Set<string>();
  for (const path of files.keys()) {
    if (IMAGE_EXT.test(path) && imageDirs.some((d) => path.startsWith(`${d}/`))) {
      const at = path.lastIndexOf('/images/');
      const label =
        `${at < 0 ? path.replace(/^images\//, 'labels/') : `${path.slice(0, at)}/labels/${path.slice(at + 8)}`}`.replace(
          IMAGE_EXT,
          '.txt',
        );
      labelled.add(label);
    }
  }
  for (const path of files.keys()) {
    if (!path.endsWith('.txt') || !labelDirs.some((d) => d && path.startsWith(`${d}/`))) continue;
    if (options.imagesPresent && !labelled.has(path)) problems.push(`${path} has no image`);
    const lines = text(path).split('\n');
    for (let n = 0; n < lines.length; n++) {
      const line = lines[n]!;
      if (line.trim() === '') continue;
      const where = `${path}:${n + 1}`;
      const cols = line.trim().split(/\s+/).map(Number);
      if (cols.some((v) => !Number.isFinite(v))) {
        problems.push(`${where}: not numeric`);
        continue;
      }
      const [cls, ...coords] = cols as [number, ...number[]];
      if (!Number.isInteger(cls) || cls < 0 || cls >= names.length)
        problems.push(`${where}: class ${cls} exceeds nc ${names.length}`);
      const ok = kpt
        ? cols.length === 5 + kpt[0] * kpt[1]
        : cols.length === 5 || (cols.length >= 7 && cols.length % 2 === 1);
      if (!ok) problems.push(`${where}: ${cols.length} columns`);
      // Pose lines: the box and each keypoint's x and y are normalised; the visibility (0, 1, 2) is not.
      const xy = kpt ? coords.filter((_, i) => i < 4 || (i - 4) % kpt[1] < 2) : coords;
      if (xy.some((v) => v > 1)) problems.push(`${where}: non-normalized or out of bounds coordinates`);
      if (coords.some((v) => v < 0)) problems.push(`${where}: negative label values`);
    }
  }
  return problems;
}
