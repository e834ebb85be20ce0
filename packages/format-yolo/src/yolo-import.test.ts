import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Task } from '@lsconv/core';
import { describeImporterConformance, pngHeader, runImport } from '@lsconv/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { obbToRectangle, parseYoloLine, yoloImporter } from './yolo-import.js';

const tmp: string[] = [];
afterAll(async () => {
  for (const dir of tmp) await fs.rm(dir, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(join(tmpdir(), 'lsconv-yolo-import-'));
  tmp.push(dir);
  return dir;
}

async function writeFiles(root: string, files: Record<string, string | Buffer>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await fs.mkdir(join(root, path, '..'), { recursive: true });
    await fs.writeFile(join(root, path), content);
  }
}

describeImporterConformance(yoloImporter, 2);

describe('parseYoloLine', () => {
  it('tells boxes, scores, polygons, oriented boxes and pose lines apart', () => {
    expect(parseYoloLine([0, 0.5, 0.5, 0.2, 0.2])).toMatchObject({ kind: 'box' });
    expect(parseYoloLine([0, 0.5, 0.5, 0.2, 0.2, 0.9])).toMatchObject({ kind: 'box', score: 0.9 });
    expect(parseYoloLine([1, 0.1, 0.1, 0.5, 0.1, 0.3, 0.4])).toMatchObject({ kind: 'polygon', cls: 1 });
    expect(parseYoloLine([1, 0.1, 0.1, 0.5, 0.1, 0.5, 0.4, 0.1, 0.4])).toMatchObject({ kind: 'obb' });
    expect(parseYoloLine([1, 0.1, 0.1, 0.5, 0.1, 0.6, 0.4, 0.1, 0.4])).toMatchObject({ kind: 'polygon' });
    expect(parseYoloLine([1, 0.1, 0.1, 0.5, 0.1, 0.5, 0.4, 0.1, 0.4], { obb: 'never' })).toMatchObject({
      kind: 'polygon',
    });
    expect(
      parseYoloLine([0, 0.5, 0.5, 0.2, 0.2, 0.4, 0.4, 2, 0.6, 0.6, 1], { kptShape: [2, 3] }),
    ).toMatchObject({
      kind: 'pose',
      keypoints: [
        [0.4, 0.4, 2],
        [0.6, 0.6, 1],
      ],
    });
    expect(parseYoloLine([0, 0.5, 0.5])).toMatch(/a box needs 4/);
    expect(parseYoloLine([0.5, 0.5, 0.5, 0.1, 0.1])).toMatch(/not a non-negative integer/);
  });
  it('reads an oriented box back to the rectangle it came from', () => {
    const [x, y, w, h, r] = [100, 50, 80, 40, 30];
    const t = (r * Math.PI) / 180;
    const corner = (dx: number, dy: number): [number, number] => [
      x + dx * Math.cos(t) - dy * Math.sin(t),
      y + dx * Math.sin(t) + dy * Math.cos(t),
    ];
    const rect = obbToRectangle([corner(0, 0), corner(w, 0), corner(w, h), corner(0, h)], 200, 100);
    expect(rect.x).toBeCloseTo(50, 9);
    expect(rect.y).toBeCloseTo(50, 9);
    expect(rect.width).toBeCloseTo(40, 9);
    expect(rect.height).toBeCloseTo(40, 9);
    expect(rect.rotation).toBeCloseTo(30, 9);
  });
});

describe('yolo importer: layouts', () => {
  it('imports a polygon dataset with a labeling config that has a PolygonLabels tag', async () => {
    const dir = await tempDir();
    await writeFiles(dir, {
      'classes.txt': 'cat\ndog\n',
      'images/a.png': pngHeader(200, 100),
      'labels/a.txt': '1 0.1 0.1 0.5 0.1 0.3 0.4\n0 0.5 0.5 0.2 0.2\n',
    });
    const { tasks, labelConfig, report } = await runImport(yoloImporter, dir);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]!.data.image).toBe('/data/local-files/?d=images/a.png');
    const result = tasks[0]!.annotations![0]!.result!;
    expect(result.map((r) => r.type)).toEqual(['polygonlabels', 'rectanglelabels']);
    expect(result[0]!.value).toMatchObject({
      points: [
        [10, 10],
        [50, 10],
        [30, 40],
      ],
      polygonlabels: ['dog'],
    });
    expect(result[0]!.from_name).toBe('label_polygons');
    expect(result[0]!.original_width).toBe(200);
    expect(labelConfig).toContain('<PolygonLabels name="label_polygons" toName="image">');
    expect(labelConfig).toContain('<RectangleLabels name="label" toName="image">');
    expect(report.toJSON().skipped).toEqual([]);
  });

  it('imports an Ultralytics data.yaml dataset with train/val splits and pose lines', async () => {
    const dir = await tempDir();
    await writeFiles(dir, {
      'data.yaml':
        'path: .\ntrain: images/train\nval: images/val\nnames:\n  0: person\nkpt_shape: [2, 3]\nkpt_names: [nose, tail]\n',
      'images/train/t1.png': pngHeader(100, 100),
      'labels/train/t1.txt': '0 0.5 0.5 0.4 0.4 0.4 0.4 2 0 0 0\n',
      'images/val/v1.png': pngHeader(100, 50),
      'labels/val/v1.txt': '0 0.5 0.5 0.2 0.2 0.5 0.5 2 0.55 0.55 1 0.8\n',
    });
    const { tasks, labelConfig } = await runImport(yoloImporter, dir, { outType: 'predictions' });
    expect(tasks.map((t) => [t.data.image, t.meta])).toEqual([
      ['/data/local-files/?d=images/train/t1.png', { split: 'train' }],
      ['/data/local-files/?d=images/val/v1.png', { split: 'val' }],
    ]);
    const train = (tasks[0]!.predictions![0] as { result: Task['annotations'] & object[] })
      .result as unknown as Record<string, unknown>[];
    expect(train.map((r) => r.type)).toEqual(['rectanglelabels', 'keypointlabels']);
    expect(train[1]).toMatchObject({ parentID: train[0]!.id, value: { keypointlabels: ['nose'] } });
    const val = (tasks[1]!.predictions![0] as { result: Record<string, unknown>[] }).result;
    expect(val).toHaveLength(3);
    expect(val[0]!.score).toBe(0.8);
    expect(labelConfig).toContain('model_index="1"');
    expect(labelConfig).toContain('<KeyPointLabels name="label_keypoints" toName="image">');
  });

  it('turns broken lines into report entries with file and line', async () => {
    const dir = await tempDir();
    await writeFiles(dir, {
      'classes.txt': 'a\n',
      'images/x.png': pngHeader(10, 10),
      'labels/x.txt': '0 0.5 0.5\n3 0.5 0.5 0.1 0.1\n0 0.5 zz 0.1 0.1\n0 0.5 0.5 0.1 0.1\n',
    });
    const { tasks, report } = await runImport(yoloImporter, dir);
    expect(tasks[0]!.annotations![0]!.result).toHaveLength(1);
    const skipped = report.toJSON().skipped;
    expect(skipped.map((s) => s.code).sort()).toEqual(['bad-line', 'bad-number', 'unknown-class']);
    const unknown = skipped.find((s) => s.code === 'unknown-class')!;
    expect(unknown.examples[0]).toMatchObject({ file: join('labels', 'x.txt'), field: 'line 2' });
  });

  it('reports lines whose coordinates overflow to Infinity when scaled', async () => {
    const dir = await tempDir();
    await writeFiles(dir, {
      'classes.txt': 'a\n',
      'images/x.png': pngHeader(32, 24),
      'labels/x.txt': '0 0 0 0 0 1e+308 0\n0 0.5 0.5 1e308 0.1\n0 0.5 0.5 0.1 0.1\n',
    });
    const { tasks, report } = await runImport(yoloImporter, dir);
    expect(tasks[0]!.annotations![0]!.result).toHaveLength(1);
    expect(report.countsByCode()['bad-number']).toBe(2);
    expect(report.regionsWritten).toBe(1);
  });

  it('refuses a broken notes.json with an LsconvError (not JSON, no list, absurd ids)', async () => {
    const empty = await tempDir();
    await writeFiles(empty, { 'notes.json': 'null', 'images/x.png': pngHeader(4, 4), 'labels/x.txt': '' });
    expect((await runImport(yoloImporter, empty)).tasks).toHaveLength(1);
    for (const notes of [
      '{',
      '{"categories": 3}',
      '{"categories": [{"id": 1e9, "name": "x"}]}',
      '{"categories": [{"id": -1}]}',
    ]) {
      const dir = await tempDir();
      await writeFiles(dir, { 'notes.json': notes, 'images/x.png': pngHeader(4, 4), 'labels/x.txt': '' });
      const error = await runImport(yoloImporter, dir).catch((e: unknown) => e);
      expect(error, notes).toMatchObject({ name: 'LsconvError' });
    }
  });

  it('imports oriented boxes with the rotation in pixels', async () => {
    const dir = await tempDir();
    await writeFiles(dir, {
      'classes.txt': 'ship\n',
      'images/s.png': pngHeader(200, 100),
      // A 40 × 20 px box at (100, 50), rotated 90°: corners in pixels (100,50) (100,90) (80,90) (80,50).
      'labels/s.txt': '0 0.5 0.5 0.5 0.9 0.4 0.9 0.4 0.5\n',
    });
    const { tasks } = await runImport(yoloImporter, dir);
    const v = tasks[0]!.annotations![0]!.result![0]!.value as Record<string, number>;
    expect(v.rotation).toBeCloseTo(90, 9);
    expect(v.x).toBeCloseTo(50, 9);
    expect(v.y).toBeCloseTo(50, 9);
    expect(v.width).toBeCloseTo(20, 9);
    expect(v.height).toBeCloseTo(20, 9);
  });
});

