// Data Manager views as the API shows them, what a view selects, and tasks as the
// Data Manager lists them (`/api/tasks`).
import {
  columnValue,
  parseFilters,
  parseOrdering,
  parseSelectedItems,
  type TaskSelection,
} from './dm-filters.js';
import { validationError } from './http.js';
import type { TaskRow, ViewRow } from './store/types.js';

type Json = Record<string, any>;

/** A view in Label Studio's shape (`ViewSerializer`): filters and ordering inside `data`. */
export function viewJson(view: ViewRow): Json {
  return {
    id: view.id,
    filter_group: null,
    data: view.data,
    ordering: null,
    order: view.order,
    selected_items: view.data.selectedItems ?? null,
    user: 1,
    project: view.projectId,
  };
}

/**
 * A view's `data` checked (filters, ordering and selection the server can apply) and
 * normalised: `filters` always `{conjunction, items}` when given.
 */
export function checkViewData(raw: unknown): Json {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw validationError({ data: ['Invalid data. Expected a dictionary.'] });
  const data = { ...(raw as Json) };
  const filters = parseFilters(data.filters, 'data.filters');
  if (filters) data.filters = filters;
  if (data.ordering !== undefined) data.ordering = parseOrdering(data.ordering, 'data.ordering');
  if (data.selectedItems !== undefined)
    data.selectedItems = parseSelectedItems(data.selectedItems, 'data.selectedItems');
  return data;
}

/** What a view selects (its filters and selected items). */
export function viewSelection(view: ViewRow): TaskSelection {
  return {
    filters: parseFilters(view.data.filters, 'data.filters'),
    selectedItems: parseSelectedItems(view.data.selectedItems, 'data.selectedItems'),
  };
}

/** A task as the Data Manager lists it (`fields=all`), or without annotations and predictions (`task_only`). */
export function dmTaskJson(row: TaskRow, withAnnotations: boolean): Json {
  const task = JSON.parse(row.json) as Json;
  const v = (column: string) => columnValue(row.id, task, column);
  const annotations: Json[] = task.annotations ?? [];
  const predictions: Json[] = task.predictions ?? [];
  const out: Json = {
    id: row.id,
    drafts: (task.drafts ?? []).map((d: Json) => ({ ...d, task: row.id })),
    annotators: v('annotators'),
    inner_id: v('inner_id'),
    cancelled_annotations: v('cancelled_annotations'),
    total_annotations: v('total_annotations'),
    total_predictions: v('total_predictions'),
    completed_at: v('completed_at'),
    annotations_results: JSON.stringify(v('annotations_results')),
    predictions_results: JSON.stringify(v('predictions_results')),
    predictions_score: v('predictions_score'),
    file_upload: task.file_upload ?? null,
    storage_filename: task.storage_filename ?? null,
    annotations_ids: (v('annotations_ids') as unknown[]).join(', '),
    predictions_model_versions: (v('predictions_model_versions') as unknown[]).join(', '),
    avg_lead_time: v('avg_lead_time'),
    draft_exists: v('draft_exists'),
    updated_by: [],
    data: task.data,
    meta: task.meta ?? {},
    created_at: task.created_at,
    updated_at: task.updated_at,
    is_labeled: v('is_labeled'),
    overlap: task.overlap ?? 1,
    comment_count: task.comment_count ?? 0,
    unresolved_comment_count: task.unresolved_comment_count ?? 0,
    last_comment_updated_at: task.last_comment_updated_at ?? null,
    project: row.projectId,
    comment_authors: task.comment_authors ?? [],
  };
  if (withAnnotations) {
    out.annotations = annotations.map((a) => ({ ...a, task: row.id, project: row.projectId }));
    out.predictions = predictions.map((p) => ({ ...p, task: row.id, project: row.projectId }));
  }
  return out;
}
