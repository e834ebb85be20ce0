// What the API answers for a project and a snapshot (Label Studio's serializers),
// and the field checks its request bodies share.
import {
  type CompatMode,
  type FormatDefinition,
  isLsconvError,
  parseLabelConfig,
  resolveOptions,
} from '@lsconv/core';
import { datasetParams } from './dataset-params.js';
import { validationError } from './http.js';
import type { ProjectRow, SnapshotRow, Store } from './store/types.js';

const DEFAULT_USER = { id: 1, first_name: '', last_name: '', email: 'admin@lsconv.local', avatar: null };

/** A project with its counts. */
export async function projectJson(store: Store, p: ProjectRow) {
  const c = await store.projectCounts(p.id);
  return {
    id: p.id,
    title: p.title,
    description: p.description,
    label_config: p.labelConfig,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
    created_by: DEFAULT_USER,
    task_number: c.taskNumber,
    num_tasks_with_annotations: c.tasksWithAnnotations,
    total_annotations_number: c.totalAnnotations,
    skipped_annotations_number: c.skippedAnnotations,
    total_predictions_number: c.totalPredictions,
  };
}

/** A snapshot with its conversions. */
export async function snapshotJson(store: Store, s: SnapshotRow) {
  const conversions = await store.listConversions(s.id);
  return {
    title: s.title,
    id: s.id,
    created_by: DEFAULT_USER,
    created_at: s.createdAt,
    finished_at: s.finishedAt,
    status: s.status,
    md5: s.md5,
    counters: s.counters,
    converted_formats: conversions.map((c) => ({
      id: c.id,
      status: c.status,
      export_type: c.exportType,
      traceback: c.traceback,
      // lsconv: what the conversion read, wrote and skipped (and why), once it ran.
      ...(c.report ? { report: c.report } : {}),
    })),
  };
}

/** A labeling config that parses, else a 400 on `label_config`. */
export function validateConfig(xml: unknown): string {
  if (typeof xml !== 'string') throw validationError({ label_config: ['Not a valid string.'] });
  try {
    parseLabelConfig(xml, { file: 'label_config' });
  } catch (error) {
    throw validationError({ label_config: [isLsconvError(error) ? error.reason : String(error)] });
  }
  return xml;
}

/** An optional string field of at most `max` characters (DRF's CharField messages). */
export function stringField(body: Record<string, unknown>, key: string, max: number): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw validationError({ [key]: ['Not a valid string.'] });
  if (v.length > max)
    throw validationError({ [key]: [`Ensure this field has no more than ${max} characters.`] });
  return v;
}

/**
 * The format's own options picked from `source` by name, validated, and the dataset
 * options every format honours (`split`, `annotation`, `classMap`...) under `dataset`.
 */
export function formatOptionsFrom(
  format: FormatDefinition<any>,
  source: Record<string, unknown>,
): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const name of Object.keys(format.options)) if (source[name] !== undefined) picked[name] = source[name];
  try {
    resolveOptions(`format ${format.id}`, format.options, picked);
  } catch (error) {
    throw validationError({ options: [isLsconvError(error) ? error.reason : String(error)] });
  }
  const dataset = datasetParams(source);
  if (dataset) picked.dataset = dataset;
  return picked;
}

/** Task ids from `ids[]`/`ids` query values, each possibly comma-separated. */
export function parseIds(values: string[]): number[] {
  const ids: number[] = [];
  for (const v of values) {
    for (const part of v.split(',')) {
      if (part.trim() === '') continue;
      const n = Number(part);
      if (!Number.isSafeInteger(n)) throw validationError({ ids: [`"${part}" is not a valid task id.`] });
      ids.push(n);
    }
  }
  return ids;
}

/** The `compat` a request asks for: `python` (Label Studio's converter's output) or `default` (lsconv's). */
export function parseCompat(raw: unknown, fallback: CompatMode): CompatMode {
  if (raw === undefined || raw === null || raw === '') return fallback;
  if (raw === 'python' || raw === 'default') return raw;
  if (raw === 'lsconv') return 'default';
  throw validationError({ compat: [`"${String(raw)}" is not a valid choice (default, python).`] });
}
