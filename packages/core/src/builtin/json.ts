import { defineFormat } from '../format.js';
import { isLoneTaskObject, rawTaskJson } from '../sources/index.js';
import type { Task } from '../task.js';

/** The results of every annotation of a task: all of them are in the output, as they came. */
function annotationResults(task: Task): number {
  let count = 0;
  for (const key of ['annotations', 'completions'] as const) {
    const list = task[key];
    if (!Array.isArray(list)) continue;
    for (const annotation of list) if (Array.isArray(annotation?.result)) count += annotation.result.length;
  }
  return count;
}

/**
 * `JSON`: the export itself, every task as it came (annotations, predictions,
 * drafts, relations), in `result.json`. Tasks read from a file are written back
 * byte for byte; tasks from elsewhere are serialised with two-space indentation. Under
 * `--compat python` an input holding one task object (not a list) gives that object, as the
 * Python converter, which copies the file, does.
 */
export const json = defineFormat({
  id: 'JSON',
  title: 'JSON',
  description:
    "List of items in raw JSON format stored in one JSON file. Use to export both the data and the annotations for a dataset. It's Label Studio Common Format",
  link: 'https://labelstud.io/guide/export.html#JSON',
  tags: [],
  output: 'file',
  splitLayout: true,
  writesRawTasks: true,
  menuPosition: 0,
  // Label Studio offers JSON for every labeling config.
  supports: () => ({ ok: true }),
  async export(tasks, ctx) {
    const out = await ctx.sink.createFile('result.json');
    const text = (task: Task) => rawTaskJson(task) ?? JSON.stringify(task, null, 2);
    // The Python converter copies an input file as it is: a single task object stays one.
    let lone: Task | undefined;
    let count = 0;
    for await (const task of tasks) {
      count++;
      if (count === 1 && ctx.compat === 'python' && isLoneTaskObject(task)) lone = task;
      else {
        if (count === 1) await out.write('[\n');
        else if (lone) {
          await out.write(`[\n${text(lone)},\n`);
          lone = undefined;
        } else await out.write(',\n');
        await out.write(text(task));
      }
      ctx.report.itemsWritten++;
      ctx.report.regionsWritten += annotationResults(task);
    }
    if (lone) await out.write(text(lone));
    else await out.write(count === 0 ? '[\n\n]' : '\n]');
    await out.close();
  },
});
