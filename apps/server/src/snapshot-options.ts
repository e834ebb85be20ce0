// A snapshot's options as Label Studio takes them (`task_filter_options`,
// `annotation_filter_options`, `serialization_options`), validated with DRF's messages,
// and what they mean for the store query and the serialisation.
import { parseBool, validationError } from './http.js';
import type { SnapshotOptions, TaskQuery } from './store/types.js';
import type { AnnotationFilter, SerializeOptions } from './tasks.js';

const CHOICE = ['only', 'exclude'] as const;

type Errors = Record<string, any>;

/** Validates the options of a snapshot POST body; throws a 400 with every field error. */
export function parseSnapshotOptions(body: Record<string, unknown>): SnapshotOptions {
  const errors: Errors = {};
  const objectOrNull = (key: string): Record<string, unknown> | null => {
    const v = body[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'object' || Array.isArray(v)) {
      errors[key] = {
        non_field_errors: [
          `Invalid data. Expected a dictionary, but got ${Array.isArray(v) ? 'list' : typeof v}.`,
        ],
      };
      return null;
    }
    return v as Record<string, unknown>;
  };
  const parts = {
    task_filter_options: taskFilter(objectOrNull('task_filter_options')),
    annotation_filter_options: annotationFilter(objectOrNull('annotation_filter_options')),
    serialization_options: serialization(objectOrNull('serialization_options')),
  };
  for (const [key, part] of Object.entries(parts))
    if (Object.keys(part.errors).length) errors[key] = part.errors;
  if (Object.keys(errors).length) throw validationError(errors);
  return {
    task_filter_options: parts.task_filter_options.value,
    annotation_filter_options: parts.annotation_filter_options.value,
    serialization_options: parts.serialization_options.value,
  };
}

interface Part {
  value: Record<string, unknown> | null;
  errors: Errors;
}

function taskFilter(tfo: Record<string, unknown> | null): Part {
  const e: Record<string, string[]> = {};
  if (!tfo) return { value: null, errors: e };
  const value: Record<string, unknown> = {
    view: null,
    skipped: null,
    finished: null,
    annotated: null,
    only_with_annotations: false,
  };
  if (tfo.reviewed !== undefined && tfo.reviewed !== null) {
    if (!CHOICE.includes(tfo.reviewed as never))
      e.reviewed = [`"${String(tfo.reviewed)}" is not a valid choice.`];
    else value.reviewed = tfo.reviewed;
  }
  if (tfo.view !== undefined && tfo.view !== null) {
    if (!Number.isInteger(Number(tfo.view))) e.view = ['A valid integer is required.'];
    else value.view = Number(tfo.view);
  }
  for (const key of ['skipped', 'finished', 'annotated']) {
    const v = tfo[key];
    if (v === undefined || v === null) continue;
    if (!CHOICE.includes(v as never)) e[key] = [`"${String(v)}" is not a valid choice.`];
    else value[key] = v;
  }
  try {
    value.only_with_annotations = parseBool('only_with_annotations', tfo.only_with_annotations, false);
  } catch {
    e.only_with_annotations = ['Must be a valid boolean.'];
  }
  return { value, errors: e };
}

function annotationFilter(afo: Record<string, unknown> | null): Part {
  const e: Record<string, string[]> = {};
  if (!afo) return { value: null, errors: e };
  const value: Record<string, unknown> = {};
  for (const [key, fallback] of [
    ['usual', true],
    ['ground_truth', null],
    ['skipped', null],
  ] as const) {
    const v = afo[key];
    if (v === undefined) value[key] = fallback;
    else if (v === null) value[key] = null;
    else {
      try {
        value[key] = parseBool(key, v, false);
      } catch {
        e[key] = ['Must be a valid boolean.'];
      }
    }
  }
  return { value, errors: e };
}

function serialization(so: Record<string, unknown> | null): Part {
  const e: Errors = {};
  if (!so) return { value: null, errors: e };
  const value: Record<string, unknown> = {};
  for (const key of ['drafts', 'predictions', 'annotations__completed_by']) {
    const v = so[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'object' || Array.isArray(v)) {
      e[key] = { non_field_errors: ['Invalid data. Expected a dictionary.'] };
      continue;
    }
    try {
      value[key] = { only_id: parseBool('only_id', (v as Record<string, unknown>).only_id, false) };
    } catch {
      e[key] = { only_id: ['Must be a valid boolean.'] };
    }
  }
  for (const key of ['include_annotation_history', 'interpolate_key_frames']) {
    try {
      value[key] = parseBool(key, so[key], false);
    } catch {
      e[key] = ['Must be a valid boolean.'];
    }
  }
  return { value, errors: e };
}

/**
 * What a snapshot reads and how it writes it, from its options (Label Studio's
 * `_get_filtered_tasks`, `_get_filtered_annotations_queryset`, `_get_export_serializer_option`).
 */
export function snapshotPlan(options: SnapshotOptions): { query: TaskQuery; serialize: SerializeOptions } {
  const tfo = options.task_filter_options;
  const query: TaskQuery = {};
  if (tfo) {
    // `view` (a Data Manager tab): its filters and selected items, resolved when the snapshot was created.
    if (options.view_selection) query.selection = options.view_selection;
    if (tfo.reviewed === 'only' || tfo.reviewed === 'exclude') query.reviewed = tfo.reviewed;
    if (tfo.skipped === 'only' || tfo.skipped === 'exclude') query.skipped = tfo.skipped;
    if (tfo.finished === 'only' || tfo.finished === 'exclude') query.finished = tfo.finished;
    if (tfo.annotated === 'only' || tfo.annotated === 'exclude') query.annotated = tfo.annotated;
  }
  let annotationFilter: AnnotationFilter | undefined;
  const afo = options.annotation_filter_options;
  if (afo) {
    const filter = {
      usual: afo.usual === true,
      ground_truth: afo.ground_truth === true,
      skipped: afo.skipped === true,
    };
    if (filter.usual || filter.ground_truth || filter.skipped) annotationFilter = filter;
  }
  const so = options.serialization_options;
  const expanded = (key: string) => {
    const v = so?.[key] as { only_id?: boolean } | undefined;
    return !!v && typeof v === 'object' && !v.only_id;
  };
  return {
    query,
    serialize: {
      expandDrafts: expanded('drafts'),
      expandPredictions: expanded('predictions'),
      expandCompletedBy: expanded('annotations__completed_by'),
      omitHistory: !!so && so.include_annotation_history !== true,
      ...(annotationFilter ? { annotationFilter } : {}),
      onlyWithAnnotations: tfo?.only_with_annotations === true,
    },
  };
}

/** `My-Project-at-2024-05-15-12-09` (UTC), Label Studio's default snapshot title. */
export function defaultSnapshotTitle(projectTitle: string, at = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${projectTitle.replace(/ /g, '-')}-at-${at.getUTCFullYear()}-${p(at.getUTCMonth() + 1)}-${p(at.getUTCDate())}-${p(at.getUTCHours())}-${p(at.getUTCMinutes())}`;
}
