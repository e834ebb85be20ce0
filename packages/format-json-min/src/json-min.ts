import { annotatorOf, defineFormat, type Item, referenceSupports, taskItems } from '@lsconv/core';
import { prettifyResult } from './prettify.js';

/** One JSON-MIN record: task data keys, then `id`, controls, annotator and timestamps. */
export type JsonMinRecord = Record<string, unknown>;

/**
 * `JSON_MIN`: `result.json`, a JSON array with one flat record per annotation (a task
 * without annotations gives one record with empty annotation fields). Streams: one
 * record is in memory at a time.
 */
export const jsonMin = defineFormat({
  id: 'JSON_MIN',
  title: 'JSON-MIN',
  description:
    'List of items where only "from_name", "to_name" values from the raw JSON format are exported. Use to export only the annotations for a dataset.',
  link: 'https://labelstud.io/guide/export.html#JSON-MIN',
  tags: [],
  output: 'file',
  supports: referenceSupports('JSON_MIN'),
  async export(tasks, ctx) {
    const out = await ctx.sink.createFile('result.json');
    const escapeSlashes = ctx.compat === 'python';
    // The reference writes "[\n", records joined by ",\n", then "\n]" (so "[\n\n]" when empty).
    await out.write('[\n');
    let first = true;
    let taskIndex = 0;
    for await (const task of tasks) {
      const items = taskItems(task, { config: ctx.config, report: ctx.report, taskIndex, file: ctx.input });
      taskIndex++;
      for (const item of items) {
        const text = jsonMinText(toJsonMinRecord(item), escapeSlashes);
        await out.write(first ? text : `,\n${text}`);
        first = false;
        ctx.report.itemsWritten++;
        for (const values of Object.values(item.output)) ctx.report.regionsWritten += values.length;
      }
    }
    await out.write('\n]');
    await out.close();
  },
});

/**
 * The record of one item, built in the reference's order so that later keys win the
 * same way: task data, `id` (when the task has one), one key per `from_name`
 * (prettified), `annotator` (email, or the integer user id), `annotation_id`,
 * `created_at`, `updated_at`, `lead_time`, and `agreement` when the task has it.
 */
export function toJsonMinRecord(item: Item): JsonMinRecord {
  // A prototype-less object: a data key named "__proto__" stays an ordinary key.
  const record: JsonMinRecord = Object.assign(Object.create(null) as JsonMinRecord, item.input);
  if (item.id !== undefined && item.id !== null) record.id = item.id;
  for (const name of Object.keys(item.output)) record[name] = prettifyResult(item.output[name] ?? []);
  record.annotator = annotatorOf(item, true);
  record.annotation_id = item.annotation_id;
  record.created_at = item.created_at;
  record.updated_at = item.updated_at;
  record.lead_time = item.lead_time;
  if ('agreement' in item) record.agreement = item.agreement;
  return record;
}

/**
 * A record as the reference writes it: two-space indentation; in `python` compat mode
 * `/` is escaped as `\/` like ujson does (valid JSON either way, and a `/` can only
 * occur inside strings, so the replacement is safe).
 */
export function jsonMinText(record: JsonMinRecord, escapeSlashes = false): string {
  const text = JSON.stringify(record, null, 2);
  return escapeSlashes && text.includes('/') ? text.replaceAll('/', '\\/') : text;
}
