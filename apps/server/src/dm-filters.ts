// Label Studio's Data Manager filters (a view's `filters`, `ordering` and
// `selectedItems`), checked once and evaluated over stored tasks: the columns the
// Data Manager offers for tasks (`filter:tasks:<column>`) and their `data.*` fields,
// with the operators Label Studio applies to numbers, strings, dates, booleans and lists.
import { validationError } from './http.js';

type Json = Record<string, any>;

/** One filter item, as the Data Manager sends it. */
export interface FilterItem {
  filter: string;
  operator: string;
  type: string;
  value: unknown;
}

/** A view's filters: items joined by `and` or `or`. */
export interface TaskFilters {
  conjunction: 'and' | 'or';
  items: FilterItem[];
}

/** Selected tasks of a view: all but `excluded`, or only `included`. */
export type SelectedItems = { all: true; excluded: number[] } | { all: false; included: number[] };

/** What narrows and orders a task list (a view, or `/api/tasks`' query). */
export interface TaskSelection {
  filters?: TaskFilters | null;
  selectedItems?: SelectedItems | null;
}

const PREFIX = 'filter:tasks:';

/** Task columns that can be filtered (and ordered), by the kind of value each holds. */
const COLUMNS: Record<string, 'number' | 'string' | 'datetime' | 'boolean' | 'list'> = {
  id: 'number',
  inner_id: 'number',
  total_annotations: 'number',
  cancelled_annotations: 'number',
  total_predictions: 'number',
  predictions_score: 'number',
  avg_lead_time: 'number',
  comment_count: 'number',
  unresolved_comment_count: 'number',
  completed_at: 'datetime',
  created_at: 'datetime',
  updated_at: 'datetime',
  last_comment_updated_at: 'datetime',
  annotations_results: 'string',
  predictions_results: 'string',
  file_upload: 'string',
  storage_filename: 'string',
  is_labeled: 'boolean',
  draft_exists: 'boolean',
  annotators: 'list',
  annotations_ids: 'list',
  predictions_model_versions: 'list',
  updated_by: 'list',
};

/** Operators of ordered values (numbers and dates). */
const ORDERED = [
  'equal',
  'not_equal',
  'less',
  'greater',
  'less_or_equal',
  'greater_or_equal',
  'in',
  'not_in',
  'empty',
] as const;

/** Operators by value kind (as the Data Manager offers them). */
const OPERATORS: Record<string, readonly string[]> = {
  number: ORDERED,
  datetime: ORDERED,
  string: ['equal', 'not_equal', 'contains', 'not_contains', 'regex', 'empty', 'in_list', 'not_in_list'],
  boolean: ['equal', 'not_equal', 'empty'],
  list: ['contains', 'not_contains', 'empty'],
};

/** The value kind a filter item's `type` names (data fields take theirs from it). */
function kindOfType(type: string): string {
  const t = String(type);
  if (t === 'Number') return 'number';
  if (t === 'Datetime' || t === 'Date') return 'datetime';
  if (t === 'Boolean') return 'boolean';
  if (t === 'List') return 'list';
  return 'string';
}

/** The column a filter names (`data.image` for a data field), or undefined when it is not a task filter. */
function columnOf(filter: string): string | undefined {
  return filter.startsWith(PREFIX) ? filter.slice(PREFIX.length) : undefined;
}

/** The kind a filter item is evaluated as. */
function kindOf(column: string, item: FilterItem): string {
  if (column.startsWith('data.')) return kindOfType(item.type);
  return COLUMNS[column] ?? 'string';
}

/**
 * Checks filters as Label Studio's `FilterSerializer` and `apply_filters` would, and
 * refuses what this server cannot evaluate (a column it does not have, an operator
 * the column's type has no meaning for), naming the field: never a filter silently dropped.
 */
