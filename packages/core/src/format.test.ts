import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineFormat } from './format.js';
import { parseLabelConfig } from './label-config.js';
import { runExport } from './run.js';
import { memorySink } from './sinks/memory.js';
import { arrayTaskSource } from './sources/index.js';
import type { Task } from './task.js';

const base = {
  id: 'TEST',
  title: 'Test',
  description: 'A test format.',
  output: 'file' as const,
  export: async () => {},
};

describe('defineFormat', () => {
  it('validates and freezes at definition time', () => {
    const format = defineFormat({
      ...base,
      options: { separator: { type: 'string', description: 'Separator.', default: ',' } },
    });
    expect(Object.isFrozen(format)).toBe(true);
    expect(Object.isFrozen(format.options.separator)).toBe(true);
    expect(() => defineFormat({ ...base, id: 'lower' })).toThrow(/upper-case/);
    expect(() => defineFormat({ ...base, title: '' })).toThrow(/needs a title/);
    expect(() => defineFormat({ ...base, options: { x: { type: 'string', description: '' } } })).toThrow(
      /description/,
    );
    expect(() =>
      defineFormat({ ...base, options: { x: { type: 'enum', description: 'x', choices: [] } } }),
    ).toThrow(/without choices/);
    expect(() =>
      defineFormat({
        ...base,
        options: { x: { type: 'number', description: 'x', default: 'a' as unknown as number } },
      }),
    ).toThrow(/default/);
  });
});

describe('runExport', () => {
  const lines = defineFormat({
    ...base,
    options: { upper: { type: 'boolean', description: 'Upper-case.' } },
    supports: (config) => (config.controls.size ? { ok: true } : { ok: false, reason: 'needs a control' }),
    async export(tasks, ctx) {
      const out = await ctx.sink.createFile('out.txt');
      for await (const task of tasks) {
        const text = String(task.data.text);
        if (text === 'fail') throw new Error('format exploded');
        await out.write(`${ctx.options.upper ? text.toUpperCase() : text}\n`);
      }
      await out.close();
    },
  });
  const config = parseLabelConfig(
    '<View><Text name="t" value="$text"/><Choices name="c" toName="t"/></View>',
  );

  it('validates options, runs and commits', async () => {
    const sink = memorySink();
    const report = await runExport({
      format: lines,
      config,
      sink,
      tasks: arrayTaskSource([{ data: { text: 'a' } }]),
      options: { upper: 'true' },
    });
    expect(sink.text('out.txt')).toBe('A\n');
    expect(report.tasksRead).toBe(1);
    await expect(
      runExport({
        format: lines,
        config,
        sink: memorySink(),
        tasks: arrayTaskSource([]),
        options: { nope: 1 },
      }),
    ).rejects.toThrow(/no option "nope"/);
  });

  it('refuses an unsupported config unless forced', async () => {
    await expect(
      runExport({ format: lines, sink: memorySink(), tasks: arrayTaskSource([]) }),
    ).rejects.toThrow(/cannot export this labeling config: needs a control/);
    await runExport({ format: lines, sink: memorySink(), tasks: arrayTaskSource([]), force: true });
  });

  it('aborts the sink when the format fails, naming the format', async () => {
    const sink = memorySink();
    await expect(
      runExport({ format: lines, config, sink, tasks: arrayTaskSource([{ data: { text: 'fail' } }]) }),
    ).rejects.toThrow(/format TEST failed: format exploded/);
    expect(sink.files.size).toBe(0);
    await expect(sink.writeFile('x', 'y')).rejects.toThrow(/aborted/);
  });
});

describe('the prepare contract', () => {
  const prepared = defineFormat({
    ...base,
    id: 'PREPARED_TEST',
    prepare(task, pctx) {
      if (task.data.skip) {
        pctx.report.skip({ taskIndex: pctx.taskIndex, kind: 'task', code: 'asked', reason: 'asked to' });
        pctx.report.warn(`prepare skipped ${pctx.taskIndex}`);
        return null;
      }
      return { line: `${pctx.taskIndex}:${String(task.data.text)}` };
    },
    async export(items, ctx) {
      expectTypeOf(items).toEqualTypeOf<AsyncIterable<{ line: string } | null>>();
      const out = await ctx.sink.createFile('out.txt');
      for await (const item of items) {
        if (item === null) continue;
        ctx.report.warn(`export wrote ${item.line}`);
        await out.write(`${item.line}\n`);
      }
      await out.close();
    },
  });

  it('types export with what prepare returns, or with tasks without prepare', () => {
    expectTypeOf(prepared.export).parameter(0).toEqualTypeOf<AsyncIterable<{ line: string } | null>>();
    const plain = defineFormat({ ...base, async export(_tasks) {} });
    expectTypeOf(plain.export).parameter(0).toEqualTypeOf<AsyncIterable<Task>>();
  });

  it("hands export the prepared values, with prepare's skips merged in input order", async () => {
    const sink = memorySink();
    const report = await runExport({
      format: prepared,
      sink,
      force: true,
      tasks: arrayTaskSource([{ data: { text: 'a' } }, { data: { skip: true } }, { data: { text: 'c' } }]),
    });
    expect(sink.text('out.txt')).toBe('0:a\n2:c\n');
    expect(report.tasksRead).toBe(3);
    expect(report.entries().map((e) => [e.code, e.taskIndex])).toEqual([['asked', 1]]);
    expect(report.warnings).toEqual(['export wrote 0:a', 'prepare skipped 1', 'export wrote 2:c']);
  });
});

describe('a refusal marked exportable', () => {
  const format = defineFormat({
    ...base,
    supports: () => ({ ok: false, reason: 'Label Studio does not offer it here', exportable: true }),
    export: async (tasks, ctx) => {
      for await (const _ of tasks) ctx.report.itemsWritten++;
    },
  });
  const run = (compat: 'default' | 'python') =>
    runExport({ format, tasks: arrayTaskSource([{ data: {} }]), sink: memorySink(), compat });

  it('exports under compat python, with a warning naming the reason', async () => {
    const report = await run('python');
    expect(report.itemsWritten).toBe(1);
    expect(report.toJSON().warnings).toEqual([
      "TEST: Label Studio does not offer it here; exported as the Python converter's command line does",
    ]);
  });

  it('is refused otherwise, with a hint naming --compat python', async () => {
    await expect(run('default')).rejects.toMatchObject({
      code: 'UNSUPPORTED_CONFIG',
      message: /Label Studio does not offer it here/,
      hint: /--compat python/,
    });
  });
});
