// Training-ready datasets (`--split`, `--stratify`, `--class-map`, `--annotation`): a
// generated export of 10,000 images, three annotators and ten classes split into whole
// images at the requested ratios, identically on one and two threads; YOLO output checked
// against the rules of Ultralytics' dataset loader; a split export that survives
// `import yolo` and a second export; class ids pinned across projects.
// The pool runs the built worker (packages/core/dist): run `pnpm build` first.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  arrayTaskSource,
  type DatasetOptions,
  directorySink,
  type FormatDefinition,
  parseLabelConfig,
  runExport,
  type Task,
} from '@lsconv/core';
import { yoloImporter } from '@lsconv/format-yolo';
import { pngHeader } from '@lsconv/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { boxResult, exportWith, formatOf, rng } from './dataset-helpers.js';
import { checkUltralyticsDataset } from './ultralytics-check.js';

const temp = mkdtempSync(join(tmpdir(), 'lsconv-datasets-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

const CLASSES = Array.from({ length: 10 }, (_, i) => `class${i}`);
const CONFIG = `<View><Image name="image" value="$image"/><RectangleLabels name="label" toName="image">${CLASSES.map((c) => `<Label value="${c}"/>`).join('')}</RectangleLabels></View>`;

/**
 * `images` images, each a task with three annotators' annotations of one to three boxes;
 * classes are skewed (class i about i+1 times as common as class 0); every 50th image
 * has a second task pointing at it.
 */
function generate(images: number, seed = 7): Task[] {
  const next = rng(seed);
  const weights = CLASSES.map((_, i) => i + 1);
  const total = weights.reduce((a, b) => a + b, 0);
  const pick = () => {
    let r = next() * total;
    for (let i = 0; i < weights.length; i++) if ((r -= weights[i]!) < 0) return CLASSES[i]!;
    return CLASSES[9]!;
  };
  const tasks: Task[] = [];
  let region = 0;
  const annotation = (by: number, day: number) => ({
    id: by * 1_000_000 + tasks.length,
    completed_by: { id: by, email: `annotator${by}@example.com` },
    created_at: `2024-01-0${day}T00:00:00Z`,
    ground_truth: by === 2,
    result: Array.from({ length: 1 + Math.floor(next() * 3) }, () => {
      const box = { x: next() * 50, y: next() * 50, width: 10 + next() * 30, height: 10 + next() * 30 };
      return boxResult(`r${region++}`, pick(), box, { width: 640, height: 480 });
    }),
  });
  for (let i = 0; i < images; i++) {
    const twice = i % 50 === 0 ? 2 : 1;
    for (let k = 0; k < twice; k++) {
      tasks.push({
        id: tasks.length + 1,
        data: { image: `/data/local-files/?d=img/${i}.jpg` },
        annotations: [annotation(1, 1), annotation(2, 2), annotation(3, 3)],
      } as Task);
    }
  }
  return tasks;
}

const big = generate(10_000);
const bigFile = join(temp, 'tasks.json');
writeFileSync(bigFile, JSON.stringify(big));

const exportTo = (
  id: string,
  dataset: DatasetOptions | undefined,
  extra: { threads?: number; tasks?: Task[]; config?: string } = {},
) => exportWith(id, extra.tasks ?? bigFile, extra.config ?? CONFIG, dataset, { threads: extra.threads ?? 1 });

const RATIOS = { train: 0.8, val: 0.1, test: 0.1 };
const SPLIT = 'train=0.8,val=0.1,test=0.1';

describe('--split on 10,000 images', () => {
  it('keeps the tasks of one image together and the ratios within 1% (JSON meta.split)', async () => {
    const { text } = await exportTo('JSON', { split: SPLIT, splitSeed: '42' });
    const tasks = JSON.parse(text('result.json')) as Task[];
    expect(tasks).toHaveLength(big.length);
    const byImage = new Map<string, Set<string>>();
    for (const task of tasks) {
      const image = (task.data as { image: string }).image;
      const split = (task.meta as { split: string }).split;
      byImage.set(image, (byImage.get(image) ?? new Set()).add(split));
    }
    expect(byImage.size).toBe(10_000);
    const counts: Record<string, number> = {};
    for (const splits of byImage.values()) {
      expect(splits.size).toBe(1);
      const [split] = splits;
      counts[split!] = (counts[split!] ?? 0) + 1;
    }
    for (const [name, ratio] of Object.entries(RATIOS))
      expect(Math.abs(counts[name]! / 10_000 - ratio)).toBeLessThan(0.01);
  });

  it('writes YOLO images/<split>, labels/<split> and a data.yaml Ultralytics accepts, the same on 1 and 2 threads', async () => {
    const one = await exportTo('YOLO', { split: SPLIT });
    const two = await exportTo('YOLO', { split: SPLIT }, { threads: 2 });
    expect(two.paths).toEqual(one.paths);
    for (const path of one.paths)
      expect(Buffer.compare(two.sink.files.get(path)!, one.sink.files.get(path)!), path).toBe(0);
    const yaml = one.text('data.yaml');
    expect(yaml).toContain('train: images/train\nval: images/val\ntest: images/test\n');
    // The default (latest) annotation: one label file per task, in its split's folder.
    const labels = one.paths.filter((p) => /^labels\/(train|val|test)\/[^/]+\.txt$/.test(p));
    expect(labels).toHaveLength(big.length);
    const problems = checkUltralyticsDataset(one.sink.files, { imagesPresent: false });
    expect(problems).toEqual([]);
  });

  it('--stratify keeps every class share per split within 2 points of its overall share', async () => {
    const { text, paths } = await exportTo('YOLO', { split: SPLIT, stratify: true });
    const perSplit: Record<string, number[]> = {};
    const overall = new Array(10).fill(0);
    const imagesPer: Record<string, number> = {};
    for (const path of paths) {
      const m = /^labels\/(\w+)\/.+\.txt$/.exec(path);
      if (!m) continue;
      const split = m[1]!;
      imagesPer[split] = (imagesPer[split] ?? 0) + 1;
      const counts = (perSplit[split] ??= new Array(10).fill(0));
      for (const line of text(path).split('\n')) {
        if (!line) continue;
        const cls = Number(line.split(' ')[0]);
        counts[cls]++;
        overall[cls]++;
      }
    }
    const all = overall.reduce((a, b) => a + b, 0);
    for (const [split, counts] of Object.entries(perSplit)) {
      const sum = counts.reduce((a, b) => a + b, 0);
      for (let c = 0; c < 10; c++)
        expect(Math.abs(counts[c]! / sum - overall[c]! / all), `${split} class ${c}`).toBeLessThan(0.02);
    }
    const tasks = Object.values(imagesPer).reduce((a, b) => a + b, 0);
    for (const [name, ratio] of Object.entries(RATIOS))
      expect(Math.abs(imagesPer[name]! / tasks - ratio)).toBeLessThan(0.01);
  });

  it('--annotation applies to every format: CSV writes one row per task with latest, the chosen annotator with by-annotator', async () => {
    const tasks = big.slice(0, 20);
    const all = await exportTo('CSV', undefined, { tasks });
    const latest = await exportTo('CSV', { annotation: 'latest' }, { tasks });
    const byEmail = await exportTo('CSV', { annotation: 'by-annotator=annotator2@example.com' }, { tasks });
    const rows = (r: { text: (p: string) => string }) => r.text('result.csv').trim().split('\n').length - 1;
    expect(rows(all)).toBe(60);
    expect(rows(latest)).toBe(20);
    expect(rows(byEmail)).toBe(20);
    expect(byEmail.text('result.csv')).toContain('annotator2@example.com');
    expect(byEmail.text('result.csv')).not.toContain('annotator3@example.com');
    expect(latest.report.countsByCode()['annotation-not-chosen']).toBe(40);
  });
});

describe('YOLO pose with --split', () => {
  const config = `<View><Image name="image" value="$image"/>
  <RectangleLabels name="label" toName="image"><Label value="person"/><Label value="dog"/></RectangleLabels>
  <KeyPointLabels name="kp" toName="image"><Label value="nose"/><Label value="left_eye"/><Label value="right_eye"/><Label value="left_ear"/><Label value="right_ear"/></KeyPointLabels></View>`;
  const POSE_SIZE = { width: 200, height: 100 };
  const point = (id: string, parentID: string, label: string, x: number) => ({
    id,
    parentID,
    from_name: 'kp',
    to_name: 'image',
    type: 'keypointlabels',
    original_width: POSE_SIZE.width,
    original_height: POSE_SIZE.height,
    value: { x, y: 40, width: 0.5, keypointlabels: [label] },
  });
  const tasks = Array.from({ length: 30 }, (_, i) => ({
    id: i + 1,
    data: { image: `/data/local-files/?d=pose/${i}.jpg` },
    annotations: [
      {
        result: [
          boxResult(`p${i}`, i % 4 ? 'person' : 'dog', { x: 10, y: 10, width: 60, height: 70 }, POSE_SIZE),
          point(`n${i}`, `p${i}`, 'nose', 30),
          point(`l${i}`, `p${i}`, 'left_eye', 25),
          point(`r${i}`, `p${i}`, 'right_eye', 35),
        ],
      },
    ],
  })) as unknown as Task[];

  it('writes kpt_shape, flip_idx from the left/right names, and pose lines the loader accepts', async () => {
    const r = await exportTo('YOLO', { split: 'train=0.5,val=0.5' }, { tasks, config });
    const yaml = r.text('data.yaml');
    expect(yaml).toContain('kpt_shape: [5, 3]\nflip_idx: [0, 2, 1, 4, 3]\n');
    expect(checkUltralyticsDataset(r.sink.files, { imagesPresent: false })).toEqual([]);
    const lines = r.paths.filter((p) => p.startsWith('labels/')).map((p) => r.text(p).trim());
    expect(lines).toHaveLength(30);
    for (const line of lines) expect(line.split(' ')).toHaveLength(5 + 5 * 3);
  });

  it('takes flip_idx from --flip-idx, and refuses one that is not a permutation', async () => {
    const run = (flipIdx: string) =>
      exportWith('YOLO', tasks, config, { split: 'train=1' }, { options: { flipIdx } });
    await expect(run('0,1,2,3')).rejects.toThrow(/flip-idx must list each of the 5 keypoint indexes once/);
    await expect(run('0,1,1,3,4')).rejects.toThrow(/flip-idx/);
    await expect(run('0,1,2,3,4')).resolves.toBeDefined();
  });
});

describe('class maps', () => {
  const small = (labels: readonly string[]) =>
    `<View><Image name="image" value="$image"/><RectangleLabels name="label" toName="image">${labels.map((c) => `<Label value="${c}"/>`).join('')}</RectangleLabels></View>`;
  const task = (label: string, id: number): Task =>
    ({
      id,
      data: { image: `/data/local-files/?d=img/${id}.jpg` },
      annotations: [
        {
          result: [
            boxResult(`r${id}`, label, { x: 10, y: 10, width: 20, height: 20 }, { width: 100, height: 100 }),
          ],
        },
      ],
    }) as Task;
  const classMap = { text: 'names:\n  0: dog\n  1: cat\n  2: bird\n', file: 'classes.yaml' };

  it('pins class ids across two projects whose configs list the labels in other orders', async () => {
    const a = await exportTo(
      'YOLO',
      { classMap },
      { tasks: [task('cat', 1)], config: small(['bird', 'cat', 'dog']) },
    );
    const b = await exportTo(
      'YOLO',
      { classMap },
      { tasks: [task('cat', 1)], config: small(['cat', 'dog']) },
    );
    expect(a.text('classes.txt')).toBe('dog\ncat\nbird\n');
    expect(b.text('classes.txt')).toBe('dog\ncat\nbird\n');
    expect(a.text('labels/1.txt').split(' ')[0]).toBe('1');
    expect(b.text('labels/1.txt').split(' ')[0]).toBe('1');
    // Without the map the two projects number cat differently.
    const plainA = await exportTo('YOLO', undefined, {
      tasks: [task('cat', 1)],
      config: small(['bird', 'cat', 'dog']),
    });
    const plainB = await exportTo('YOLO', undefined, {
      tasks: [task('cat', 1)],
      config: small(['cat', 'dog']),
    });
    expect(plainA.text('labels/1.txt').split(' ')[0]).not.toBe(plainB.text('labels/1.txt').split(' ')[0]);
  });

  it('refuses labels missing from the map, listing them, or adds them with --class-map-extend', async () => {
    const config = small(['cat', 'dog', 'fox', 'owl']);
    await expect(exportTo('YOLO', { classMap }, { tasks: [task('cat', 1)], config })).rejects.toThrow(
      /not in the class map classes\.yaml: "fox", "owl"/,
    );
    const extended = await exportTo(
      'YOLO',
      { classMap, classMapExtend: true },
      { tasks: [task('owl', 1)], config },
    );
    expect(extended.text('classes.txt')).toBe('dog\ncat\nbird\nfox\nowl\n');
    expect(extended.text('labels/1.txt').split(' ')[0]).toBe('4');
  });

  it('--map merges labels and --labels keeps some, both counted in the report', async () => {
    const config = small(['cat', 'kitten', 'dog']);
    const tasks = [task('cat', 1), task('kitten', 2), task('dog', 3)];
    const r = await exportTo('YOLO', { map: 'kitten=cat', labels: 'cat' }, { tasks, config });
    expect(r.text('classes.txt')).toBe('cat\n');
    expect(r.text('labels/2.txt').split(' ')[0]).toBe('0');
    expect(r.report.tallyOf('--map kitten=cat')).toBe(1);
    expect(r.report.countsByCode()['label-not-kept']).toBe(1);
  });
});

describe('export --split → import yolo → export', () => {
  it('keeps the splits and the files', async () => {
    const media = join(temp, 'media');
    // Binary fractions (eighths): the label lines then survive the trip through the importer's numbers.
    const at = (v: number) => 12.5 * Math.round(v / 12.5);
    const size = (v: number) => 25 * Math.max(1, Math.round(v / 25));
    const tasks = generate(40, 3).map((t, i) => ({
      ...t,
      data: { image: `/data/local-files/?d=img/${i}.png` },
      annotations: t.annotations!.map((a) => ({
        ...a,
        result: a.result!.map((r) => {
          const v = r.value as Record<string, number>;
          return {
            ...r,
            value: { ...v, x: at(v.x!), y: at(v.y!), width: size(v.width!), height: size(v.height!) },
          };
        }),
      })),
    }));
    mkdirSync(join(media, 'img'), { recursive: true });
    for (let i = 0; i < tasks.length; i++) writeFileSync(join(media, 'img', `${i}.png`), pngHeader(640, 480));
    const first = join(temp, 'first');
    const entry = formatOf('YOLO_WITH_IMAGES');
    await runExport({
      format: entry.format as FormatDefinition<any>,
      tasks: arrayTaskSource(tasks),
      config: parseLabelConfig(CONFIG),
      sink: directorySink(first),
      dataset: { split: 'train=0.6,val=0.2,test=0.2', annotation: 'ground-truth' },
      resources: { localFilesRoot: media },
    });
    const { report: _r, ...imported } = await importYolo(first);
    const second = join(temp, 'second');
    await runExport({
      format: entry.format as FormatDefinition<any>,
      tasks: arrayTaskSource(imported.tasks),
      config: parseLabelConfig(imported.labelConfig),
      sink: directorySink(second),
      dataset: { split: 'from-tasks' },
      resources: { localFilesRoot: first },
    });
    const files = (dir: string) => listFiles(dir).filter((p) => !p.endsWith('notes.json'));
    const before = files(first);
    expect(before.some((p) => p.startsWith('labels/val/'))).toBe(true);
    expect(files(second)).toEqual(before);
    for (const path of before)
      expect(readFileSync(join(second, path)), path).toEqual(readFileSync(join(first, path)));
  });
});

async function importYolo(dir: string) {
  const { ConversionReport } = await import('@lsconv/core');
  const report = new ConversionReport('yolo');
  const result = await yoloImporter.run({
    input: dir,
    options: {
      ...Object.fromEntries(Object.entries(yoloImporter.options).map(([k, s]) => [k, s.default])),
    } as never,
    report,
    compat: 'default',
    signal: new AbortController().signal,
  });
  const tasks: Task[] = [];
  for await (const t of result.tasks as AsyncIterable<Task>) tasks.push(t);
  return { tasks, labelConfig: result.labelConfig, report };
}

function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(dir, rel));
    else if (!entry.name.startsWith('.')) out.push(rel);
  }
  return out.sort();
}
