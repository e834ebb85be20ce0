// Every region of the input is written or reported, and each lost one exactly once:
// regions written plus regions skipped equals the regions in the input, whatever mix of
// reasons (a control the format cannot carry, a label outside the config, a missing image
// size, a shape the format does not hold) loses them.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReportData } from '@lsconv/core';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from './main.js';
import { fakeIo, tempDir } from './test-helpers.js';

const root = tempDir('lsconv-losses-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const CONFIG = `<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="box" toName="image"><Label value="Car"/><Label value="Bus"/></RectangleLabels>
  <PolygonLabels name="poly" toName="image"><Label value="Road"/></PolygonLabels>
  <Choices name="weather" toName="image"><Choice value="Sunny"/></Choices>
  <TextArea name="note" toName="image"/>
</View>`;

const sized = { original_width: 200, original_height: 100 };
const rect = (id: string, label: string, size: object = sized) => ({
  id,
  from_name: 'box',
  to_name: 'image',
  type: 'rectanglelabels',
  ...size,
  value: { x: 10, y: 10, width: 20, height: 20, rotation: 0, rectanglelabels: [label] },
});
const TASKS = [
  {
    id: 1,
    data: { image: '/data/upload/1/a.jpg' },
    annotations: [
      {
        id: 11,
        result: [
          rect('r1', 'Car'),
          rect('r2', 'Bus'),
          {
            id: 'p1',
            from_name: 'poly',
            to_name: 'image',
            type: 'polygonlabels',
            ...sized,
            value: {
              points: [
                [1, 1],
                [50, 1],
                [50, 50],
              ],
              polygonlabels: ['Road'],
            },
          },
          {
            id: 'c1',
            from_name: 'weather',
            to_name: 'image',
            type: 'choices',
            value: { choices: ['Sunny'] },
          },
          { id: 't1', from_name: 'note', to_name: 'image', type: 'textarea', value: { text: ['wet'] } },
        ],
      },
    ],
  },
  // No size anywhere and an image that cannot be read: the box is lost for that reason only.
  {
    id: 2,
    data: { image: '/data/upload/1/b.jpg' },
    annotations: [{ id: 21, result: [rect('r3', 'Car', {})] }],
  },
  // A rectangle without a label: lost once, as having no class.
  {
    id: 3,
    data: { image: '/data/upload/1/c.jpg' },
    annotations: [{ id: 31, result: [{ ...rect('r4', 'Car'), value: { x: 1, y: 1, width: 2, height: 2 } }] }],
  },
];
/** Regions of each task, and in all. */
const TASK_REGIONS = new Map(TASKS.map((t) => [t.id, t.annotations[0]!.result.length]));
const REGIONS = 7;
writeFileSync(join(root, 'tasks.json'), JSON.stringify(TASKS));
writeFileSync(join(root, 'config.xml'), CONFIG);

async function exportReport(format: string, compat: string): Promise<ReportData> {
  const out = join(root, `${format}-${compat}`);
  const reportFile = `${out}.report.json`;
  const io = fakeIo({ env: { XDG_STATE_HOME: join(root, 'state') } });
  const args = ['export', '-i', join(root, 'tasks.json'), '-c', join(root, 'config.xml'), '-f', format];
  const code = await main([...args, '-o', out, '--compat', compat, '--report', reportFile, '-q'], io);
  expect(code, io.err()).toBe(0);
  return JSON.parse(readFileSync(reportFile, 'utf8')) as ReportData;
}

describe('each lost region is counted once', () => {
  const runs = ['COCO', 'VOC', 'YOLO', 'YOLO_OBB', 'CSV', 'JSON_MIN'].flatMap((f) => [
    [f, 'default'],
    [f, 'python'],
  ]);
  for (const [format, compat] of runs) {
    it(`${format}, ${compat} mode: regions written + regions skipped = regions in the input, with one reason each`, async () => {
      const report = await exportReport(format!, compat!);
      const skipped = report.skipped.filter((g) => g.kind === 'region');
      // A task or annotation left out as a whole (VOC without an image size) loses its
      // regions with it (each task here has one annotation).
      const tasksLost = report.skipped
        .filter((g) => g.kind === 'task' || g.kind === 'annotation')
        .flatMap((g) => g.examples);
      const lost =
        skipped.reduce((n, g) => n + g.count, 0) +
        tasksLost.reduce((n, e) => n + (TASK_REGIONS.get(Number(e.taskId)) ?? 0), 0);
      expect(report.regionsWritten + lost, JSON.stringify(skipped.map((g) => [g.code, g.count]))).toBe(
        REGIONS,
      );
      // One entry per region: no region id is reported under two codes.
      const ids = skipped.flatMap((g) => g.examples.map((e) => `${e.taskId}/${e.regionId}`));
      expect(new Set(ids).size).toBe(ids.length);
    });
  }
});
