import {
  type CompatMode,
  ConversionReport,
  createResourceResolver,
  type FormatDefinition,
  isLsconvError,
  type MemorySink,
  memorySink,
  resolveOptions,
  runExport,
  type Task,
} from '@lsconv/core';
import { expect } from 'vitest';
import { deepFreeze, isResolver, onceIterable, outputDifferences, withTestResources } from './context.js';
import { annotationsOf, isExported } from './sample.js';
import type { Add, FormatSuiteOptions, Runner, Sample, Setup } from './types.js';

/** What every edge case gets: the format, its sample, and a runner bound to one compat mode. */
export interface EdgeContext {
  format: FormatDefinition<any>;
  options: FormatSuiteOptions;
  sample: Sample;
  compat: CompatMode;
  cacheDir: string;
  /** Runs the format in this compat mode. */
  run: Runner;
  setup(): Setup;
  /** A fresh copy of the sample's tasks. */
  tasks(): Record<string, unknown>[];
  /** A fresh copy of the first sample task with an exported annotation. */
  annotated(): Record<string, unknown>;
  /** Fails with `what` and the differences when two outputs differ (per `compareRuns`). */
  same(a: MemorySink, b: MemorySink, what: string): Promise<void>;
  /** Fails with `what` when two outputs are the same (per `compareRuns`). */
  differ(a: MemorySink, b: MemorySink, what: string): Promise<void>;
}

/** The context of the edge cases in one compat mode. */
export function edgeContext(
  format: FormatDefinition<any>,
  options: FormatSuiteOptions,
  sample: Sample,
  run: Runner,
  cacheDir: string,
  compat: CompatMode,
): EdgeContext {
  const tasks = (): Record<string, unknown>[] => structuredClone(sample.tasks as Record<string, unknown>[]);
  return {
    format,
    options,
    sample,
    compat,
    cacheDir,
    run: (setup, input, more = {}) => run(setup, input, { compat, ...more }),
    setup: () => ({ config: sample.config, extra: sample.extra() }),
    tasks,
    annotated() {
      const found = tasks().find((t) => annotationsOf(t).some(isExported));
      if (!found)
        throw new Error(
          `@lsconv/testkit: sample ${sample.name} has no task with an annotated result; pass options.sampleCase`,
        );
      return found;
    },
    async same(a, b, what) {
      const problems = await outputDifferences(a.files, b.files, options.compareRuns ?? 'bytes', format.id);
      expect(problems.length, `${what}:\n${problems.join('\n')}`).toBe(0);
    },
    async differ(a, b, what) {
      const problems = await outputDifferences(a.files, b.files, options.compareRuns ?? 'bytes', format.id);
      expect(problems.length, what).toBeGreaterThan(0);
    },
  };
}

/** Empty input, tasks without annotations, and tasks whose annotations are all cancelled. */
export function registerSelectionCases(ctx: EdgeContext, it: Add): void {
  const { run, setup, options } = ctx;
  it('exports an empty input (no tasks)', async () => {
    const { report, sink } = await run(setup(), []);
    expect(report.tasksRead).toBe(0);
    expect(report.itemsWritten, 'an empty export counted items').toBe(0);
    expect(report.regionsWritten, 'an empty export counted regions').toBe(0);
    expect(report.filesWritten, 'the report does not count the files the sink committed').toBe(
      sink.files.size,
    );
    // What an empty export writes (a header, an empty list) is part of every export.
    const full = await run(setup(), ctx.tasks());
    const missing = [...sink.files.keys()].filter((path) => !full.sink.files.has(path));
    expect(missing, 'the empty export wrote files that the sample export does not').toEqual([]);
  });

  it('exports a task without annotations', async () => {
    const withoutKey = ctx.annotated();
    delete withoutKey.annotations;
    delete withoutKey.completions;
    const emptyList: Record<string, unknown> = { ...ctx.annotated(), annotations: [] };
    delete emptyList.completions;
    const { report } = await run(setup(), [withoutKey, emptyList]);
    expect(report.tasksRead).toBe(2);
    expect(report.regionsWritten, 'tasks without annotations have no region to write').toBe(0);
    const alone = await run(setup(), [withoutKey]);
    const empty = await run(setup(), []);
    if (options.writesEveryTask) {
      await ctx.differ(
        empty.sink,
        alone.sink,
        'a task without an "annotations" list must be written (writesEveryTask)',
      );
      return;
    }
    await ctx.same(
      empty.sink,
      alone.sink,
      'a task without an "annotations" list must add nothing to the output (as the Python converter)',
    );
  });

  it('exports a task whose annotations are all cancelled', async () => {
    const task = ctx.annotated();
    for (const a of annotationsOf(task)) a.was_cancelled = true;
    const { report, sink } = await run(setup(), [task]);
    expect(report.tasksRead).toBe(1);
    const empty = await run(setup(), []);
    if (options.writesEveryTask) {
      await ctx.differ(
        empty.sink,
        sink,
        'a task whose annotations are all cancelled must be written (writesEveryTask)',
      );
      return;
    }
    await ctx.same(
      empty.sink,
      sink,
      'cancelled annotations must add nothing to the output (as the Python converter)',
    );
    expect(report.regionsWritten, 'cancelled annotations have no region to write').toBe(0);
  });
}

