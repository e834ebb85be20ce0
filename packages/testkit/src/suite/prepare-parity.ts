import type { CompatMode, FormatDefinition } from '@lsconv/core';
import { expect } from 'vitest';
import { reportWithoutTiming, runPreparedApart } from '../prepared.js';
import { outputDifferences, withTestResources } from './context.js';
import type { Add, FormatSuiteOptions, Runner, Sample } from './types.js';

/**
 * The prepare-parity check of a format with `prepare`: a worker pool prepares tasks in
 * any worker, in any order, and copies the values across a thread boundary. Every sample
 * (the edge cases' sample and `options.prepareSamples`) is exported once through
 * `runExport` in this thread and once with every task prepared on its own, last first,
 * its value cloned ({@link runPreparedApart}); files and report must be the same.
 */
export function registerPrepareParity(
  format: FormatDefinition<any>,
  options: FormatSuiteOptions,
  samples: readonly Sample[],
  run: Runner,
  cacheDir: string,
  compat: CompatMode,
  it: Add,
): void {
  if (!format.prepare) return;
  it('tasks prepared apart, last first, and copied export as in one thread', async () => {
    expect(samples.length, 'no sample to prepare').toBeGreaterThan(0);
    for (const sample of samples) {
      const tasks = structuredClone(sample.tasks) as object[];
      const extra = sample.extra();
      const inline = await run({ config: sample.config, extra }, structuredClone(tasks), {
        compat,
        input: 'tasks.json',
      });
      const apart = await runPreparedApart(format, tasks, sample.config, compat, {
        ...(options.formatOptions ? { options: options.formatOptions } : {}),
        resources: withTestResources(extra.resources, cacheDir),
      });
      expect(inline.sink.files.size, `sample ${sample.name} wrote no file`).toBeGreaterThan(0);
      const problems = await outputDifferences(
        inline.sink.files,
        apart.sink.files,
        options.compareRuns ?? 'bytes',
        format.id,
      );
      expect(
        problems,
        `sample ${sample.name}: prepared apart, the output differs from one thread (prepare keeps state between tasks, or its values do not survive a structured clone)`,
      ).toEqual([]);
      expect(
        reportWithoutTiming(apart.report),
        `sample ${sample.name}: prepared apart, the report differs from one thread`,
      ).toEqual(reportWithoutTiming(inline.report));
    }
  });
}
