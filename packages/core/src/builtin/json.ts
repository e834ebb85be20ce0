import { defineFormat } from '../format.js';
import { referenceSupports } from '../reference-support.js';
import { rawTaskJson } from '../sources/index.js';

/**
 * `JSON`: the export itself, every task as it came (annotations, predictions,
 * drafts, relations), in `result.json`. Tasks read from a file are written back
 * byte for byte; tasks from elsewhere are serialised with two-space indentation.
 */
export const json = defineFormat({
  id: 'JSON',
  title: 'JSON',
  description:
    "List of items in raw JSON format stored in one JSON file. Use to export both the data and the annotations for a dataset. It's Label Studio Common Format",
  link: 'https://labelstud.io/guide/export.html#JSON',
  tags: [],
  output: 'file',
  supports: referenceSupports('JSON'),
  async export(tasks, ctx) {
    const out = await ctx.sink.createFile('result.json');
    await out.write('[\n');
    let first = true;
    for await (const task of tasks) {
      if (!first) await out.write(',\n');
      first = false;
      const raw = rawTaskJson(task);
      await out.write(raw ?? JSON.stringify(task, null, 2));
      ctx.report.itemsWritten++;
    }
    await out.write('\n]');
    await out.close();
  },
});
