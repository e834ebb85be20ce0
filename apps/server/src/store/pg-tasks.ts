// The PostgreSQL store's tasks: imports staged under a hidden project id (with a
// heartbeat, so a dead instance's import is cleared), filtered pages, summaries, id counters.
import { now } from './db.js';
import type { PgDb } from './pg-db.js';
import { addSummaryPage, SUMMARY_PAGE, streamPages, type TaskSummary } from './stream.js';
import { scanTest, taskColumns, taskWhere } from './tasks.js';
import type { ImportBatch, NewTask, Store, TaskQuery, TaskRow } from './types.js';

/** An import whose heartbeat is older than this is abandoned (its instance died) and cleared. */
export const STALE_IMPORT_SECONDS = 15 * 60;

type TaskMethods = Pick<
  Store,
  | 'beginImport'
  | 'nextIds'
  | 'bumpIds'
  | 'taskPage'
  | 'streamTasks'
  | 'countTasks'
  | 'taskSummary'
  | 'getTask'
  | 'updateTask'
  | 'deleteTask'
>;

/** Inserts tasks under a (hidden) project id; returns their ids in order. */
async function insertTasks(db: PgDb, projectId: number, tasks: readonly NewTask[]): Promise<number[]> {
  if (tasks.length === 0) return [];
  const ids = (
    await db.all("SELECT nextval('tasks_id_seq') AS id FROM generate_series(1, ?::int)", tasks.length)
  ).map((r) => r.id as number);
  const columns: unknown[][] = Array.from({ length: 8 }, () => []);
  for (const t of tasks) {
    const values = taskColumns(t);
    for (let i = 0; i < values.length; i++) columns[i]!.push(values[i]);
  }
  await db.run(
    `INSERT INTO tasks (id, project_id, json, has_annotations, has_skipped, has_completed, is_labeled, annotations, skipped, predictions)
     SELECT i, ?, j, a, s, c, l, n, k, p
     FROM unnest(?::bigint[], ?::text[], ?::smallint[], ?::smallint[], ?::smallint[], ?::smallint[], ?::int[], ?::int[], ?::int[])
       AS t(i, j, a, s, c, l, n, k, p)`,
    projectId,
    ids,
    ...columns,
  );
  return ids;
}

/** Removes imports whose instance stopped beating (and their hidden tasks). */
export async function clearStaleImports(db: PgDb): Promise<void> {
  const stale = await db.all(
    `DELETE FROM imports WHERE heartbeat_at < now() - make_interval(secs => ?) RETURNING id`,
    STALE_IMPORT_SECONDS,
  );
  for (const r of stale) await db.run('DELETE FROM tasks WHERE project_id = ?', -r.id);
}

function importBatch(db: PgDb, projectId: number, importId: number): ImportBatch {
  const hidden = -importId;
  let open = true;
  return {
    async add(tasks) {
      if (!open) throw new Error('import is closed');
      await db.run('UPDATE imports SET heartbeat_at = now() WHERE id = ?', importId);
      return insertTasks(db, hidden, tasks);
    },
    async commit() {
      open = false;
      return db.transaction(async (q) => {
        if ((await q('DELETE FROM imports WHERE id = ?', importId)).changes === 0)
          throw new Error('the import was abandoned (no heartbeat) and cleared');
        return (await q('UPDATE tasks SET project_id = ? WHERE project_id = ?', projectId, hidden)).changes;
      });
    },
    async rollback() {
      open = false;
      await db.run('DELETE FROM tasks WHERE project_id = ?', hidden);
      await db.run('DELETE FROM imports WHERE id = ?', importId);
    },
  };
}

const taskFrom = (r: Record<string, any>): TaskRow => ({ id: r.id, projectId: r.project_id, json: r.json });

