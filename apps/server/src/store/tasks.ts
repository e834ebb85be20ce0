// Tasks: imports staged under a hidden project id, filtered pages, id counters.
import type { SQLInputValue } from 'node:sqlite';
import { matchesSelection } from '../dm-filters.js';
import { type Db, now } from './db.js';
import type { NewTask, SyncImportBatch, SyncStore, TaskQuery, TaskRow } from './types.js';

/** A task's column values: its JSON, then the facts filters need, in table order. */
export function taskColumns(t: NewTask): SQLInputValue[] {
  return [
    t.json,
    t.hasAnnotations ? 1 : 0,
    t.hasSkipped ? 1 : 0,
    t.hasCompleted ? 1 : 0,
    t.isLabeled ? 1 : 0,
    t.annotations,
    t.skipped,
    t.predictions,
  ];
}

/** Inserts tasks under a project id in one transaction; returns their ids. */
function insertTasks(db: Db, projectId: number, tasks: readonly NewTask[]): number[] {
  return db.transaction(() => {
    const ids: number[] = [];
    for (const t of tasks) {
      const info = db.run(
        `INSERT INTO tasks (project_id, json, has_annotations, has_skipped, has_completed, is_labeled, annotations, skipped, predictions)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        projectId,
        ...taskColumns(t),
      );
      ids.push(info.lastInsertRowid);
    }
    return ids;
  });
}

/** True when an annotation of the task carries a review (data exported from a reviewing edition). */
function hasReview(task: Record<string, any>): boolean {
  return (task.annotations ?? []).some(
    (a: Record<string, any>) => (Array.isArray(a.reviews) && a.reviews.length > 0) || a.reviewed === true,
  );
}

/** What SQL cannot decide (a view's filters, reviews), checked on the task JSON. */
export function scanTest(query: TaskQuery): ((id: number, json: string) => boolean) | undefined {
  const { selection, reviewed } = query;
  if (!selection && !reviewed) return undefined;
  return (id, json) => {
    const task = JSON.parse(json);
    if (reviewed && hasReview(task) !== (reviewed === 'only')) return false;
    return !selection || matchesSelection(id, task, selection);
  };
}

/** `id IN` a JSON list of ids given as one parameter, in each store's SQL. */
export const ID_LIST_SQL = {
  sqlite: 'SELECT value FROM json_each(?)',
  postgres: 'SELECT value::numeric FROM jsonb_array_elements_text(?::jsonb)',
} as const;

/** The SQL conditions (after `project_id = ?`) and parameters of a task query (`?` placeholders). */
export function taskWhere(
  query: TaskQuery,
  dialect: keyof typeof ID_LIST_SQL = 'sqlite',
): { sql: string; params: SQLInputValue[] } {
  const parts: string[] = [];
  const params: SQLInputValue[] = [];
  if (query.ids && query.ids.length > 0) {
    parts.push(`id IN (${ID_LIST_SQL[dialect]})`);
    params.push(JSON.stringify(query.ids));
  }
  if (query.anyAnnotation) parts.push('has_annotations = 1');
  if (query.skipped) parts.push(`has_skipped = ${query.skipped === 'only' ? 1 : 0}`);
  if (query.finished) parts.push(`is_labeled = ${query.finished === 'only' ? 1 : 0}`);
  if (query.annotated) parts.push(`has_completed = ${query.annotated === 'only' ? 1 : 0}`);
  return { sql: parts.map((p) => ` AND ${p}`).join(''), params };
}

/** The store methods this module implements. */
export type TaskMethods = Pick<SyncStore, 'beginImport' | 'nextIds' | 'bumpIds' | 'taskPage' | 'countTasks'>;

/** The task methods of a store. */
export function taskStore(db: Db): TaskMethods {
  const methods: TaskMethods = {
    beginImport(projectId) {
      const importId = db.run(
        'INSERT INTO imports (project_id, started_at) VALUES (?, ?)',
        projectId,
        now(),
      ).lastInsertRowid;
      const hidden = -importId;
      let open = true;
      return {
        add(tasks) {
          if (!open) throw new Error('import is closed');
          return insertTasks(db, hidden, tasks);
        },
        commit() {
          open = false;
          return db.transaction(() => {
            const moved = db.run(
              'UPDATE tasks SET project_id = ? WHERE project_id = ?',
              projectId,
              hidden,
            ).changes;
            db.run('DELETE FROM imports WHERE id = ?', importId);
            return moved;
          });
        },
        rollback() {
          open = false;
          db.run('DELETE FROM tasks WHERE project_id = ?', hidden);
          db.run('DELETE FROM imports WHERE id = ?', importId);
        },
      } satisfies SyncImportBatch;
    },
    nextIds(kind, count) {
      return db.transaction(() => {
        const first =
          (db.get('SELECT next FROM id_counters WHERE kind = ?', kind)?.next as number | undefined) ?? 1;
        db.run(
          'INSERT INTO id_counters (kind, next) VALUES (?, ?) ON CONFLICT(kind) DO UPDATE SET next = excluded.next',
          kind,
          first + count,
        );
        return first;
      });
    },
    bumpIds(kind, seen) {
      db.run(
        'INSERT INTO id_counters (kind, next) VALUES (?, ?) ON CONFLICT(kind) DO UPDATE SET next = max(next, excluded.next)',
        kind,
        seen + 1,
      );
    },
    taskPage(projectId, query, afterId, limit) {
      const where = taskWhere(query);
      const test = scanTest(query);
      const page = (after: number) =>
        db
          .all(
            `SELECT id, project_id, json FROM tasks WHERE project_id = ? AND id > ?${where.sql} ORDER BY id LIMIT ?`,
            projectId,
            after,
            ...where.params,
            limit,
          )
          .map((r): TaskRow => ({ id: r.id, projectId: r.project_id, json: r.json }));
      if (!test) return page(afterId);
      // Filters SQL cannot express: read on until the page is full or the tasks run out.
      const out: TaskRow[] = [];
      for (let after = afterId; out.length < limit; ) {
        const rows = page(after);
        if (rows.length === 0) break;
        for (const row of rows) if (out.length < limit && test(row.id, row.json)) out.push(row);
        after = rows[rows.length - 1]!.id;
      }
      return out;
    },
    countTasks(projectId, query) {
      if (scanTest(query)) {
        let n = 0;
        for (let after = 0; ; ) {
          const rows = methods.taskPage(projectId, query, after, 1000);
          n += rows.length;
          if (rows.length < 1000) return n;
          after = rows[rows.length - 1]!.id;
        }
      }
      const where = taskWhere(query);
      return db.get(
        `SELECT count(*) AS n FROM tasks WHERE project_id = ?${where.sql}`,
        projectId,
        ...where.params,
      )!.n as number;
    },
  };
  return methods;
}
