import type { ReportData } from '@lsconv/core';
import type { TaskSelection } from '../dm-filters.js';

/** A project as the store keeps it. */
export interface ProjectRow {
  id: number;
  title: string;
  description: string;
  labelConfig: string;
  createdAt: string;
  updatedAt: string;
}

/** Counts the API shows for a project. */
export interface ProjectCounts {
  taskNumber: number;
  tasksWithAnnotations: number;
  totalAnnotations: number;
  skippedAnnotations: number;
  totalPredictions: number;
}

/** One stored task: the task JSON as imported (ids normalised), plus the facts filters need. */
export interface TaskRow {
  id: number;
  projectId: number;
  /** The task JSON text. */
  json: string;
}

/** What an import writes for one task (the store derives the filter facts from the task). */
export interface NewTask {
  json: string;
  /** Any annotation, skipped ones included. */
  hasAnnotations: boolean;
  /** At least one annotation with `was_cancelled`. */
  hasSkipped: boolean;
  /** At least one annotation that is not cancelled. */
  hasCompleted: boolean;
  /** Label Studio's `is_labeled`. */
  isLabeled: boolean;
  annotations: number;
  skipped: number;
  predictions: number;
}

/** A user seen in an import (`completed_by` objects), for expanding `completed_by`. */
export interface UserRow {
  id: number;
  email: string;
  first_name: string;
  last_name: string;
}

/** Job status, as Label Studio names it. */
export type JobStatus = 'created' | 'in_progress' | 'completed' | 'failed';

/** A snapshot ("export") row. */
export interface SnapshotRow {
  id: number;
  projectId: number;
  title: string;
  createdAt: string;
  finishedAt: string | null;
  status: JobStatus;
  md5: string;
  counters: Record<string, number>;
  /** The filter and serialization options it was created with (JSON). */
  options: SnapshotOptions;
  /** Stored file, relative to the data folder. */
  file: string | null;
  error: string | null;
}

/** What a snapshot was asked for. */
export interface SnapshotOptions {
  task_filter_options: Record<string, unknown> | null;
  annotation_filter_options: Record<string, unknown> | null;
  serialization_options: Record<string, unknown> | null;
  /** What `task_filter_options.view` selected when the snapshot was created (the view may be deleted since). */
  view_selection?: TaskSelection | null;
}

/** A conversion of a snapshot to another format. */
export interface ConversionRow {
  id: number;
  exportId: number;
  projectId: number;
  exportType: string;
  status: JobStatus;
  traceback: string | null;
  file: string | null;
  downloadResources: boolean;
  /** How it was asked for: the format's options and the compatibility mode (absent: the defaults). */
  plan?: { formatOptions?: Record<string, unknown>; compat?: 'default' | 'python' };
  /** The conversion's report (counts, every skip with its reason), once it ran. */
  report?: ReportData;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

/** A Data Manager view (a tab): its filters, ordering and selection live in `data`, as Label Studio keeps them. */
export interface ViewRow {
  id: number;
  projectId: number;
  data: Record<string, unknown>;
  order: number;
}

/** Which tasks a snapshot reads (Label Studio's task filters, already validated). */
export interface TaskQuery {
  ids?: readonly number[];
  /** Only tasks with any annotation (easy export without `download_all_tasks`). */
  anyAnnotation?: boolean;
  skipped?: 'only' | 'exclude';
  finished?: 'only' | 'exclude';
  annotated?: 'only' | 'exclude';
  /** Only tasks with at least one reviewed annotation (`only`), or none (`exclude`). */
  reviewed?: 'only' | 'exclude';
  /** A Data Manager view's filters and selected items (data, so it crosses into a job thread). */
  selection?: TaskSelection;
}

/**
 * The storage behind the server, asynchronous so that a network database fits behind it:
 * SQLite in the data folder (`sqlite.ts`, the embedded default) and PostgreSQL
 * (`postgres.ts`, shared by several server instances) implement it.
 */
export interface Store {
  /** `sqlite` or `postgres`. */
  readonly kind: 'sqlite' | 'postgres';
  /** A setting by key (the generated API key lives here). */
  getSetting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string): Promise<void>;
  deleteSetting(key: string): Promise<void>;

  createProject(p: { title: string; description: string; labelConfig: string }): Promise<ProjectRow>;
  getProject(id: number): Promise<ProjectRow | undefined>;
  listProjects(offset: number, limit: number): Promise<{ total: number; rows: ProjectRow[] }>;
  updateProject(
    id: number,
    patch: Partial<Pick<ProjectRow, 'title' | 'description' | 'labelConfig'>>,
  ): Promise<ProjectRow | undefined>;
  deleteProject(id: number): Promise<boolean>;
  projectCounts(id: number): Promise<ProjectCounts>;

