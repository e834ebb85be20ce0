// The split layouts of the formats other than YOLO: COCO's annotations/instances_<split>.json
// (checked as the COCO API checks a file it loads), VOC's ImageSets/Main/<split>.txt, a split
// column or field in CSV, TSV and JSON_MIN, one CoNLL file per split, a folder per split of
// brush masks.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arrayTaskSource, type DatasetOptions, memorySink, runExport, type Task } from '@lsconv/core';
import { encodeBrushMask } from '@lsconv/format-kit';
import { pngHeader } from '@lsconv/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { makeWav } from '../packages/format-asr-manifest/src/test-audio.js';
import { linesFormat } from '../packages/testkit/src/suite/test-formats.js';
import { boxResult, exportWith } from './dataset-helpers.js';

// The images the tasks point at (headers only: all a size reader needs).
const media = mkdtempSync(join(tmpdir(), 'lsconv-layouts-'));
afterAll(() => rmSync(media, { recursive: true, force: true }));
mkdirSync(join(media, 'img'));
for (let i = 0; i < 300; i++) writeFileSync(join(media, 'img', `${i}.png`), pngHeader(200, 100));
mkdirSync(join(media, 'audio'));
for (let i = 0; i < 10; i++) writeFileSync(join(media, 'audio', `${i}.wav`), makeWav(1600 * (i + 1)));

const BOX_CONFIG = `<View><Image name="image" value="$image"/><RectangleLabels name="label" toName="image"><Label value="cat"/><Label value="dog"/></RectangleLabels></View>`;

/** `n` tasks, one box each; every tenth image has a second task. */
function boxes(n: number): Task[] {
  const tasks: Task[] = [];
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < (i % 10 === 0 ? 2 : 1); k++) {
      tasks.push({
        id: tasks.length + 1,
        data: { image: `/data/local-files/?d=img/${i}.png` },
        annotations: [
          {
            id: tasks.length + 1,
            completed_by: 1,
            result: [
              boxResult(
                `r${tasks.length}`,
                i % 3 ? 'cat' : 'dog',
                { x: i % 50, y: 10, width: 20 + (i % 30), height: 30 },
                { width: 200, height: 100 },
              ),
            ],
          },
        ],
      } as Task);
    }
  }
  return tasks;
}

const run = (id: string, tasks: Task[], config: string, dataset?: DatasetOptions) =>
  exportWith(id, tasks, config, dataset, { resources: { localFilesRoot: media } });

const SPLIT = { split: 'train=0.7,val=0.2,test=0.1', splitSeed: 'layouts' };

/** The checks the COCO API makes when it loads a file (pycocotools' COCO and its loadRes). */
function checkCocoFile(doc: {
  images: { id: number; width: number; height: number }[];
  categories: { id: number }[];
  annotations: {
    id: number;
    image_id: number;
    category_id: number;
    bbox: number[];
    area: number;
    iscrowd: number;
    segmentation?: unknown;
  }[];
}): string[] {
  const problems: string[] = [];
  const unique = (name: string, ids: number[]) => {
    if (new Set(ids).size !== ids.length) problems.push(`${name} ids repeat`);
  };
  unique(
    'image',
    doc.images.map((i) => i.id),
  );
  unique(
    'category',
    doc.categories.map((c) => c.id),
  );
  unique(
    'annotation',
    doc.annotations.map((a) => a.id),
  );
  const images = new Map(doc.images.map((i) => [i.id, i]));
  const categories = new Set(doc.categories.map((c) => c.id));
  for (const a of doc.annotations) {
    const image = images.get(a.image_id);
    if (!image) problems.push(`annotation ${a.id}: image ${a.image_id} is not in images`);
    if (!categories.has(a.category_id))
      problems.push(`annotation ${a.id}: category ${a.category_id} is not in categories`);
    const [x = 0, y = 0, w = 0, h = 0] = a.bbox;
    if (
      image &&
      (x < 0 || y < 0 || w <= 0 || h <= 0 || x + w > image.width + 1e-6 || y + h > image.height + 1e-6)
    )
      problems.push(`annotation ${a.id}: bbox ${a.bbox} is not inside ${image.width}x${image.height}`);
    const rle =
      typeof a.segmentation === 'object' && a.segmentation !== null && !Array.isArray(a.segmentation);
    if ((a.iscrowd === 1) !== rle)
      problems.push(`annotation ${a.id}: iscrowd ${a.iscrowd} with ${rle ? 'an RLE' : 'polygons'}`);
    if (!(a.area > 0) || a.area > w * h + 1e-6)
      problems.push(`annotation ${a.id}: area ${a.area} does not fit bbox ${a.bbox}`);
  }
  return problems;
}