export function parseFilters(raw: unknown, field: string): TaskFilters | null {
  if (raw === undefined || raw === null) return null;
  const fail = (message: string) => validationError({ [field]: [message] });
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw fail('Filters must be an object with conjunction and items.');
  const r = raw as Json;
  const conjunction = r.conjunction ?? 'and';
  if (conjunction !== 'and' && conjunction !== 'or')
    throw fail(`"${String(conjunction)}" is not a valid conjunction (and, or).`);
  const items = r.items ?? [];
  if (!Array.isArray(items)) throw fail('Filter items must be a list.');
  const out: FilterItem[] = [];
  items.forEach((it: unknown, index: number) => {
    if (typeof it !== 'object' || it === null) throw fail(`Filter item ${index} is not an object.`);
    const item = it as Json;
    if (typeof item.filter !== 'string' || typeof item.operator !== 'string')
      throw fail(`Filter item ${index} needs "filter" and "operator".`);
    const column = columnOf(item.filter);
    if (column === undefined)
      throw fail(`Filter item ${index}: "${item.filter}" is not a task filter (filter:tasks:<column>).`);
    if (!column.startsWith('data.') && !(column in COLUMNS))
      throw fail(`Filter item ${index}: column "${column}" is not supported by this server.`);
    const parsed: FilterItem = {
      filter: item.filter,
      operator: item.operator,
      type: String(item.type ?? 'String'),
      value: item.value,
    };
    const kind = kindOf(column, parsed);
    if (!OPERATORS[kind]!.includes(parsed.operator))
      throw fail(
        `Filter item ${index}: operator "${parsed.operator}" does not apply to ${column} (${kind}).`,
      );
    if ((parsed.operator === 'in' || parsed.operator === 'not_in') && parsed.value !== null) {
      const v = parsed.value as Json;
      if (typeof v !== 'object' || v === null || !('min' in v) || !('max' in v))
        throw fail(`Filter item ${index}: "${parsed.operator}" needs a value {min, max}.`);
    }
    if (parsed.operator === 'regex' && parsed.value !== null) {
      try {
        new RegExp(String(parsed.value));
      } catch (error) {
        throw fail(
          `Filter item ${index}: the regular expression does not compile: ${(error as Error).message}`,
        );
      }
    }
    out.push(parsed);
  });
  return { conjunction, items: out };
}

/** Checks `selectedItems`. */
export function parseSelectedItems(raw: unknown, field: string): SelectedItems | null {
  if (raw === undefined || raw === null) return null;
  const fail = () =>
    validationError({
      [field]: [
        'selectedItems must be {"all": true, "excluded": [ids]} or {"all": false, "included": [ids]}.',
      ],
    });
  if (typeof raw !== 'object' || Array.isArray(raw)) throw fail();
  const r = raw as Json;
  const ids = (v: unknown) => {
    if (v === undefined) return [];
    if (!Array.isArray(v) || !v.every((x) => Number.isSafeInteger(Number(x)))) throw fail();
    return v.map(Number);
  };
  if (r.all === true) return { all: true, excluded: ids(r.excluded) };
  if (r.all === false) return { all: false, included: ids(r.included) };
  throw fail();
}

/** Checks an ordering list (`["tasks:id"]`, `["-tasks:data.score"]`); Label Studio uses its first item. */
export function parseOrdering(raw: unknown, field: string): string[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || !raw.every((x) => typeof x === 'string'))
    throw validationError({ [field]: ['Ordering must be a list of column names.'] });
  const first = raw[0] as string | undefined;
  if (first !== undefined) {
    const column = first.replace(/^[-+]/, '').replace(/^tasks:/, '');
    if (!column.startsWith('data.') && !(column in COLUMNS))
      throw validationError({ [field]: [`Ordering by "${first}" is not supported by this server.`] });
  }
  return raw as string[];
}

// ---- evaluation ----------------------------------------------------------------------

