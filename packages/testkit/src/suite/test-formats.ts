// Deliberately broken formats for the suite's own tests: each check must fail on its defect.
import {
  type CompatMode,
  defineFormat,
  type FormatDefinition,
  type PrepareContext,
  type Task,
  taskItems,
} from '@lsconv/core';
import { type FormatSuiteOptions, formatSuiteChecks, type SuiteCheck } from './index.js';

// A small format that selects items like the Python converter and writes one JSON
// line per item; `bug` switches on one defect at a time.
export type Bug =
  | 'none'
  | 'mutate'
  | 'random'
  | 'twice'
  | 'swallow-abort'
  | 'ascii'
  | 'float-ids'
  | 'every-task'
  | 'empty-crash'
  | 'crash'
  | 'default-crash'
  | 'drop-huge-id'
  | 'latest-only'
  | 'drop-middle'
  | 'latest-counted'
  | 'report-others'
  | 'empty-file';
export function linesFormat(bug: Bug = 'none', id = 'LINES'): FormatDefinition<any> {
  return defineFormat({
    id,
    title: `Lines (${bug})`,
    description: 'One JSON line per exported item (test format).',
    output: 'file',
    async export(tasks, ctx) {
      const out = await ctx.sink.createFile('result.jsonl');
      const write = (value: unknown) => {
        let text = JSON.stringify(value, (key, v) =>
          bug === 'float-ids' && (key === 'id' || key === 'annotation_id') && typeof v === 'number'
            ? v.toPrecision(15)
            : v,
        );
        if (bug === 'ascii') text = text.replace(/[^\x00-\x7f]/g, '?');
        if (bug === 'random') text += ` ${Math.random()}`;
        return out.write(`${text}\n`);
      };
      let index = 0;
      const read = async () => {
        for await (const task of tasks) {
          if (bug === 'mutate') (task.data as Record<string, unknown>).seen = true;
          if (bug === 'every-task') await write({ task: task.id });
          if (bug === 'default-crash' && ctx.compat === 'default') throw new Error('boom in default mode');
          const items = taskItems(task, { config: ctx.config, report: ctx.report, taskIndex: index });
          for (const [n, item] of items.entries()) {
            const regions = Object.values(item.output).reduce((sum, values) => sum + values.length, 0);
            // The defects of several annotators: the newest kept (counted, or not), a middle one dropped.
            if ((bug === 'latest-only' || bug === 'report-others') && n > 0) {
              if (bug === 'report-others')
                ctx.report.skip({
                  taskIndex: index,
                  kind: 'annotation',
                  code: 'other-annotation',
                  reason: 'not the latest',
                });
              continue;
            }
            ctx.report.regionsWritten += regions;
            if (bug === 'drop-middle' && n === 1) continue;
            if (bug === 'latest-counted' && n > 0) continue;
            await write({
              id: bug === 'drop-huge-id' && Number(item.id) > 2 ** 31 ? null : item.id,
              annotation_id: item.annotation_id,
              data: item.input,
              output: item.output,
            });
          }
          index++;
        }
      };
      if (bug === 'swallow-abort') {
        try {
          await read();
        } catch {
          // the defect: errors (and cancellation) are swallowed
        }
      } else await read();
      if (bug === 'twice') for await (const _ of tasks) index++;
      if (bug === 'crash') throw new Error('boom');
      if (bug === 'empty-crash' && index === 0)
        throw new TypeError("Cannot read properties of undefined (reading 'data')");
      if (bug === 'empty-file' && index === 0) await ctx.sink.writeFile('empty.txt', 'nothing exported\n');
      await out.close();
    },
  });
}

export const sampleCase = {
  config:
    '<View><Text name="text" value="$text"/><Choices name="sentiment" toName="text"><Choice value="Positive"/><Choice value="Negative"/></Choices></View>',
  tasks: [
    {
      id: 1,
      data: { text: 'Good service' },
      annotations: [
        {
          id: 11,
          completed_by: 1,
          created_at: '2024-01-01T10:00:00Z',
          result: [
            {
              id: 'r1',
              from_name: 'sentiment',
              to_name: 'text',
              type: 'choices',
              value: { choices: ['Positive'] },
            },
          ],
        },
      ],
    },
    { id: 2, data: { text: 'Slow' }, annotations: [] },
  ],
};

export const base: FormatSuiteOptions = { conformance: false, sampleCase };

/** Every check of a format for the given options. */
export function checksOf(format: FormatDefinition<any>, options: FormatSuiteOptions = base): SuiteCheck[] {
  const suite = formatSuiteChecks(format, options);
  return suite.checks;
}

/** The check of a format with the given name (and compat mode). */
export function check(
  format: FormatDefinition<any>,
  name: string | RegExp,
  options?: FormatSuiteOptions,
  compat?: CompatMode,
): SuiteCheck {
  const found = checksOf(format, options).find(
    (c) =>
      (typeof name === 'string' ? c.name === name : name.test(c.name)) &&
      (compat === undefined || c.compat === compat),
  );
  if (!found) throw new Error(`no check named ${String(name)}`);
  return found;
}

// A format with a prepare step: one line per task, numbered by `prepare` when `bug` is
// 'stateful' (a counter kept between tasks), or a value that loses its method in a copy.
export function preparedFormat(
  bug: 'none' | 'stateful' | 'unclonable' | 'unclonable-99' = 'none',
): FormatDefinition<any> {
  let counter = 0;
  const prepare = (task: Task, pctx: PrepareContext) => {
    const items = taskItems(task, { config: pctx.config, report: pctx.report, taskIndex: pctx.taskIndex });
    const line = JSON.stringify({
      n: bug === 'stateful' ? counter++ : pctx.taskIndex,
      items: items.map((i) => i.output),
    });
    const lose = bug === 'unclonable' || (bug === 'unclonable-99' && task.id === 99);
    return lose ? { line, text: () => line } : { line, text: undefined };
  };
  return defineFormat({
    id: 'PREPARED_LINES',
    title: `Prepared lines (${bug})`,
    description: 'One JSON line per task, prepared apart (test format).',
    output: 'file',
    prepare,
    async export(prepared, ctx) {
      const out = await ctx.sink.createFile('result.jsonl');
      for await (const p of prepared) await out.write(`${p.text ? p.text() : p.line}\n`);
      await out.close();
    },
  });
}
