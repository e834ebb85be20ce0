// Generated datasets for the importers (COCO JSON, VOC XML folders, YOLO folders) and
// the properties every importer must keep on them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  type CompatMode,
  ConversionReport,
  type ImporterDefinition,
  isLsconvError,
  parseLabelConfig,
  resolveOptions,
  type Task,
  validateTask,
} from '@lsconv/core';
import { pngHeader } from '@lsconv/testkit';
import fc from 'fast-check';
import { expect } from 'vitest';
import { coordArb, HOSTILE_STRINGS, labelArb } from './arbitraries.js';
import { BUG_CODES, tempDir } from './harness.js';

/** The importers the fuzz files cover. */
export const IMPORTERS = ['coco', 'voc', 'yolo'] as const;

/** A dataset on disk: files by relative path, the path to give the importer, options, and its region count. */
export interface FuzzDataset {
  files: Record<string, string | Uint8Array>;
  input: string;
  options: Record<string, unknown>;
  /** Objects in the input that must become a region or a report entry. */
  regions: number;
}

const num = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: 0, max: 640, noNaN: true }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 640 }) },
  { weight: 1, arbitrary: coordArb },
);

/** The image root option: default mostly, a URL, a local-files root, or blank. */
const rootArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: fc.constantFrom('http://127.0.0.1:1/x/', '/data/local-files/?d=a/b') },
  { weight: 1, arbitrary: fc.constantFrom(' ', 's3://b/../') },
);

/** Mostly one of the valid choices, sometimes one of the broken ones (one time in eleven). */
const mostly = <T>(valid: readonly T[], broken: readonly T[]): fc.Arbitrary<T> =>
  fc.oneof(
    { weight: 10, arbitrary: fc.constantFrom(...valid) },
    { weight: 1, arbitrary: fc.constantFrom(...broken) },
  );
const withRoot = (options: Record<string, unknown>, root: string | undefined) =>
  root === undefined ? options : { ...options, imageRootUrl: root };

const fileNameArb = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[a-z0-9]{1,8}$/).map((n) => `${n}.jpg`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      ...HOSTILE_STRINGS,
      '../../etc/passwd.jpg',
      '/abs/x.jpg',
      'C:\\x.jpg',
      'http://127.0.0.1:1/a.jpg',
      'a\u0000.jpg',
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom(null, 7, [], undefined) },
);

// ---------------------------------------------------------------- COCO

const rleArb = fc.oneof(
  fc.record({
    counts: fc.array(fc.integer({ min: -2, max: 50 }), { maxLength: 8 }),
    size: fc.tuple(fc.integer({ min: -1, max: 12 }), fc.integer({ min: -1, max: 12 })),
  }),
  fc.record({
    counts: fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('0', 'P1', 'a\u0000')),
    size: fc.constantFrom([4, 4], [0, 0], [1e9, 1e9], ['x'], null),
  }),
);

const cocoAnnotationArb = (imageIds: readonly unknown[], categoryIds: readonly unknown[]) =>
  fc.record(
    {
      id: fc.oneof(fc.nat(100), fc.constantFrom(2 ** 53 + 2, 'x', null)),
      image_id: fc.oneof(
        { weight: 8, arbitrary: imageIds.length ? fc.constantFrom(...imageIds) : fc.nat(3) },
        { weight: 1, arbitrary: fc.constantFrom(999, 'x', null) },
      ),
      category_id: fc.oneof(
        { weight: 8, arbitrary: categoryIds.length ? fc.constantFrom(...categoryIds) : fc.nat(3) },
        { weight: 1, arbitrary: fc.constantFrom(999, -1, 'x', null) },
      ),
      bbox: fc.oneof(
        { weight: 6, arbitrary: fc.tuple(num, num, num, num) },
        { weight: 1, arbitrary: fc.constantFrom([], [1, 2], null, 'box', [1, 2, 3, 4, 5]) },
      ),
      segmentation: fc.oneof(
        fc.array(fc.array(num, { minLength: 0, maxLength: 10 }), { maxLength: 2 }),
        rleArb,
        fc.constantFrom([], null, 'x', [[]], [[1, 2, 3]]),
      ),
      keypoints: fc.oneof(
        fc.array(fc.oneof(num, fc.constantFrom(0, 1, 2)), { maxLength: 9 }),
        fc.constantFrom(null, 'x'),
      ),
      num_keypoints: fc.nat(3),
      area: num,
      iscrowd: fc.constantFrom(0, 1),
    },
    { requiredKeys: ['id', 'image_id', 'category_id'] },
  );