/** The value a task has in a Data Manager column (data fields by their key). */
export function columnValue(id: number, task: Json, column: string): unknown {
  if (column.startsWith('data.')) return task.data?.[column.slice(5)];
  const annotations: Json[] = Array.isArray(task.annotations) ? task.annotations : [];
  const predictions: Json[] = Array.isArray(task.predictions) ? task.predictions : [];
  const done = annotations.filter((a) => !a.was_cancelled);
  switch (column) {
    case 'id':
      return id;
    case 'inner_id':
      return task.inner_id ?? id;
    case 'total_annotations':
      return done.length;
    case 'cancelled_annotations':
      return annotations.length - done.length;
    case 'total_predictions':
      return predictions.length;
    case 'predictions_score': {
      const scores = predictions.map((p) => p.score).filter((s) => typeof s === 'number');
      return scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : null;
    }
    case 'avg_lead_time': {
      const times = annotations.map((a) => a.lead_time).filter((s) => typeof s === 'number');
      return times.length ? times.reduce((a, b) => a + b, 0) / times.length : null;
    }
    case 'completed_at':
      // The newest annotation's time (an imported one without it: the task's import time).
      return isLabeled(task) && annotations.length
        ? (annotations.at(-1)!.created_at ?? task.created_at ?? null)
        : null;
    case 'annotations_results':
      return annotations.map((a) => a.result ?? []);
    case 'predictions_results':
      return predictions.map((p) => p.result ?? []);
    case 'annotators':
      return [
        ...new Set(annotations.map((a) => a.completed_by).filter((x) => x !== null && x !== undefined)),
      ];
    case 'annotations_ids':
      return annotations.map((a) => a.id);
    case 'predictions_model_versions':
      return predictions.map((p) => p.model_version).filter((x) => x !== null && x !== undefined);
    case 'updated_by':
      return task.updated_by === null || task.updated_by === undefined ? [] : [task.updated_by];
    case 'draft_exists':
      return Array.isArray(task.drafts) && task.drafts.length > 0;
    case 'is_labeled':
      return isLabeled(task);
    case 'file_upload':
      return task.file_upload ?? null;
    case 'storage_filename':
      return task.storage_filename ?? null;
    default:
      return task[column] ?? null;
  }
}

function isLabeled(task: Json): boolean {
  if (typeof task.is_labeled === 'boolean') return task.is_labeled;
  return (task.annotations ?? []).some((a: Json) => !a.was_cancelled);
}

const truthy = (v: unknown) => ['true', '1', 'yes', 'y', 't', 'on'].includes(String(v).toLowerCase());

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function toTime(v: unknown): number | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  const t = new Date(v).getTime();
  return Number.isNaN(t) ? undefined : t;
}

const isEmptyValue = (v: unknown) =>
  v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);

/** Text forms of a result list, compact and as PostgreSQL prints JSON, for `contains` on results. */
function resultTexts(results: unknown[]): string[] {
  return results.flatMap((r) => [JSON.stringify(r), JSON.stringify(r, null, 1).replace(/\n\s*/g, ' ')]);
}

/** Compares by kind: a number, or undefined when the stored value cannot be compared. */
function comparable(kind: string, v: unknown): number | undefined {
  return kind === 'datetime' ? toTime(v) : toNumber(v);
}

function matchScalar(kind: string, operator: string, stored: unknown, value: unknown): boolean {
  const negated = operator.startsWith('not_');
  const base = negated ? operator.slice(4) : operator;
  let hit: boolean;
  switch (base) {
    case 'equal':
      if (kind === 'number' || kind === 'datetime') {
        const a = comparable(kind, stored);
        hit = a !== undefined && a === comparable(kind, value);
      } else if (kind === 'boolean') hit = stored === truthy(value);
      else
        hit =
          stored === value ||
          (typeof stored !== 'string' &&
            stored !== undefined &&
            stored !== null &&
            String(stored) === String(value));
      break;
    case 'less':
    case 'greater':
    case 'less_or_equal':
    case 'greater_or_equal': {
      const a = comparable(kind, stored);
      const b = comparable(kind, value);
      if (a === undefined || b === undefined) return false;
      hit = base === 'less' ? a < b : base === 'greater' ? a > b : base === 'less_or_equal' ? a <= b : a >= b;
      return hit;
    }
    case 'in': {
      const range = value as { min: unknown; max: unknown };
      const a = comparable(kind, stored);
      const lo = comparable(kind, range.min);
      const hi = comparable(kind, range.max);
      hit = a !== undefined && lo !== undefined && hi !== undefined && a >= lo && a <= hi;
      break;
    }
    case 'contains':
      hit =
        stored !== null &&
        stored !== undefined &&
        String(typeof stored === 'object' ? JSON.stringify(stored) : stored)
          .toLowerCase()
          .includes(String(value).toLowerCase());
      break;
    case 'regex':
      hit = stored !== null && stored !== undefined && new RegExp(String(value)).test(String(stored));
      return hit;
    case 'in_list':
      hit = Array.isArray(value) && value.some((x) => x === stored);
      break;
    default:
      return false;
  }
  return negated ? !hit : hit;
}

