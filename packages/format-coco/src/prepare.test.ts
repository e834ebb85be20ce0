// A pool prepares tasks in any worker, in any order, and sends the values across a
// thread boundary. The suite (suite.test.ts) checks that COCO exports the same either
// way; this checks what it numbers and reports when every task is prepared apart.
import { parseLabelConfig } from '@lsconv/core';
import { runPreparedApart, visionPrepareSample } from '@lsconv/testkit';
import { describe, expect, it } from 'vitest';
import { coco } from './index.js';

const sample = visionPrepareSample({ keypoints: true });

describe('COCO prepare', () => {
  it('numbers images, annotations and categories in input order', async () => {
    const { sink, report } = await runPreparedApart(
      coco,
      sample.tasks as object[],
      parseLabelConfig(sample.config),
      'default',
    );
    const result = JSON.parse(sink.text('result.json')) as {
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
    const skipped = report.toJSON().skipped;
    const unsupported = skipped.find((s) => s.code === 'unsupported-region')!;
    expect(unsupported.examples.map((e) => e.taskIndex)).toEqual([0, 2]);
    expect(skipped.find((s) => s.code === 'missing-image-size')?.examples[0]?.taskIndex).toBe(3);
  });
});