/** A COCO JSON file, sometimes broken. */
export const cocoDatasetArb: fc.Arbitrary<FuzzDataset> = fc
  .tuple(
    fc.array(
      fc.record(
        {
          id: fc.oneof(
            { weight: 8, arbitrary: fc.nat(5) },
            { weight: 1, arbitrary: fc.constantFrom('a', null, 2 ** 53 + 2) },
          ),
          file_name: fileNameArb,
          width: num,
          height: num,
        },
        { requiredKeys: ['id'] },
      ),
      { maxLength: 3 },
    ),
    fc.array(
      fc.record(
        {
          id: fc.oneof(
            { weight: 8, arbitrary: fc.nat(5) },
            { weight: 1, arbitrary: fc.constantFrom('1', 1.5, null) },
          ),
          name: fc.oneof(
            { weight: 8, arbitrary: labelArb },
            { weight: 1, arbitrary: fc.constantFrom(null, 3) },
          ),
          supercategory: labelArb,
          keypoints: fc.oneof(fc.array(labelArb, { maxLength: 3 }), fc.constantFrom(null, 'x')),
        },
        { requiredKeys: ['id', 'name'] },
      ),
      { maxLength: 3 },
    ),
    fc.boolean(),
    fc.boolean(),
    rootArb,
  )
  .chain(([images, categories, segBoxes, superCats, root]) =>
    fc
      .array(
        cocoAnnotationArb(
          images.map((i) => i.id),
          categories.map((c) => c.id),
        ),
        { maxLength: 5 },
      )
      .chain((annotations) => {
        const doc = { images, categories, annotations, info: {} };
        return fc
          .oneof(
            { weight: 10, arbitrary: fc.constant(JSON.stringify(doc)) },
            {
              weight: 1,
              arbitrary: fc.constantFrom(
                '{}',
                '[]',
                'null',
                '{"images": 3, "categories": []}',
                '{"images": [], "categories": [{"id": 1e400, "name": "x"}]}',
                '{',
              ),
            },
          )
          .map((text) => ({
            files: { 'coco.json': text },
            input: 'coco.json',
            options: withRoot({ segmentationBoxes: segBoxes, useSuperCategories: superCats }, root),
            regions: annotations.length,
          }));
      }),
  );

// ---------------------------------------------------------------- VOC

function xmlText(value: unknown): string {
  return String(value)
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/g, '?')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

const vocObjectArb = fc.record(
  { name: labelArb, xmin: num, ymin: num, xmax: num, ymax: num, difficult: fc.constantFrom('0', '1') },
  { requiredKeys: [] },
);

const vocFileArb = fc
  .record({
    filename: fileNameArb,
    folder: fc.oneof(fc.constantFrom('VOC', '', '../..', '/etc'), labelArb),
    width: num,
    height: num,
    objects: fc.array(vocObjectArb, { maxLength: 4 }),
  })
  .chain((v) => {
    const field = (tag: string, value: unknown) =>
      value === undefined || value === null ? '' : `<${tag}>${xmlText(value)}</${tag}>`;
    const objects = v.objects
      .map(
        (o) =>
          `<object>${field('name', o.name)}${field('difficult', o.difficult)}<bndbox>${field('xmin', o.xmin)}${field('ymin', o.ymin)}${field('xmax', o.xmax)}${field('ymax', o.ymax)}</bndbox></object>`,
      )
      .join('');
    const xml = `<annotation>${field('folder', v.folder)}${field('filename', v.filename)}<size>${field('width', v.width)}${field('height', v.height)}<depth>3</depth></size>${objects}</annotation>`;
    return fc
      .oneof(
        { weight: 10, arbitrary: fc.constant(xml) },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            '',
            '<annotation>',
            '<x/>',
            'not xml',
            '<annotation><object><bndbox/></object></annotation>',
          ),
        },
      )
      .map((text) => ({ text, objects: text === xml ? v.objects.length : 0 }));
  });