/** One filter item against one task. */
function matchItem(id: number, task: Json, item: FilterItem): boolean {
  const column = columnOf(item.filter)!;
  const kind = kindOf(column, item);
  const stored = columnValue(id, task, column);
  const { operator, value } = item;
  if (operator === 'empty' && (column === 'annotations_results' || column === 'predictions_results')) {
    // As Label Studio's join: empty when there is none, or one of them has an empty result.
    const results = stored as unknown[];
    const empty = results.length === 0 || results.some((r) => isEmptyValue(r));
    const nonEmpty = results.some((r) => !isEmptyValue(r));
    return truthy(value) ? empty : nonEmpty;
  }
  if (operator === 'empty') {
    const wantEmpty = truthy(value);
    const empty = ['total_annotations', 'cancelled_annotations', 'total_predictions'].includes(column)
      ? stored === 0
      : isEmptyValue(stored);
    return wantEmpty ? empty : !empty;
  }
  if (column === 'annotations_results' || column === 'predictions_results') {
    const results = stored as unknown[];
    if (operator === 'equal' || operator === 'not_equal') {
      let wanted: unknown;
      try {
        wanted = typeof value === 'string' ? JSON.parse(value) : value;
      } catch {
        return false;
      }
      const hit = results.some((r) => JSON.stringify(r) === JSON.stringify(wanted));
      return operator === 'equal' ? hit : !hit;
    }
    // Label Studio matches the text of each result list, case-sensitive.
    const hit = resultTexts(results).some((text) => text.includes(String(value)));
    if (operator === 'contains') return hit;
    if (operator === 'not_contains') return !hit;
    return matchScalar('string', operator, results.length ? JSON.stringify(results) : null, value);
  }
  if (kind === 'list') {
    const list = stored as unknown[];
    const values = Array.isArray(value) ? value : [value];
    const hit = values.some((v) => list.some((x) => String(x) === String(v)));
    return operator === 'contains' ? hit : !hit;
  }
  return matchScalar(kind, operator, stored, value);
}

/** True when a task passes the filters (items with a null value are skipped, as Label Studio does). */
export function matchesFilters(id: number, task: Json, filters: TaskFilters | null | undefined): boolean {
  if (!filters) return true;
  const active = filters.items.filter((item) => item.value !== null && item.value !== undefined);
  if (active.length === 0) return true;
  const test = (item: FilterItem) => matchItem(id, task, item);
  return filters.conjunction === 'or' ? active.some(test) : active.every(test);
}

/** True when a task passes the filters and the selection. */
export function matchesSelection(id: number, task: Json, selection: TaskSelection): boolean {
  const selected = selection.selectedItems;
  if (selected) {
    if (selected.all && selected.excluded.includes(id)) return false;
    if (!selected.all && !selected.included.includes(id)) return false;
  }
  return matchesFilters(id, task, selection.filters);
}

/** A sort key for an ordering item (`-tasks:total_annotations`): the column and its direction. */
export function orderingKey(
  ordering: readonly string[],
): { column: string; descending: boolean } | undefined {
  const first = ordering[0];
  if (!first) return undefined;
  return { column: first.replace(/^[-+]/, '').replace(/^tasks:/, ''), descending: first.startsWith('-') };
}

/** Compares two column values for ordering: numbers as numbers, the rest as text, empty values last. */
export function compareValues(a: unknown, b: unknown, descending: boolean): number {
  const ae = a === null || a === undefined;
  const be = b === null || b === undefined;
  if (ae || be) return ae === be ? 0 : ae ? 1 : -1;
  const an = typeof a === 'number' ? a : undefined;
  const bn = typeof b === 'number' ? b : undefined;
  const order =
    an !== undefined && bn !== undefined
      ? an - bn
      : String(typeof a === 'object' ? JSON.stringify(a) : a).localeCompare(
          String(typeof b === 'object' ? JSON.stringify(b) : b),
        );
  return descending ? -order : order;
}
