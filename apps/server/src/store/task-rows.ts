// Single tasks (read, replace, delete) and the summary of a task query (its ids and counts).
import type { Db } from './db.js';
import { addSummaryPage, SUMMARY_PAGE, type TaskSummary } from './stream.js';
import { scanTest, taskColumns, taskWhere } from './tasks.js';
import type { SyncStore } from './types.js';

/** The store methods this module implements. */
export type TaskRowMethods = Pick<SyncStore, 'taskSummary' | 'getTask' | 'updateTask' | 'deleteTask'>;

/** Single-task methods of a store. */
export function taskRowStore(db: Db): TaskRowMethods {
  return {
    taskSummary(projectId, query) {
      const where = taskWhere(query);
      const test = scanTest(query);
      const summary: TaskSummary = { ids: [], annotations: 0, predictions: 0 };
      const columns = test ? 'id, json, annotations, predictions' : 'id, annotations, predictions';
      for (let after: number | undefined = 0; after !== undefined; ) {
        const rows = db.all(
          `SELECT ${columns} FROM tasks WHERE project_id = ? AND id > ?${where.sql} ORDER BY id LIMIT ${SUMMARY_PAGE}`,
          projectId,
          after,
          ...where.params,
        );
        after = addSummaryPage(summary, rows, test);
      }
      return summary;
    },
    getTask(id) {
      const r = db.get('SELECT id, project_id, json FROM tasks WHERE id = ? AND project_id > 0', id);
      return r ? { id: r.id, projectId: r.project_id, json: r.json } : undefined;
    },
    updateTask(id, t) {
      db.run(
        `UPDATE tasks SET json = ?, has_annotations = ?, has_skipped = ?, has_completed = ?, is_labeled = ?,
           annotations = ?, skipped = ?, predictions = ? WHERE id = ?`,
        ...taskColumns(t),
        id,
      );
    },
    deleteTask(id) {
      return db.run('DELETE FROM tasks WHERE id = ? AND project_id > 0', id).changes > 0;
    },
  };
}