describe('the dataset folder is the limit', () => {
  const png = pngHeader(10, 10);

  it('refuses data.yaml paths that lead outside its folder, naming the field; --allow-outside reads them', async () => {
    const outside = await tempDir();
    await writeFiles(outside, { 'images/x.png': png, 'labels/x.txt': '0 0.5 0.5 0.2 0.2\n' });
    for (const [yaml, field] of [
      [`path: ${outside}\ntrain: images\nnames: [a]\n`, 'path'],
      [`train: ${join(outside, 'images')}\nnames: [a]\n`, 'train'],
      ['path: ..\ntrain: elsewhere/images\nnames: [a]\n', 'path'],
      ['train: ../elsewhere/images\nnames: [a]\n', 'train'],
    ] as const) {
      const dir = await tempDir();
      const dataset = join(dir, 'set');
      await writeFiles(dataset, { 'data.yaml': yaml });
      await writeFiles(dir, { 'elsewhere/images/y.png': png });
      await expect(runImport(yoloImporter, dataset), yaml).rejects.toMatchObject({
        code: 'INPUT_SHAPE',
        location: { field },
        message: expect.stringContaining('outside the dataset folder'),
      });
      const allowed = await runImport(yoloImporter, dataset, { allowOutside: true });
      expect(allowed.tasks.length, yaml).toBe(1);
    }
  });

  it('leaves out images and labels that are links leading outside, and reports each', async () => {
    const outside = await tempDir();
    await writeFiles(outside, { 'secret.png': pngHeader(77, 66), 'secret.txt': '0 0.5 0.5 0.2 0.2\n' });
    const dir = await tempDir();
    await writeFiles(dir, {
      'classes.txt': 'a\n',
      'images/inside.png': png,
      'labels/inside.txt': '0 0.5 0.5 0.2 0.2\n',
      'images/own.png': png,
    });
    await fs.symlink(join(outside, 'secret.png'), join(dir, 'images', 'link.png'));
    await fs.symlink(join(outside, 'secret.txt'), join(dir, 'labels', 'own.txt'));
    const { tasks, report } = await runImport(yoloImporter, dir);
    expect(tasks.map((t) => String(t.data.image))).toEqual([expect.stringMatching(/inside\.png$/)]);
    expect(report.countsByCode()).toMatchObject({ 'outside-dataset': 2 });
    // The linked image's size (77 × 66) was never read into a task.
    expect(JSON.stringify(tasks)).not.toMatch(/"original_width":77\b/);
    const allowed = await runImport(yoloImporter, dir, { allowOutside: true });
    expect(allowed.tasks).toHaveLength(3);
  });
});
