import type { NewTask, Store, UserRow } from './store/types.js';

type Json = Record<string, any>;

/**
 * Ids handed out in blocks, so an import does not write a counter per annotation.
 * `reserve` fetches blocks ahead (the store is asynchronous), `take` hands them out.
 */
export class IdAllocator {
  /** Reserved ranges, `[next, end)` each, in order. */
  private readonly ranges: [number, number][] = [];
  private maxSeen = 0;

  constructor(
    private readonly store: Store,
    private readonly kind: 'annotation' | 'draft' | 'prediction',
  ) {}

  /** Makes sure at least `count` fresh ids are ready for `take`. */
  async reserve(count: number): Promise<void> {
    let ready = this.ranges.reduce((n, [next, end]) => n + end - next, 0);
    while (ready < count) {
      const first = await this.store.nextIds(this.kind, 1000);
      this.ranges.push([first, first + 1000]);
      ready += 1000;
    }
  }

  /** The id to keep (a positive integer given in the import) or a fresh one (reserved before). */
  take(given: unknown): number {
    if (typeof given === 'number' && Number.isSafeInteger(given) && given > 0) {
      if (given > this.maxSeen) this.maxSeen = given;
      return given;
    }
    const range = this.ranges[0];
    if (!range) throw new Error(`no ${this.kind} id reserved`);
    const id = range[0]++;
    if (range[0] >= range[1]) this.ranges.shift();
    return id;
  }

  /** Records the largest id seen so later fresh ids do not reuse it. */
  async finish(): Promise<void> {
    if (this.maxSeen > 0) await this.store.bumpIds(this.kind, this.maxSeen);
  }
}

/** The id allocators of one import. */
export interface ImportIds {
  annotation: IdAllocator;
  draft: IdAllocator;
  prediction: IdAllocator;
}

/** Reserves the fresh ids one imported value may need (an upper bound: one per item). */
export async function reserveIds(value: unknown, ids: ImportIds): Promise<void> {
  if (typeof value !== 'object' || value === null) return;
  const v = value as Json;
  const task = typeof v.data === 'object' && v.data !== null && !Array.isArray(v.data) ? v : {};
  const count = (list: unknown) => (Array.isArray(list) ? list.length : 0);
  await ids.annotation.reserve(count(Array.isArray(task.annotations) ? task.annotations : task.completions));
  await ids.prediction.reserve(count(task.predictions));
  await ids.draft.reserve(count(task.drafts));
}

/** What normalising one imported task yields. */
export interface NormalisedTask {
  row: NewTask;
  users: UserRow[];
  annotationCount: number;
  predictionCount: number;
}

/**
 * Turns one imported value into the stored task: a bare data object becomes
 * `{data: …}` (as Label Studio's import does), the task id is dropped (the store
 * assigns one), annotations, predictions and drafts keep their content and get ids
 * when they have none, and `completed_by` objects are remembered as users.
 */
export function normaliseImportedTask(
  value: unknown,
  ids: ImportIds,
  index: number,
  innerId: number,
): NormalisedTask {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ImportError(
      `task #${index} is ${Array.isArray(value) ? 'a list' : typeof value}, not an object`,
    );
  }
  const source = value as Json;
  const hasData = typeof source.data === 'object' && source.data !== null && !Array.isArray(source.data);
  const task: Json = hasData ? { ...source } : { data: source };
  delete task.id;
  task.inner_id = innerId;
  const importedAt = new Date().toISOString();
  if (typeof task.created_at !== 'string') task.created_at = importedAt;
  if (typeof task.updated_at !== 'string') task.updated_at = task.created_at;
  const users: UserRow[] = [];
  const rawAnnotations = Array.isArray(task.annotations)
    ? task.annotations
    : Array.isArray(task.completions)
      ? task.completions
      : [];
  delete task.completions;
  const annotations: Json[] = [];
  for (const raw of rawAnnotations) {
    if (typeof raw !== 'object' || raw === null) continue;
    // Label Studio's key order: id, completed_by, result, was_cancelled, ground_truth, then the rest.
    const id = ids.annotation.take((raw as Json).id);
    const a: Json = {
      id,
      completed_by: null,
      result: null,
      was_cancelled: false,
      ground_truth: false,
      ...raw,
    };
    a.id = id;
    const by = a.completed_by;
    if (typeof by === 'object' && by !== null && typeof by.id === 'number') {
      users.push({
        id: by.id,
        email: String(by.email ?? ''),
        first_name: String(by.first_name ?? ''),
        last_name: String(by.last_name ?? ''),
      });
      a.completed_by = by.id;
    } else if (typeof by !== 'number') {
      a.completed_by = 1;
    }
    if (!Array.isArray(a.result)) a.result = [];
    a.was_cancelled = a.was_cancelled === true || a.skipped === true;
    a.ground_truth = a.ground_truth === true;
    annotations.push(a);
  }
  task.annotations = annotations;
  task.predictions = (Array.isArray(task.predictions) ? task.predictions : [])
    .filter((p: unknown) => typeof p === 'object' && p !== null)
    .map((p: Json) => ({ ...p, id: ids.prediction.take(p.id) }));
  task.drafts = (Array.isArray(task.drafts) ? task.drafts : [])
    .filter((d: unknown) => typeof d === 'object' && d !== null)
    .map((d: Json) => ({ ...d, id: ids.draft.take(d.id) }));
  return {
    row: storedTask(task),
    users,
    annotationCount: annotations.length,
    predictionCount: task.predictions.length,
  };
}