  /** Starts an import: rows written with this handle stay invisible until `commit`. */
  beginImport(projectId: number): Promise<ImportBatch>;
  /** Ids for annotations, drafts and predictions that came without one. */
  nextIds(kind: 'annotation' | 'draft' | 'prediction', count: number): Promise<number>;
  /** Ensures ids handed out stay above ids seen in imports. */
  bumpIds(kind: 'annotation' | 'draft' | 'prediction', seen: number): Promise<void>;
  upsertUsers(users: readonly UserRow[]): Promise<void>;
  getUsers(ids: readonly number[]): Promise<Map<number, UserRow>>;

  /** Task rows in id order, a page at a time, after `afterId`. */
  taskPage(projectId: number, query: TaskQuery, afterId: number, limit: number): Promise<TaskRow[]>;
  /**
   * Every task a query selects, in id order, in batches of at most `batchSize`: an id
   * cursor over pages, so a project of millions of tasks is never held in memory.
   */
  streamTasks(projectId: number, query: TaskQuery, batchSize: number): AsyncIterable<TaskRow[]>;
  countTasks(projectId: number, query: TaskQuery): Promise<number>;
  /** Ids of the tasks a query selects, in id order, with their annotation and prediction counts summed. */
  taskSummary(
    projectId: number,
    query: TaskQuery,
  ): Promise<{ ids: number[]; annotations: number; predictions: number }>;
  getTask(id: number): Promise<TaskRow | undefined>;
  /** Replaces a task's JSON and the facts derived from it. */
  updateTask(id: number, task: NewTask): Promise<void>;
  deleteTask(id: number): Promise<boolean>;

  createView(v: { projectId: number; data: Record<string, unknown> }): Promise<ViewRow>;
  getView(id: number): Promise<ViewRow | undefined>;
  /** Views of a project (every project when undefined), in tab order. */
  listViews(projectId?: number): Promise<ViewRow[]>;
  updateView(id: number, data: Record<string, unknown>): Promise<ViewRow | undefined>;
  deleteView(id: number): Promise<boolean>;

  createSnapshot(s: { projectId: number; title: string; options: SnapshotOptions }): Promise<SnapshotRow>;
  getSnapshot(id: number): Promise<SnapshotRow | undefined>;
  listSnapshots(projectId: number, limit: number): Promise<SnapshotRow[]>;
  updateSnapshot(
    id: number,
    patch: Partial<Pick<SnapshotRow, 'status' | 'md5' | 'counters' | 'file' | 'finishedAt' | 'error'>>,
  ): Promise<void>;
  deleteSnapshot(id: number): Promise<void>;

  createConversion(c: {
    exportId: number;
    projectId: number;
    exportType: string;
    downloadResources: boolean;
    plan?: ConversionRow['plan'];
  }): Promise<ConversionRow>;
  getConversion(id: number): Promise<ConversionRow | undefined>;
  listConversions(exportId: number): Promise<ConversionRow[]>;
  updateConversion(
    id: number,
    patch: Partial<Pick<ConversionRow, 'status' | 'traceback' | 'file' | 'finishedAt' | 'report'>>,
  ): Promise<void>;

  /** Snapshots and conversions left `created`/`in_progress` by a stopped server. */
  unfinishedJobs(): Promise<{ snapshots: SnapshotRow[]; conversions: ConversionRow[] }>;

  /** Resolves when the database answers (the readiness check); rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Rows of one import, committed or rolled back together. */
export interface ImportBatch {
  /** Adds tasks; returns their ids, in order. */
  add(tasks: readonly NewTask[]): Promise<number[]>;
  commit(): Promise<number>;
  rollback(): Promise<void>;
}

/** A method's synchronous form: the value its promise resolves to, returned at once. */
type Synchronous<F> = F extends (...args: infer A) => Promise<infer R> ? (...args: A) => R : never;

/**
 * The SQLite store's own methods: those of {@link Store}, synchronous, as `node:sqlite`
 * is. `sqlite.ts` wraps them into the asynchronous interface the server uses.
 */
export type SyncStore = {
  [K in Exclude<keyof Store, 'kind' | 'beginImport' | 'streamTasks' | 'ping' | 'close'>]: Synchronous<
    Store[K]
  >;
} & {
  beginImport(projectId: number): SyncImportBatch;
  close(): void;
};

/** Rows of one SQLite import, committed or rolled back together. */
export type SyncImportBatch = { [K in keyof ImportBatch]: Synchronous<ImportBatch[K]> };
