import {
  assignNumberTokens,
  carryNumberToken,
  defineFormat,
  hasNumberTokens,
  type Item,
  type PrepareContext,
  type Task,
  taskItems,
  taskSplit,
} from '@lsconv/core';
import {
  annotatorOf,
  jsonWithSpellings,
  prettifyResult,
  prettifyUntyped,
  referenceSupports,
} from '@lsconv/format-kit';

/** One JSON-MIN record: task data keys, then `id`, controls, annotator and timestamps. */
export type JsonMinRecord = Record<string, unknown>;

/**
 * `JSON_MIN`: `result.json`, a JSON array with one flat record per annotation (a task
 * without annotations gives one record with empty annotation fields). Streams: one
 * record is in memory at a time.
 */
export const jsonMin = defineFormat({
  id: 'JSON_MIN',
  menuPosition: 1,
  title: 'JSON-MIN',
  description:
    'List of items where only "from_name", "to_name" values from the raw JSON format are exported. Use to export only the annotations for a dataset.',
  link: 'https://labelstud.io/guide/export.html#JSON-MIN',
  tags: [],
  output: 'file',
  splitLayout: true,
  supports: referenceSupports('JSON_MIN'),
  keepsNumberSpelling: true,
  prepare: prepareJsonMin,
  async export(prepared, ctx) {
    const out = await ctx.sink.createFile('result.json');
    // The reference writes "[\n", records joined by ",\n", then "\n]" (so "[\n\n]" when empty).
    let pending = '[\n';
    let first = true;
    for await (const task of prepared) {
      if (task.items === 0) continue;
      pending += first ? task.text : `,\n${task.text}`;
      first = false;
      ctx.report.itemsWritten += task.items;
      ctx.report.regionsWritten += task.regions;
      // Writes of about 32 KB: each awaited write costs more than the concatenation, and a
      // longer string would be a large object, which only a full collection frees.
      if (pending.length >= WRITE_BATCH) {
        await out.write(pending);
        pending = '';
      }
    }
    await out.write(`${pending}\n]`);
    await out.close();
  },
});

const WRITE_BATCH = 32 * 1024;

/** One task's records, ready to write: their text joined by `,\n`, and the counts. */
export interface PreparedJsonMin {
  text: string;
  items: number;
  regions: number;
}

/** The per-task step of JSON_MIN (may run on a worker thread). */
export function prepareJsonMin(task: Task, pctx: PrepareContext): PreparedJsonMin {
  const items = taskItems(task, {
    config: pctx.config,
    report: pctx.report,
    taskIndex: pctx.taskIndex,
    file: pctx.input,
    // The records hold the values without their type: read so, they need no second copy.
    typesAside: true,
  });
  const python = pctx.compat === 'python';
  // Numbers kept as written (numbers.ts): integers beyond 2^53, Python's float spelling.
  const numbered = hasNumberTokens(task);
  // With --split, a split field.
  const split = pctx.dataset?.split ? taskSplit(task) : undefined;
  let text = '';
  let regions = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const fields = toJsonMinRecord(item);
    if (split !== undefined) fields.split = split;
    const record = jsonMinText(fields, python, numbered);
    text = i === 0 ? record : `${text},\n${record}`;
    for (const name in item.output) regions += item.output[name]?.length ?? 0;
  }
  return { text, items: items.length, regions };
}

/**
 * The record of one item, built in the reference's order so that later keys win the
 * same way: task data, `id` (when the task has one), one key per `from_name`
 * (prettified), `annotator` (email, or the integer user id), `annotation_id`,
 * `created_at`, `updated_at`, `lead_time`, and `agreement` when the task has it. Items
 * read with `typesAside` give their values to the record as they are, not copied.
 */
export function toJsonMinRecord(item: Item): JsonMinRecord {
  const numbered = hasNumberTokens(item.task);
  const record = newRecord(item);
  if (item.id !== undefined && item.id !== null) record.id = item.id;
  const types = item.outputTypes;
  for (const name of Object.keys(item.output)) {
    const values = item.output[name] ?? [];
    record[name] = types ? prettifyUntyped(values, types[name]) : prettifyResult(values, numbered);
  }
  record.annotator = annotatorOf(item, true);
  record.annotation_id = item.annotation_id;
  record.created_at = item.created_at;
  record.updated_at = item.updated_at;
  record.lead_time = item.lead_time;
  if ('agreement' in item) record.agreement = item.agreement;
  if (numbered) {
    // The record answers for the number tokens of the objects its fields came from.
    assignNumberTokens(record, item.input);
    for (const name of Object.keys(item.output)) carryNumberToken(record, name, undefined);
    const { task, annotation } = item;
    carryNumberToken(record, 'id', task, 'id');
    carryNumberToken(record, 'annotator', annotation, 'completed_by');
    carryNumberToken(record, 'annotation_id', annotation, 'id');
    for (const key of ['created_at', 'updated_at', 'lead_time']) carryNumberToken(record, key, annotation);
    carryNumberToken(record, 'agreement', task);
  }
  return record;
}

/**
 * A record holding the task data: an ordinary object, which V8 keeps in its fast form,
 * unless a key is `__proto__` (which assignment would treat as the prototype); then a
 * prototype-less object, where it stays an ordinary key.
 */
function newRecord(item: Item): JsonMinRecord {
  if (!Object.hasOwn(item.input, '__proto__') && !Object.hasOwn(item.output, '__proto__'))
    return Object.assign({}, item.input);
  return Object.assign(Object.create(null) as JsonMinRecord, item.input);
}

/**
 * A record as the reference writes it: two-space indentation; in `python` compat mode
 * `/` is escaped as `\/` like ujson does (valid JSON either way, and a `/` can only
 * occur inside strings, so the replacement is safe). `numbered` (the record's task has
 * number tokens) prints integers beyond 2^53 as written and, in `python` mode, floats
 * as ujson does (`80.0`, `1e-5`).
 */
export function jsonMinText(record: JsonMinRecord, python = false, numbered = false): string {
  const text = numbered
    ? jsonWithSpellings(record, python ? 'ujson' : 'js', 2)
    : JSON.stringify(record, null, 2);
  return python && text.includes('/') ? text.replaceAll('/', '\\/') : text;
}