/** The task methods of the PostgreSQL store. */
export function pgTaskStore(db: PgDb): TaskMethods {
  const methods: TaskMethods = {
    async beginImport(projectId) {
      const row = await db.get(
        'INSERT INTO imports (project_id, started_at) VALUES (?, ?) RETURNING id',
        projectId,
        now(),
      );
      return importBatch(db, projectId, row!.id as number);
    },
    async nextIds(kind, count) {
      const row = await db.get(
        `INSERT INTO id_counters (kind, next) VALUES (?, 1 + ?::numeric)
         ON CONFLICT (kind) DO UPDATE SET next = id_counters.next + ?::numeric RETURNING next - ?::numeric AS first`,
        kind,
        count,
        count,
        count,
      );
      return row!.first as number;
    },
    async bumpIds(kind, seen) {
      await db.run(
        `INSERT INTO id_counters (kind, next) VALUES (?, ?::numeric + 1)
         ON CONFLICT (kind) DO UPDATE SET next = greatest(id_counters.next, excluded.next)`,
        kind,
        seen,
      );
    },
    async taskPage(projectId, query, afterId, limit) {
      const where = taskWhere(query, 'postgres');
      const test = scanTest(query);
      const page = async (after: number) =>
        (
          await db.all(
            `SELECT id, project_id, json FROM tasks WHERE project_id = ? AND id > ?${where.sql} ORDER BY id LIMIT ?`,
            projectId,
            after,
            ...where.params,
            limit,
          )
        ).map(taskFrom);
      if (!test) return page(afterId);
      // Filters SQL cannot express: read on until the page is full or the tasks run out.
      const out: TaskRow[] = [];
      for (let after = afterId; out.length < limit; ) {
        const rows = await page(after);
        if (rows.length === 0) break;
        for (const row of rows) if (out.length < limit && test(row.id, row.json)) out.push(row);
        after = rows[rows.length - 1]!.id;
      }
      return out;
    },
    streamTasks: (projectId, query, batchSize) =>
      streamPages((after) => methods.taskPage(projectId, query, after, batchSize)),
    async countTasks(projectId, query) {
      if (scanTest(query)) {
        let n = 0;
        for await (const rows of methods.streamTasks(projectId, query, 1000)) n += rows.length;
        return n;
      }
      const where = taskWhere(query, 'postgres');
      const row = await db.get(
        `SELECT count(*) AS n FROM tasks WHERE project_id = ?${where.sql}`,
        projectId,
        ...where.params,
      );
      return row!.n as number;
    },
    taskSummary: (projectId, query) => summary(db, projectId, query),
    async getTask(id) {
      const r = await db.get('SELECT id, project_id, json FROM tasks WHERE id = ? AND project_id > 0', id);
      return r ? taskFrom(r) : undefined;
    },
    async updateTask(id, t) {
      await db.run(
        `UPDATE tasks SET json = ?, has_annotations = ?, has_skipped = ?, has_completed = ?, is_labeled = ?,
           annotations = ?, skipped = ?, predictions = ? WHERE id = ?`,
        ...taskColumns(t),
        id,
      );
    },
    async deleteTask(id) {
      return (await db.run('DELETE FROM tasks WHERE id = ? AND project_id > 0', id)).changes > 0;
    },
  };
  return methods;
}

/** The ids a query selects, with their annotation and prediction counts summed, a page at a time. */
async function summary(db: PgDb, projectId: number, query: TaskQuery): Promise<TaskSummary> {
  const where = taskWhere(query, 'postgres');
  const test = scanTest(query);
  const out: TaskSummary = { ids: [], annotations: 0, predictions: 0 };
  const columns = test ? 'id, json, annotations, predictions' : 'id, annotations, predictions';
  for (let after: number | undefined = 0; after !== undefined; ) {
    const rows = await db.all(
      `SELECT ${columns} FROM tasks WHERE project_id = ? AND id > ?${where.sql} ORDER BY id LIMIT ${SUMMARY_PAGE}`,
      projectId,
      after,
      ...where.params,
    );
    after = addSummaryPage(out, rows, test);
  }
  return out;
}