/** Determinism, no input mutation, one pass over the stream, and cancellation midway. */
export function registerRunCases(ctx: EdgeContext, it: Add): void {
  const { run, setup, tasks } = ctx;
  it('is deterministic (two runs give the same output)', async () => {
    const a = await run(setup(), tasks());
    const b = await run(setup(), tasks());
    expect(a.sink.files.size, 'the sample export wrote no file').toBeGreaterThan(0);
    await ctx.same(a.sink, b.sink, 'two runs over the same input differ');
  });

  it('does not mutate its input', async () => {
    const input = tasks();
    const snapshot = structuredClone(input);
    await run(setup(), input);
    expect(input, 'the format changed the task objects it was given').toEqual(snapshot);
    const frozen = deepFreeze(tasks());
    await run(setup(), frozen);
  });

  it('reads the task stream once', async () => {
    const once = onceIterable(tasks());
    await run(setup(), once.iterable);
    expect(once.iterations(), 'the format did not read the tasks').toBe(1);
    // Directly, without runExport's guard: the format itself must iterate once.
    const direct = onceIterable(tasks());
    await exportDirectly(ctx, direct.iterable);
    expect(direct.iterations()).toBe(1);
  });

  it('leaves nothing behind when cancelled midway', async () => {
    const input = tasks();
    if (input.length < 2) input.push({ ...structuredClone(input[0] ?? { data: {} }), id: 987654 });
    const controller = new AbortController();
    async function* stream(): AsyncGenerator<Task> {
      let n = 0;
      for (const task of input) {
        if (n++ === 1) controller.abort();
        yield task as Task;
      }
    }
    const sink = memorySink();
    let failure: unknown;
    try {
      await runExport({
        format: ctx.format,
        tasks: stream(),
        config: ctx.sample.config,
        sink,
        compat: ctx.compat,
        signal: controller.signal,
        ...(ctx.options.formatOptions ? { options: ctx.options.formatOptions } : {}),
        resources: withTestResources(ctx.sample.extra().resources, ctx.cacheDir),
      });
    } catch (error) {
      failure = error;
    }
    expect(
      isLsconvError(failure),
      `a cancelled export must reject with an LsconvError, got ${String(failure)}`,
    ).toBe(true);
    expect((failure as { code: string }).code).toBe('ABORTED');
    expect(sink.files.size, 'files were committed although the export was cancelled').toBe(0);
    await expect(sink.commit(), 'the output was not aborted').rejects.toThrow();
  });
}

/**
 * Calls the format's `export` directly, without runExport (and its guards): with the
 * prepared values, each prepared as it is read, when the format has a prepare step.
 */
async function exportDirectly(ctx: EdgeContext, tasks: AsyncIterable<Task>): Promise<void> {
  const { format, sample, options } = ctx;
  const report = new ConversionReport(format.id);
  const sink = memorySink();
  const resources = withTestResources(sample.extra().resources, ctx.cacheDir);
  const values = resolveOptions(`format ${format.id}`, format.options, options.formatOptions ?? {});
  const prepare = format.prepare;
  const pctx = {
    format: format.id,
    config: sample.config,
    options: values,
    compat: ctx.compat,
    input: 'testkit tasks',
    taskIndex: 0,
    report,
  };
  async function* prepared(): AsyncGenerator<unknown> {
    for await (const task of tasks) {
      yield prepare!(task, pctx);
      pctx.taskIndex++;
    }
  }
  await format.export(prepare ? prepared() : tasks, {
    format: format.id,
    config: sample.config,
    options: values,
    sink,
    report,
    compat: ctx.compat,
    signal: new AbortController().signal,
    input: 'testkit tasks',
    resources: isResolver(resources) ? resources : createResourceResolver(resources, report),
  });
  await sink.commit();
}
