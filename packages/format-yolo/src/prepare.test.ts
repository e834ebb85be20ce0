// A pool prepares tasks in any worker, in any order, and sends the values across a
// thread boundary: these tests prepare every task on its own (last first), clone what
// prepare returns, and check that export still numbers and names in input order.
import {
  type CompatMode,
  ConversionReport,
  type FormatDefinition,
  parseLabelConfig,
  resolveOptions,
} from '@lsconv/core';
import { exportInline, exportPreparedApart } from '@lsconv/testkit';
import { describe, expect, it } from 'vitest';
import { yolo, yoloObb } from './index.js';

const CONFIG = `<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="label" toName="image"><Label value="Car"/></RectangleLabels>
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
const task = (id: number, image: string, result: unknown[]) => ({
  id,
  data: { image },
  annotations: [{ id: id * 10, completed_by: 1, result }],
});

// Labels outside the config in tasks 0 and 2, a shared image name, skips in several tasks,
// a clipped box, and a rotated box without image size (converted in export).
const TASKS = [
  task(1, '/data/upload/1/a.jpg', [box('Truck', 10), choice()]),
  task(2, '/data/upload/1/b.jpg', [box('Car', 95)]),
  task(3, '/data/upload/1/a.jpg', [box('Bike', 10), box('Truck', 40), choice()]),
  task(4, '/data/upload/1/c.jpg', [box('Car', 10, { rotation: 30 }, false)]),
];

const inline = (format: FormatDefinition<any>, compat: CompatMode) =>
  exportInline(format, TASKS, CONFIG, compat);
const apart = (format: FormatDefinition<any>, compat: CompatMode) =>
  exportPreparedApart(format, TASKS, CONFIG, compat);

describe('YOLO prepare', () => {
  for (const format of [yolo, yoloObb]) {
    for (const compat of ['default', 'python'] as const) {
      it(`${format.id} (${compat}): tasks prepared apart and out of order export like one thread`, async () => {
        const single = await inline(format, compat);
        expect(await apart(format, compat)).toEqual(single);
      });
    }
  }

  it('numbers labels outside the config and names shared images in input order', async () => {
    const { files, report } = await apart(yolo, 'default');
    expect(files['classes.txt']).toBe('Car\nTruck\nBike\n');
    expect(Object.keys(files).filter((k) => k.startsWith('labels/'))).toHaveLength(4);
    const [first, second] = Object.keys(files).filter((k) => /labels\/.*a(-2)?\.txt$/.test(k));
    expect(first).toMatch(/a\.txt$/);
    expect(second).toMatch(/a-2\.txt$/);
    expect(files[first!]!.split(' ')[0]).toBe('1');
    expect(files[second!]!.split('\n').map((l) => l.split(' ')[0])).toEqual(['2', '1', '']);
    // Skips keep input order, and the rotated box without a size is still reported.
    const unsupported = report.skipped.find((s) => s.code === 'unsupported-region')!;
    expect(unsupported.examples.map((e) => e.taskIndex)).toEqual([0, 2]);
    expect(report.skipped.find((s) => s.code === 'missing-image-size')?.examples[0]?.taskIndex).toBe(3);
    expect(report.warnings.some((w) => w.includes('1 region(s) reached outside the image'))).toBe(true);
  });

  it('returns plain data from prepare', () => {
    const value = yolo.prepare!(TASKS[2] as never, {
      format: 'YOLO',
      config: parseLabelConfig(CONFIG),
      options: resolveOptions('YOLO', yolo.options, {}),
      compat: 'default',
      input: 'tasks.json',
      taskIndex: 2,
      report: new ConversionReport('YOLO'),
    });
    expect(structuredClone(value)).toEqual(value);
    expect(JSON.stringify(value)).not.toContain('"annotations"');
  });
});
