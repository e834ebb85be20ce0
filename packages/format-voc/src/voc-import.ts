import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import {
  containedPath,
  createResourceResolver,
  decodeCharRefs,
  defineImporter,
  LsconvError,
  type Result,
  type Task,
} from '@lsconv/core';
import {
  codePointCompare,
  imageImportOptions,
  importedTask,
  importLabelConfig,
  joinImageUrl,
  LOCAL_FILES_ROOT,
  newRegionId,
} from '@lsconv/format-kit';

// The parser's CommonJS build: one bundled file that loads in a few milliseconds, where the
// ES module build's thirty files slow the start of every VOC export, which never imports.
const { XMLParser, XMLValidator } = createRequire(import.meta.url)(
  'fast-xml-parser',
) as typeof import('fast-xml-parser');

/** One `<object>` of a VOC file. */
export interface VocImportObject {
  name: string;
  xmin: number;
  ymin: number;
  xmax: number;
  ymax: number;
}

/** A parsed VOC annotation file. */
export interface VocAnnotation {
  filename: string | undefined;
  /** Relative folder of the image (`<folder>`), when given. */
  folder: string | undefined;
  width: number | undefined;
  height: number | undefined;
  objects: VocImportObject[];
  /** Objects that could not be read: index and reason. */
  problems: { index: number; reason: string }[];
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => name === 'object',
  processEntities: true,
});

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object') return undefined;
  const s = String(value).trim();
  return s === '' ? undefined : s;
}

function number(value: unknown): number | undefined {
  const s = text(value);
  const n = s === undefined ? Number.NaN : Number(s);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Parses a Pascal VOC annotation XML. Throws a plain Error when it is not one.
 * DOCTYPE and ENTITY declarations are refused: VOC files never need them, and the XML
 * parser would otherwise expand internal entities into the imported tasks.
 */
export function parseVocXml(xml: string): VocAnnotation {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new Error('the XML has a DOCTYPE or ENTITY declaration');
  // The parser reads a truncated file (no `</annotation>`) without a word: check it first.
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new Error(`the XML is not well-formed: ${valid.err.msg} (line ${valid.err.line})`);
  }
  // `&#233;` and `&#xE9;` as an XML parser reads them (the parser itself knows only `&amp;` and co.).
  const doc = parser.parse(decodeCharRefs(xml)) as Record<string, unknown>;
  const root = doc.annotation as Record<string, unknown> | undefined;
  if (!root || typeof root !== 'object') throw new Error('there is no <annotation> element');
  const size = (root.size ?? {}) as Record<string, unknown>;
  const out: VocAnnotation = {
    filename: text(root.filename),
    folder: text(root.folder),
    width: number(size.width),
    height: number(size.height),
    objects: [],
    problems: [],
  };
  const objects = Array.isArray(root.object) ? (root.object as Record<string, unknown>[]) : [];
  objects.forEach((obj, index) => {
    const name = text(obj?.name);
    const box = (obj?.bndbox ?? {}) as Record<string, unknown>;
    const [xmin, ymin, xmax, ymax] = [number(box.xmin), number(box.ymin), number(box.xmax), number(box.ymax)];
    if (name === undefined) out.problems.push({ index, reason: 'the object has no <name>' });
    else if (xmin === undefined || ymin === undefined || xmax === undefined || ymax === undefined) {
      out.problems.push({ index, reason: 'the object has no numeric <bndbox> xmin, ymin, xmax and ymax' });
    } else if (xmax < xmin || ymax < ymin)
      out.problems.push({ index, reason: 'the box has xmax < xmin or ymax < ymin' });
    else out.objects.push({ name, xmin, ymin, xmax, ymax });
  });
  return out;
}