/** A VOC folder: Annotations/*.xml and sometimes an image. */
export const vocDatasetArb: fc.Arbitrary<FuzzDataset> = fc
  .tuple(
    fc.uniqueArray(fc.stringMatching(/^[a-z0-9]{1,6}$/), { minLength: 1, maxLength: 3 }),
    fc.boolean(),
    fc.boolean(),
    rootArb,
  )
  .chain(([stems, withImage, flat, root]) =>
    fc.array(vocFileArb, { minLength: stems.length, maxLength: stems.length }).map((docs) => {
      const files: Record<string, string | Uint8Array> = {};
      const dir = flat ? '' : 'Annotations/';
      stems.forEach((stem, i) => {
        files[`voc/${dir}${stem}.xml`] = docs[i]!.text;
        if (withImage && !flat) files[`voc/JPEGImages/${stem}.jpg`] = pngHeader(8, 6);
      });
      return {
        files,
        input: 'voc',
        options: withRoot({}, root),
        regions: docs.reduce((n, d) => n + d.objects, 0),
      };
    }),
  );

// ---------------------------------------------------------------- YOLO

const unit = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) },
  { weight: 1, arbitrary: coordArb },
);
const numText = (v: unknown) => (typeof v === 'number' ? String(v) : String(v ?? ''));

const yoloLineArb = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.nat(4), unit, unit, unit, unit).map((t) => t.map(numText).join(' ')) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.nat(4), fc.array(unit, { minLength: 6, maxLength: 12 }))
      .map(([c, p]) => [c, ...p].map(numText).join(' ')),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.nat(4), fc.array(unit, { minLength: 8, maxLength: 8 }))
      .map(([c, p]) => [c, ...p].map(numText).join(' ')),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.nat(4), fc.array(unit, { minLength: 4, maxLength: 13 }))
      .map(([c, p]) => [c, ...p].map(numText).join('  ')),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'x y z',
      '0',
      '-1 0.5 0.5 0.1 0.1',
      '99999999999 0.5 0.5 0.1 0.1',
      '1e400 0 0 0 0',
      '0 NaN 0.5 0.1 0.1',
      '0 0.5 0.5 0.1 0.1 0.9',
      '\u0000',
      '0 0.5\t0.5 0.1 0.1',
    ),
  },
);

/** A YOLO folder: classes.txt (or notes.json or data.yaml), images/, labels/. */
export const yoloDatasetArb: fc.Arbitrary<FuzzDataset> = fc
  .record({
    stems: fc.uniqueArray(fc.stringMatching(/^[a-z0-9]{1,6}$/), { minLength: 1, maxLength: 3 }),
    classes: fc.oneof(
      { weight: 5, arbitrary: fc.array(labelArb, { minLength: 1, maxLength: 4 }) },
      { weight: 1, arbitrary: fc.constant([]) },
    ),
    classFile: mostly(['classes.txt', 'classes.txt', 'notes.json', 'data.yaml'], ['none']),
    notesBroken: mostly(
      [''],
      [
        '{',
        '{"categories": [{"id": 1e9, "name": "x"}]}',
        '{"categories": [{"id": -1, "name": "x"}]}',
        '{"categories": 3}',
        'null',
      ],
    ),
    dims: mostly(['', '', '640x480'], ['0x0', 'axb', '1e400x5']),
    images: mostly(['png'], ['none', 'junk']),
    kptShape: mostly(['', '', '3,3'], ['2,2', '0,0', 'x']),
    labels: fc.array(fc.array(yoloLineArb, { maxLength: 4 }), { minLength: 3, maxLength: 3 }),
    root: rootArb,
  })
  .map((d) => {
    const files: Record<string, string | Uint8Array> = {};
    let regions = 0;
    if (d.classFile === 'classes.txt')
      files['yolo/classes.txt'] = d.classes.map((c) => c.replace(/[\r\n]/g, ' ')).join('\n');
    else if (d.classFile === 'notes.json') {
      files['yolo/notes.json'] =
        d.notesBroken || JSON.stringify({ categories: d.classes.map((name, id) => ({ id, name })) });
    } else if (d.classFile === 'data.yaml') {
      files['yolo/data.yaml'] =
        `names:\n${d.classes.map((c, i) => `  ${i}: ${JSON.stringify(c.replace(/[\u0000-\u001F]/g, ' '))}`).join('\n')}\n${d.kptShape ? `kpt_shape: [${d.kptShape}]\n` : ''}train: images\n`;
    }
    d.stems.forEach((stem, i) => {
      if (d.images === 'png') files[`yolo/images/${stem}.png`] = pngHeader(32, 24);
      else if (d.images === 'junk') files[`yolo/images/${stem}.png`] = 'not a png';
      const lines = d.labels[i] ?? [];
      files[`yolo/labels/${stem}.txt`] = lines.join('\n');
      if (d.images !== 'none') regions += lines.filter((l) => l.trim() !== '').length;
    });
    return {
      files,
      input: 'yolo',
      options: withRoot({ imageDims: d.dims, kptShape: d.kptShape }, d.root),
      regions,
    };
  });

