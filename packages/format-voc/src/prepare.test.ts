// A pool prepares tasks in any worker, in any order, and sends the values across a
// thread boundary. The suite (suite.test.ts) checks that VOC exports the same either
// way; this checks what it names and reports when every task is prepared apart.
import { parseLabelConfig } from '@lsconv/core';
import { runPreparedApart, visionPrepareSample } from '@lsconv/testkit';
import { describe, expect, it } from 'vitest';
import { voc } from './index.js';

const sample = visionPrepareSample();

describe('VOC prepare', () => {
  it('names shared images and reports skips in input order', async () => {
    const { sink, report } = await runPreparedApart(
      voc,
      sample.tasks as object[],
      parseLabelConfig(sample.config),
      'default',
    );
    const names = [...sink.files.keys()].filter((k) => k.startsWith('Annotations/'));
    expect(names).toHaveLength(3);
    expect(names.filter((k) => /a\.xml$/.test(k))).toHaveLength(1);
    const second = sink.text(names.find((k) => /a-2\.xml$/.test(k))!);
    expect(second).toContain('<name>Bike</name>');
    expect(second).toContain('<name>Truck</name>');
    expect(second).toContain('<filename>');
    const skipped = report.toJSON().skipped;
    const unsupported = skipped.find((s) => s.code === 'unsupported-region')!;
    expect(unsupported.examples.map((e) => e.taskIndex)).toEqual([0, 2]);
    expect(skipped.find((s) => s.code === 'missing-image-size')?.examples[0]?.taskIndex).toBe(3);
    expect(report.warnings.some((w) => w.includes('1 region(s) reached outside the image'))).toBe(true);
  });
});
