// A pool prepares tasks in any worker, in any order, and sends the values across a
// thread boundary: these tests prepare every task on its own (last first), clone what
// prepare returns, and check that export still numbers and names in input order.
import type { CompatMode, FormatDefinition } from '@lsconv/core';
import { exportInline, exportPreparedApart } from '@lsconv/testkit';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { coco } from './index.js';

const CONFIG = `<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="label" toName="image"><Label value="Car"/></RectangleLabels>
  <KeyPointLabels name="kp" toName="image"><Label value="nose" model_index="0"/></KeyPointLabels>
  <Choices name="quality" toName="image"><Choice value="Blurry"/></Choices>
</View>`;

let regionId = 0;
function box(label: string, x: number, extra: Record<string, unknown> = {}, sized = true) {
  return {
    id: `r${regionId++}`,
    from_name: 'label',
    to_name: 'image',
    type: 'rectanglelabels',
    ...(sized ? { original_width: 200, original_height: 100 } : {}),
    value: { x, y: 10, width: 20, height: 30, rotation: 0, rectanglelabels: [label], ...extra },
  };
}
const choice = () => ({
  id: `c${regionId++}`,
  from_name: 'quality',
  to_name: 'image',
  type: 'choices',
  value: { choices: ['Blurry'] },
});
const keypoint = (parentID?: string) => ({
  id: `k${regionId++}`,
  from_name: 'kp',
  to_name: 'image',
  type: 'keypointlabels',
  original_width: 200,
  original_height: 100,
  ...(parentID ? { parentID } : {}),
  value: { x: 50, y: 50, width: 1, keypointlabels: ['nose'] },
});
const task = (id: number, image: string, result: unknown[]) => ({
  id,
  data: { image },
  annotations: [{ id: id * 10, completed_by: 1, result }],
});

// Labels outside the config in tasks 0 and 2, a shared image name, skips in several tasks,
// a clipped box, a task without image size (converted in export), and a keypoint without parent.
const TASKS = [
  task(1, '/data/upload/1/a.jpg', [box('Truck', 10), choice()]),
  task(2, '/data/upload/1/b.jpg', [box('Car', 95)]),
  task(3, '/data/upload/1/a.jpg', [box('Bike', 10), box('Truck', 40), choice()]),
  task(4, '/data/upload/1/c.jpg', [box('Car', 10, { rotation: 30 }, false)]),
  task(5, '/data/upload/1/d.jpg', [box('Car', 10), keypoint(), box('Bike', 30)]),
];

const inline = (format: FormatDefinition<any>, compat: CompatMode) =>
  exportInline(format, TASKS, CONFIG, compat);
const apart = (format: FormatDefinition<any>, compat: CompatMode) =>
  exportPreparedApart(format, TASKS, CONFIG, compat);

describe('COCO prepare', () => {
  // The info block holds the export time; pin it so two runs compare.
  beforeEach(() => vi.stubEnv('SOURCE_DATE_EPOCH', '1700000000'));
  afterEach(() => vi.unstubAllEnvs());

  for (const compat of ['default', 'python'] as const) {
    it(`COCO (${compat}): tasks prepared apart and out of order export like one thread`, async () => {
      const single = await inline(coco, compat);
      expect(await apart(coco, compat)).toEqual(single);
    });
  }

  it('numbers images, annotations and categories in input order', async () => {
    const { files, report } = await apart(coco, 'default');
    const result = JSON.parse(files['result.json']!) as {
      images: { id: number; file_name: string }[];
      categories: { id: number; name: string }[];
      annotations: { id: number; image_id: number; category_id: number; keypoints?: number[] }[];
    };
    expect(result.images.map((i) => i.id)).toEqual([0, 1, 2, 3, 4]);
    expect(result.annotations.map((a) => a.id)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(result.categories.map((c) => c.name)).toEqual(['Car', 'Truck', 'Bike', 'default']);
    const byName = Object.fromEntries(result.categories.map((c) => [c.name, c.id]));
    expect(result.annotations.map((a) => [a.image_id, a.category_id])).toEqual([
      [0, byName.Truck],
      [1, byName.Car],
      [2, byName.Bike],
      [2, byName.Truck],
      [4, byName.Car],
      [4, byName.Bike],
      [4, byName.default],
    ]);
    expect(result.annotations[6]?.keypoints).toEqual([100, 50, 2]);
    const unsupported = report.skipped.find((s) => s.code === 'unsupported-region')!;
    expect(unsupported.examples.map((e) => e.taskIndex)).toEqual([0, 2]);
    expect(report.skipped.find((s) => s.code === 'missing-image-size')?.examples[0]?.taskIndex).toBe(3);
  });
});