/** The dataset generator of each importer. */
export const DATASETS: Record<(typeof IMPORTERS)[number], fc.Arbitrary<FuzzDataset>> = {
  coco: cocoDatasetArb,
  voc: vocDatasetArb,
  yolo: yoloDatasetArb,
};

/** Writes a dataset under a new temporary folder. */
export function writeDataset(dataset: FuzzDataset): { input: string; remove: () => void } {
  const { dir, remove } = tempDir('lsconv-fuzz-import-');
  for (const [path, content] of Object.entries(dataset.files)) {
    const file = join(dir, ...path.split('/'));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return { input: join(dir, dataset.input), remove };
}

/** What one import did, comparable across runs (random region ids renumbered). */
export type ImportOutcome =
  | { ok: true; text: string; labelConfig: string; tasks: Task[]; report: ConversionReport }
  | { ok: false; code: string; message: string };

/** Runs an importer; errors that are not LsconvErrors, or that say lsconv broke, are thrown. */
export async function fuzzImport(
  importer: ImporterDefinition<any>,
  input: string,
  given: Record<string, unknown>,
  compat: CompatMode,
): Promise<ImportOutcome> {
  const report = new ConversionReport(`import ${importer.id}`);
  try {
    const options = resolveOptions(importer.id, importer.options, given);
    const result = await importer.run({
      input,
      options,
      report,
      compat,
      signal: new AbortController().signal,
    });
    const tasks: Task[] = [];
    for await (const t of result.tasks as AsyncIterable<Task>) tasks.push(t);
    const ids = new Map<string, string>();
    const text = JSON.stringify(tasks).replace(/"([0-9a-f]{10})"/g, (_m, id: string) => {
      if (!ids.has(id)) ids.set(id, `"region-${ids.size}"`);
      return ids.get(id)!;
    });
    return { ok: true, text, labelConfig: result.labelConfig, tasks, report };
  } catch (error) {
    if (!isLsconvError(error)) throw error;
    if (BUG_CODES.has(error.code)) throw error;
    return { ok: false, code: error.code, message: error.message };
  }
}

/** The checks on a successful import: valid tasks and config, finite numbers, every object accounted for. */
export function checkImport(outcome: ImportOutcome, dataset: FuzzDataset): void {
  if (!outcome.ok) return;
  for (const [index, task] of outcome.tasks.entries()) validateTask(task, { file: 'import', index });
  parseLabelConfig(outcome.labelConfig);
  // JSON cannot carry NaN or Infinity: an imported task must not hold them.
  const nonFinite: string[] = [];
  JSON.stringify(outcome.tasks, (k, v) => {
    if (typeof v === 'number' && !Number.isFinite(v)) nonFinite.push(k);
    return v;
  });
  expect(nonFinite, 'non-finite numbers in imported tasks').toEqual([]);
  const data = outcome.report.toJSON();
  const skipped = data.skipped
    .filter((g) => g.kind === 'region' || g.kind === 'annotation')
    .reduce((n, g) => n + g.count, 0);
  const skippedTasks = data.skipped.filter((g) => g.kind === 'task').reduce((n, g) => n + g.count, 0);
  if (skippedTasks === 0) {
    expect(
      outcome.report.regionsWritten + skipped,
      `${dataset.regions} objects in, ${outcome.report.regionsWritten} regions written, ${skipped} skipped\n${outcome.report.summaryLines().join('\n')}`,
    ).toBeGreaterThanOrEqual(dataset.regions);
  }
}
