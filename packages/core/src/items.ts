import type { LabelConfig } from './label-config.js';
import { hasNumberTokens, shareNumberTokens } from './numbers.js';
import type { ConversionReport } from './report.js';
import type { Annotation, Result, Task } from './task.js';

/**
 * One result value as formats read it: the result's `value` fields plus `type` (the
 * control tag type from the config, e.g. `RectangleLabels`) and the image size.
 */
export interface OutputValue {
  type: string;
  original_width?: number;
  original_height?: number;
  /** Region id and parent (keypoint exports ask for them). */
  id?: string;
  parentID?: string;
  [key: string]: unknown;
}

/**
 * One exported unit: a task with one of its annotations (or with none). The Python
 * converter calls it an item; JSON_MIN writes one record per item, CSV one row.
 */
export interface Item {
  /** The task id. */
  id: Task['id'];
  /** The task data. */
  input: Record<string, unknown>;
  /** Result values by `from_name`, in result order. */
  output: Record<string, OutputValue[]>;
  /** Results of the annotation by `from_name` (same order as `output`). */
  results: Record<string, Result[]>;
  completed_by: unknown;
  annotation_id: unknown;
  created_at: unknown;
  updated_at: unknown;
  lead_time: unknown;
  history: unknown;
  was_cancelled: unknown;
  /** Present only when the task has `agreement`. */
  agreement?: unknown;
  /**
   * With {@link TaskItemsOptions.typesAside}: each `from_name`'s control type, which its
   * values in `output` then do not hold (every value of one `from_name` has one type).
   */
  outputTypes?: Record<string, string>;
  /** The task and annotation the item was made from. */
  task: Task;
  annotation: Annotation | undefined;
  /** Position of the task in the input. */
  taskIndex: number;
}

/** Options of {@link taskItems}. */
export interface TaskItemsOptions {
  config: LabelConfig;
  report?: ConversionReport;
  taskIndex: number;
  file?: string;
  /** Copy the region `id` and `parentID` into each output value (keypoint exports). */
  withRegionIds?: boolean;
  /** Which annotations to take; the Python converter takes every one, newest first. */
  annotations?: 'all' | 'latest' | 'first' | 'ground-truth';
  /**
   * Leave `type` out of the output values (and out of a value that holds a key of that
   * name) and give each `from_name`'s type in `item.outputTypes` instead: for a format
   * that writes the values as they are without their type (JSON_MIN), which then needs
   * no second copy of each. The values' other keys are the same, in the same order.
   */
  typesAside?: boolean;
}

/** The annotations the choice leaves out are part of the input: says so, one entry each. */
function reportNotChosen(
  report: ConversionReport,
  loc: Pick<Parameters<ConversionReport['skip']>[0], 'taskIndex' | 'taskId' | 'file'>,
  key: string,
  mode: NonNullable<TaskItemsOptions['annotations']>,
  kept: readonly { annotation: Annotation; index: number }[],
  chosen: readonly { annotation: Annotation; index: number }[],
): void {
  for (const left of kept) {
    if (chosen.includes(left)) continue;
    report.skip({
      ...loc,
      kind: 'annotation',
      code: 'annotation-not-chosen',
      reason: `left out by --annotation ${mode} (${CHOICE_WORDS[mode]} annotation of a task is exported); --annotation all exports every one`,
      field: `${key}[${left.index}]`,
    });
  }
}

/**
 * Splits a task into items the way the Python converter does
 * (`Converter.annotation_result_from_task`): tasks without an `annotations`
 * (or legacy `completions`) key give nothing; an empty list gives one empty item;
 * cancelled annotations are dropped; the rest come newest `created_at` first; results
 * whose `from_name` is not a control of the config are dropped, and reported here.
 */