/** The row the store keeps for a task: its JSON and the facts filters need (`is_labeled` when given, else derived). */
export function storedTask(task: Json): NewTask {
  const annotations: Json[] = Array.isArray(task.annotations) ? task.annotations : [];
  const skipped = annotations.filter((a) => a.was_cancelled).length;
  const completed = annotations.length - skipped;
  return {
    json: JSON.stringify(task),
    hasAnnotations: annotations.length > 0,
    hasSkipped: skipped > 0,
    hasCompleted: completed > 0,
    isLabeled: typeof task.is_labeled === 'boolean' ? task.is_labeled : completed > 0,
    annotations: completed,
    skipped,
    predictions: Array.isArray(task.predictions) ? task.predictions.length : 0,
  };
}

/** An import value that is not a task. */
export class ImportError extends Error {
  override readonly name = 'ImportError';
}

/** Label Studio's annotation filter (§3.2): the OR of the enabled kinds. */
export interface AnnotationFilter {
  usual: boolean;
  ground_truth: boolean;
  skipped: boolean;
}

/** How stored tasks become exported tasks. */
export interface SerializeOptions {
  expandDrafts: boolean;
  expandPredictions: boolean;
  expandCompletedBy: boolean;
  omitHistory: boolean;
  /** Undefined: every annotation. */
  annotationFilter?: AnnotationFilter;
  /** Drop tasks left without annotations after filtering. */
  onlyWithAnnotations: boolean;
}

const TASK_KEYS = [
  'id',
  'annotations',
  'file_upload',
  'drafts',
  'predictions',
  'data',
  'meta',
  'created_at',
  'updated_at',
  'inner_id',
  'total_annotations',
  'cancelled_annotations',
  'total_predictions',
  'comment_count',
  'unresolved_comment_count',
  'last_comment_updated_at',
  'project',
  'updated_by',
  'comment_authors',
] as const;

/**
 * Serialises one stored task the way Label Studio's `ExportDataSerializer` does,
 * key order included. Returns undefined when `onlyWithAnnotations` drops it.
 */
export function serialiseTask(
  id: number,
  projectId: number,
  stored: Json,
  options: SerializeOptions,
  users: ReadonlyMap<number, UserRow>,
): Json | undefined {
  const filter = options.annotationFilter;
  const all: Json[] = Array.isArray(stored.annotations) ? stored.annotations : [];
  const kept = filter
    ? all.filter(
        (a) =>
          (filter.usual && !a.was_cancelled && !a.ground_truth) ||
          (filter.ground_truth && a.ground_truth) ||
          (filter.skipped && a.was_cancelled),
      )
    : all;
  if (options.onlyWithAnnotations && kept.length === 0) return undefined;
  const annotations = kept.map((a) => {
    const out: Json = { ...a, task: id, project: projectId };
    if (options.expandCompletedBy) {
      const user = users.get(a.completed_by);
      out.completed_by = {
        id: a.completed_by,
        email: user?.email ?? '',
        first_name: user?.first_name ?? '',
        last_name: user?.last_name ?? '',
      };
    }
    if (options.omitHistory) delete out.history;
    return out;
  });
  const drafts: Json[] = Array.isArray(stored.drafts) ? stored.drafts : [];
  const predictions: Json[] = Array.isArray(stored.predictions) ? stored.predictions : [];
  const skipped = all.filter((a) => a.was_cancelled).length;
  const now = new Date().toISOString();
  const values: Json = {
    id,
    annotations,
    file_upload: stored.file_upload,
    drafts: options.expandDrafts ? drafts.map((d) => ({ ...d, task: id })) : drafts.map((d) => d.id),
    predictions: options.expandPredictions
      ? predictions.map((p) => ({ ...p, task: id }))
      : predictions.map((p) => p.id),
    data: stored.data,
    meta: stored.meta ?? {},
    created_at: stored.created_at ?? now,
    updated_at: stored.updated_at ?? stored.created_at ?? now,
    inner_id: stored.inner_id ?? id,
    total_annotations: all.length - skipped,
    cancelled_annotations: skipped,
    total_predictions: predictions.length,
    comment_count: stored.comment_count ?? 0,
    unresolved_comment_count: stored.unresolved_comment_count ?? 0,
    last_comment_updated_at: stored.last_comment_updated_at ?? null,
    project: projectId,
    updated_by: stored.updated_by ?? null,
    comment_authors: stored.comment_authors ?? [],
  };
  const out: Json = {};
  for (const key of TASK_KEYS) {
    // Label Studio omits file_upload for tasks that were not uploaded from a file.
    if (key === 'file_upload' && values.file_upload === undefined) continue;
    out[key] = values[key];
  }
  for (const [key, value] of Object.entries(stored)) {
    if (!(key in out) && key !== 'is_labeled' && key !== 'overlap') out[key] = value;
  }
  return out;
}

/** Easy export (§3.4): drafts expanded, predictions and `completed_by` as ids, every annotation. */
export const EASY_EXPORT_SERIALIZATION: SerializeOptions = {
  expandDrafts: true,
  expandPredictions: false,
  expandCompletedBy: false,
  omitHistory: false,
  onlyWithAnnotations: false,
};
