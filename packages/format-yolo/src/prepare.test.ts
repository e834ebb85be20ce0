// A pool prepares tasks in any worker, in any order, and sends the values across a
// thread boundary. The suite (suite.test.ts) checks that YOLO and YOLO_OBB export the
// same either way; this checks what YOLO numbers, names and reports when every task is
// prepared apart, and that prepare returns plain data.
import { ConversionReport, parseLabelConfig, resolveOptions } from '@lsconv/core';
import { runPreparedApart, visionPrepareSample } from '@lsconv/testkit';
import { describe, expect, it } from 'vitest';
import { yolo } from './index.js';

const sample = visionPrepareSample();

describe('YOLO prepare', () => {
  it('numbers labels outside the config and names shared images in input order', async () => {
    const { sink, report } = await runPreparedApart(
      yolo,
      sample.tasks as object[],
      parseLabelConfig(sample.config),
      'default',
    );
    const paths = [...sink.files.keys()];
    expect(sink.text('classes.txt')).toBe('Car\nTruck\nBike\n');
    expect(paths.filter((k) => k.startsWith('labels/'))).toHaveLength(4);
    const [first, second] = paths.filter((k) => /labels\/.*a(-2)?\.txt$/.test(k));
    expect(first).toMatch(/a\.txt$/);
    expect(second).toMatch(/a-2\.txt$/);
    expect(sink.text(first!).split(' ')[0]).toBe('1');
    expect(
      sink
        .text(second!)
        .split('\n')
        .map((l) => l.split(' ')[0]),
    ).toEqual(['2', '1', '']);
    // Skips keep input order, and the rotated box without a size is still reported.
    const skipped = report.toJSON().skipped;
    const unsupported = skipped.find((s) => s.code === 'unsupported-region')!;
    expect(unsupported.examples.map((e) => e.taskIndex)).toEqual([0, 2]);
    expect(skipped.find((s) => s.code === 'missing-image-size')?.examples[0]?.taskIndex).toBe(3);
    expect(report.warnings.some((w) => w.includes('1 region(s) reached outside the image'))).toBe(true);
  });

  it('returns plain data from prepare', () => {
    const value = yolo.prepare!(sample.tasks[2] as never, {
      format: 'YOLO',
      config: parseLabelConfig(sample.config),
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