export function taskItems(task: Task, options: TaskItemsOptions): Item[] {
  const { report, taskIndex, config } = options;
  const loc = { taskIndex, taskId: task.id, file: options.file };
  const hasKey = 'annotations' in task || 'completions' in task;
  if (!hasKey) {
    report?.skip({
      ...loc,
      kind: 'task',
      code: 'no-annotations-key',
      reason: 'task has no "annotations" (or legacy "completions") list, so it has nothing to export',
    });
    return [];
  }
  const key = 'annotations' in task ? 'annotations' : 'completions';
  const list = (task[key] ?? []) as Annotation[];
  if (list.length === 0) return [makeItem(task, {}, {}, undefined, taskIndex)];
  let kept: { annotation: Annotation; index: number }[] = [];
  list.forEach((annotation, index) => {
    if (annotation.skipped || annotation.was_cancelled) {
      report?.skip({
        ...loc,
        kind: 'annotation',
        code: 'cancelled-annotation',
        reason: 'annotation was cancelled (skipped) by its annotator',
        field: `${key}[${index}]`,
      });
    } else kept.push({ annotation, index });
  });
  kept.sort((a, b) => compareCreated(b.annotation.created_at, a.annotation.created_at));
  const mode = options.annotations ?? 'all';
  const chosen = selectAnnotations(kept, mode);
  if (report && chosen.length < kept.length) reportNotChosen(report, loc, key, mode, kept, chosen);
  kept = chosen;
  // Number tokens kept by the parser follow the values into their copies (numbers.ts).
  const numbered = hasNumberTokens(task);
  return kept.map(({ annotation, index }) => {
    const output: Record<string, OutputValue[]> = {};
    const results: Record<string, Result[]> = {};
    const types: Record<string, string> | undefined = options.typesAside ? {} : undefined;
    const resultList = Array.isArray(annotation.result) ? annotation.result : [];
    resultList.forEach((r, ri) => {
      // Built only for a skip entry: most results are kept, and the string would be garbage.
      const fieldOf = () => `${key}[${index}].result[${ri}]`;
      if (typeof r !== 'object' || r === null || Array.isArray(r)) {
        report?.skip({
          ...loc,
          field: fieldOf(),
          kind: 'region',
          code: 'invalid-result',
          reason: 'result is not an object',
        });
        return;
      }
      const fromName = r.from_name;
      if (typeof fromName !== 'string' || fromName === '') {
        if (r.type === 'relation') {
          report?.skip({
            ...loc,
            field: fieldOf(),
            kind: 'region',
            code: 'relation',
            reason: 'relations are kept only in the JSON export',
          });
        } else {
          report?.skip({
            ...loc,
            field: fieldOf(),
            kind: 'region',
            code: 'missing-from-name',
            reason: 'result has no "from_name"',
            regionId: r.id,
          });
        }
        return;
      }
      const control = config.matchControl(fromName);
      let type: string;
      if (control) type = control.type;
      else if (r.type === 'chatmessage') type = 'chatmessage';
      else {
        report?.skip({
          ...loc,
          field: `${fieldOf()}.from_name`,
          kind: 'region',
          code: 'unknown-control',
          reason: `from_name "${fromName}" is not a control tag of the labeling config`,
          regionId: r.id,
        });
        return;
      }
      const value = r.value;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        if (control) {
          report?.skip({
            ...loc,
            field: `${fieldOf()}.value`,
            kind: 'region',
            code: 'missing-value',
            reason: 'result has no "value" object',
            regionId: r.id,
          });
          return;
        }
      }
      const v = copyValue((value ?? {}) as Record<string, unknown>);
      if (numbered && value) shareNumberTokens(value, v);
      if (types) {
        // Where the value holds a `type` of its own, the default path writes the control's
        // type over it: either way the value then has none.
        if (Object.hasOwn(v, 'type')) delete (v as { type?: string }).type;
        types[fromName] = type;
      } else v.type = type;
      if (control) {
        if ('original_width' in r) v.original_width = r.original_width;
        if ('original_height' in r) v.original_height = r.original_height;
        if (options.withRegionIds) {
          v.id = r.id;
          v.parentID = r.parentID;
        }
      }
      (output[fromName] ??= []).push(v);
      (results[fromName] ??= []).push(r);
    });
    const item = makeItem(task, output, results, annotation, taskIndex);
    if (types) item.outputTypes = types;
    return item;
  });
}

/**
 * A shallow copy of a result's value. `Object.assign` onto a fresh object is about 20
 * times faster than an object spread here (values of different shapes make the
 * spread take its slow path), with the same key order; a `__proto__` key (which
 * assignment would treat as the prototype) takes the spread.
 */
function copyValue(value: Record<string, unknown>): OutputValue {
  return (Object.hasOwn(value, '__proto__') ? { ...value } : Object.assign({}, value)) as OutputValue;
}

const CHOICE_WORDS: Record<NonNullable<TaskItemsOptions['annotations']>, string> = {
  all: 'every',
  latest: 'only the latest',
  first: 'only the first',
  'ground-truth': 'only the ground-truth (else the latest)',
};

function selectAnnotations<T extends { annotation: Annotation }>(
  kept: T[],
  mode: TaskItemsOptions['annotations'],
): T[] {
  if (mode === 'all' || kept.length <= 1) return kept;
  if (mode === 'latest') return kept.slice(0, 1);
  if (mode === 'first') return kept.slice(-1);
  const truth = kept.find((k) => k.annotation.ground_truth);
  return truth ? [truth] : kept.slice(0, 1);
}

function makeItem(
  task: Task,
  output: Record<string, OutputValue[]>,
  results: Record<string, Result[]>,
  annotation: Annotation | undefined,
  taskIndex: number,
): Item {
  const a = annotation ?? {};
  const item: Item = {
    id: task.id,
    input: task.data,
    output,
    results,
    completed_by: 'completed_by' in a ? a.completed_by : {},
    annotation_id: a.id ?? null,
    created_at: a.created_at ?? null,
    updated_at: a.updated_at ?? null,
    lead_time: a.lead_time ?? null,
    history: a.history ?? null,
    was_cancelled: a.was_cancelled ?? null,
    task,
    annotation,
    taskIndex,
  };
  if (annotation && 'agreement' in task) item.agreement = task.agreement;
  return item;
}

/** Orders `created_at` values; missing values sort as oldest. */
function compareCreated(a: unknown, b: unknown): number {
  const ka = a === undefined || a === null ? '' : String(a);
  const kb = b === undefined || b === null ? '' : String(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