async function isDir(path: string): Promise<boolean> {
  return (await fs.stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

async function isFile(path: string): Promise<boolean> {
  return (await fs.stat(path).catch(() => undefined))?.isFile() ?? false;
}

async function exists(path: string): Promise<boolean> {
  return (await fs.stat(path).catch(() => undefined)) !== undefined;
}

/** The image a <filename> names in the first image folder that has it. */
async function findImage(
  input: string,
  imageDirs: readonly string[],
  imageName: string,
): Promise<string | undefined> {
  for (const d of imageDirs) {
    // <filename> comes from the file: never look outside the image folder for it,
    // and a <filename> of `..` or `.` names a folder, not an image.
    const candidate = containedPath(join(input, d), imageName);
    if (candidate && (await isFile(candidate))) return candidate;
  }
  return undefined;
}

/** `lsconv import voc`: a Pascal VOC folder (`Annotations/*.xml`) → Label Studio tasks. */
export const vocImporter = defineImporter({
  id: 'voc',
  title: 'Pascal VOC',
  description:
    'Reads a Pascal VOC folder: Annotations/*.xml boxes, images in JPEGImages/ or images/ (or a folder of XML files).',
  options: imageImportOptions({
    fromName: 'Name of the RectangleLabels tag (from_name)',
    imageRootUrl:
      'Root URL the <filename> of each XML is joined to. Default: Label Studio local files, /data/local-files/?d=<path of the image under the input folder>',
    imageRootDefault: '',
  }),
  async run(ctx) {
    const o = ctx.options;
    const input = ctx.input;
    if (!(await exists(input)))
      throw new LsconvError('INPUT_NOT_FOUND', `${input} does not exist`, { file: input });
    if (!(await isDir(input)))
      throw new LsconvError(
        'INPUT_SHAPE',
        `${input} is not a folder; give the VOC folder (with Annotations/)`,
        { file: input },
      );
    const annDir = (await isDir(join(input, 'Annotations'))) ? join(input, 'Annotations') : input;
    const xmlFiles = (await fs.readdir(annDir)).filter((f) => f.toLowerCase().endsWith('.xml')).sort();
    if (xmlFiles.length === 0) {
      throw new LsconvError('INPUT_SHAPE', `${input} has no Annotations/*.xml files`, {
        file: input,
        hint: 'a VOC folder holds Annotations/ with one XML per image',
      });
    }
    const imageDirs = [];
    for (const d of ['JPEGImages', 'images']) if (await isDir(join(input, d))) imageDirs.push(d);
    const resolver = createResourceResolver({}, ctx.report);
    const labels = new Set<string>();
    const tasks: Task[] = [];
    for (const name of xmlFiles) {
      if (ctx.signal.aborted) throw new LsconvError('ABORTED', 'the import was cancelled');
      const file = relative(input, join(annDir, name)).split(sep).join('/');
      let voc: VocAnnotation;
      try {
        voc = parseVocXml(await fs.readFile(join(annDir, name), 'utf8'));
      } catch (error) {
        ctx.report.skip({
          kind: 'task',
          code: 'bad-xml',
          reason: `not a VOC annotation: ${(error as Error).message}`,
          file,
        });
        continue;
      }
      // A <filename> of only slashes names nothing; fall back as when it is missing.
      const imageName =
        voc.filename !== undefined && voc.filename.replace(/[\\/]/g, '') !== ''
          ? voc.filename
          : `${name.slice(0, -4)}.jpg`;
      const imagePath = await findImage(input, imageDirs, imageName);
      const fallback = `${imageDirs[0] ?? 'JPEGImages'}/${imageName}`;
      const url = o.imageRootUrl
        ? joinImageUrl(o.imageRootUrl, imageName)
        : joinImageUrl(LOCAL_FILES_ROOT, imagePath ? relative(input, imagePath) : fallback);
      let { width, height } = voc;
      if ((!width || !height) && imagePath) {
        const info = await resolver.imageInfo(imagePath);
        width = info?.width;
        height = info?.height;
      }
      for (const p of voc.problems) {
        ctx.report.skip({
          kind: 'region',
          code: 'bad-object',
          reason: p.reason,
          file,
          field: `object[${p.index}]`,
        });
      }
      const result: Result[] = [];
      if (!width || !height) {
        if (voc.objects.length) {
          ctx.report.skip({
            kind: 'task',
            code: 'missing-image-size',
            reason: `${voc.objects.length} boxes left out: the XML has no <size> and the image ${imageName} could not be read`,
            file,
          });
        }
      } else {
        for (const obj of voc.objects) {
          const box = {
            x: (obj.xmin / width) * 100,
            y: (obj.ymin / height) * 100,
            width: ((obj.xmax - obj.xmin) / width) * 100,
            height: ((obj.ymax - obj.ymin) / height) * 100,
          };
          // Absurd sizes (a width of 5e-324, coordinates near 1e308) overflow; JSON cannot hold the result.
          if (!Object.values(box).every(Number.isFinite)) {
            ctx.report.skip({
              kind: 'region',
              code: 'bad-object',
              reason: `the box of "${obj.name}" cannot be expressed in percent of a ${width}x${height} image`,
              file,
            });
            continue;
          }
          labels.add(obj.name);
          result.push({
            id: newRegionId(),
            type: 'rectanglelabels',
            value: {
              ...box,
              rotation: 0,
              rectanglelabels: [obj.name],
            },
            to_name: o.toName,
            from_name: o.fromName,
            image_rotation: 0,
            original_width: width,
            original_height: height,
          });
        }
      }
      ctx.report.regionsWritten += result.length;
      tasks.push(importedTask(url, o.outType, result));
    }
    const sorted = [...labels].sort(codePointCompare);
    const labelConfig = importLabelConfig({
      toName: o.toName,
      controls: [
        {
          tag: 'RectangleLabels',
          name: o.fromName,
          labels: sorted.map((value, i) => ({ value, colorIndex: i })),
        },
      ],
    });
    return { tasks, labelConfig };
  },
});