describe('split layouts of every format', () => {
  it('a format without a split layout says so in its report', async () => {
    // The testkit's own line format declares no split layout.
    const plain = linesFormat('none', 'PLAIN_LINES');
    const report = await runExport({
      format: plain,
      tasks: arrayTaskSource(boxes(3)),
      sink: memorySink(),
      dataset: SPLIT,
    });
    expect(report.warnings).toContain(
      "PLAIN_LINES writes no split layout: --split only records each task's split (meta.split)",
    );
  });

  const tasks = boxes(300);

  it('COCO: one instances_<split>.json per split, each as the COCO API loads it, images whole', async () => {
    const { text, paths } = await run('COCO_WITH_IMAGES', tasks, BOX_CONFIG, SPLIT);
    expect(paths.filter((p) => p.endsWith('.png')).every((p) => /^images\/(train|val|test)\//.test(p))).toBe(
      true,
    );
    expect(paths.filter((p) => p.endsWith('.json'))).toEqual([
      'annotations/instances_test.json',
      'annotations/instances_train.json',
      'annotations/instances_val.json',
    ]);
    const seen = new Map<string, string>();
    let annotations = 0;
    for (const split of ['train', 'val', 'test']) {
      const doc = JSON.parse(text(`annotations/instances_${split}.json`));
      expect(checkCocoFile(doc), split).toEqual([]);
      annotations += doc.annotations.length;
      for (const image of doc.images as { file_name: string }[]) {
        expect(image.file_name).toMatch(new RegExp(`^images/${split}/`));
        expect(seen.get(image.file_name) ?? split).toBe(split);
        seen.set(image.file_name, split);
      }
    }
    expect(annotations).toBe(tasks.length);
  });

  it('VOC: ImageSets/Main/<split>.txt list every annotation file once', async () => {
    const { text, paths } = await run('VOC', tasks, BOX_CONFIG, SPLIT);
    const files = paths.filter((p) => p.startsWith('Annotations/')).map((p) => p.slice(12, -4));
    const listed = ['train', 'val', 'test'].flatMap((s) =>
      text(`ImageSets/Main/${s}.txt`).trim().split('\n'),
    );
    expect([...listed].sort()).toEqual([...files].sort());
  });

  it('CSV, TSV and JSON_MIN: a split column or field, the same split as JSON records', async () => {
    const json = JSON.parse((await run('JSON', tasks, BOX_CONFIG, SPLIT)).text('result.json')) as Task[];
    const splitOf = new Map(json.map((t) => [t.id, (t.meta as { split: string }).split]));
    const min = JSON.parse((await run('JSON_MIN', tasks, BOX_CONFIG, SPLIT)).text('result.json')) as {
      id: number;
      split: string;
    }[];
    for (const record of min) expect(record.split).toBe(splitOf.get(record.id));
    for (const [id, file] of [
      ['CSV', 'result.csv'],
      ['TSV', 'result.csv'],
    ] as const) {
      const lines = (await run(id, tasks, BOX_CONFIG, SPLIT)).text(file).trim().split('\n');
      const sep = id === 'CSV' ? ',' : '\t';
      const header = cellsOf(lines[0]!, sep);
      const [at, idAt] = [header.indexOf('split'), header.indexOf('id')];
      expect(at).toBeGreaterThanOrEqual(0);
      for (const line of lines.slice(1)) {
        const cells = cellsOf(line, sep);
        expect(cells[at]).toBe(splitOf.get(Number(cells[idAt])));
      }
    }
    // Without --split, no split column.
    expect((await run('CSV', tasks, BOX_CONFIG)).text('result.csv').split('\n')[0]).not.toContain('split');
  });

  it('CONLL2003: one file per split, together the lines of the unsplit file', async () => {
    const config = `<View><Text name="text" value="$text"/><Labels name="label" toName="text"><Label value="PER"/></Labels></View>`;
    const ner = Array.from({ length: 40 }, (_, i) => ({
      id: i + 1,
      data: { text: `Anna met Bob number ${i} today` },
      annotations: [
        {
          result: [
            {
              id: `n${i}`,
              from_name: 'label',
              to_name: 'text',
              type: 'labels',
              value: { start: 0, end: 4, text: 'Anna', labels: ['PER'] },
            },
          ],
        },
      ],
    })) as Task[];
    const whole = await run('CONLL2003', ner, config);
    const split = await run('CONLL2003', ner, config, SPLIT);
    expect(split.paths).toEqual(['test.conll', 'train.conll', 'val.conll']);
    const body = (t: string) => t.split('\n').filter((l) => l && !l.startsWith('-DOCSTART-'));
    const joined = split.paths.flatMap((p) => body(split.text(p)));
    expect(joined.sort()).toEqual(body(whole.text('result.conll')).sort());
  });

  it('ASR_MANIFEST: one <split>_manifest.json per split', async () => {
    const config = `<View><Audio name="audio" value="$audio"/><TextArea name="text" toName="audio"/></View>`;
    const speech = Array.from({ length: 10 }, (_, i) => ({
      id: i + 1,
      data: { audio: `/data/local-files/?d=audio/${i}.wav` },
      annotations: [
        {
          result: [
            {
              id: `t${i}`,
              from_name: 'text',
              to_name: 'audio',
              type: 'textarea',
              value: { text: [`words ${i}`] },
            },
          ],
        },
      ],
    })) as Task[];
    const { paths, text } = await run('ASR_MANIFEST', speech, config, { split: 'train=0.5,val=0.5' });
    const manifests = paths.filter((p) => p.endsWith('manifest.json'));
    expect(manifests).toEqual(['train_manifest.json', 'val_manifest.json']);
    const lines = manifests.flatMap((p) => text(p).trim().split('\n').filter(Boolean));
    expect(lines).toHaveLength(10);
  });

  it('BRUSH_TO_PNG: the masks of each task in a folder of its split', async () => {
    const config = `<View><Image name="image" value="$image"/><BrushLabels name="tag" toName="image"><Label value="cat"/></BrushLabels></View>`;
    const mask = new Uint8Array(16 * 8).fill(255, 0, 40);
    const brush = Array.from({ length: 12 }, (_, i) => ({
      id: i + 1,
      data: { image: `/data/local-files/?d=img/${i}.png` },
      annotations: [
        {
          result: [
            {
              id: `b${i}`,
              from_name: 'tag',
              to_name: 'image',
              type: 'brushlabels',
              original_width: 16,
              original_height: 8,
              value: { format: 'rle', rle: [...encodeBrushMask(mask)], brushlabels: ['cat'] },
            },
          ],
        },
      ],
    })) as Task[];
    const { paths, report } = await run('BRUSH_TO_PNG', brush, config, SPLIT);
    const masks = paths.filter((p) => p.endsWith('.png'));
    expect(masks).toHaveLength(12);
    for (const path of masks) expect(path).toMatch(/^(train|val|test)\/[^/]+\.png$/);
    expect(report.warnings.some((w) => w.includes('writes no split layout'))).toBe(false);
    const coco = await run('BRUSH_TO_COCO', brush, config, SPLIT);
    const docs = coco.paths.filter((p) => p.endsWith('.json'));
    expect(docs.every((p) => /^annotations\/instances_(train|val|test)\.json$/.test(p))).toBe(true);
    const images = docs.flatMap((p) => JSON.parse(coco.text(p)).images as { id: number }[]);
    expect(new Set(images.map((i) => i.id)).size).toBe(12);
  });
});

/** The cells of one CSV line (quoted cells with doubled quotes inside). */
function cellsOf(line: string, sep: string): string[] {
  const cells: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let cell = '';
      i++;
      while (i < line.length && !(line[i] === '"' && line[i + 1] !== '"')) {
        cell += line[i] === '"' ? '"' : line[i];
        i += line[i] === '"' ? 2 : 1;
      }
      cells.push(cell);
      i += 2;
    } else {
      const end = line.indexOf(sep, i);
      cells.push(line.slice(i, end < 0 ? line.length : end));
      i = end < 0 ? line.length + 1 : end + 1;
    }
  }
  return cells;
}
