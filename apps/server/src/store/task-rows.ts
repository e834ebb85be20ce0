// Single tasks (read, replace, delete) and the summary of a task query (its ids and counts).
import type { Db } from './db.js';
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
      const ids: number[] = [];
      let annotations = 0;
      let predictions = 0;
      const columns = test ? 'id, json, annotations, predictions' : 'id, annotations, predictions';
      for (let after = 0; ; ) {
        const rows = db.all(
          `SELECT ${columns} FROM tasks WHERE project_id = ? AND id > ?${where.sql} ORDER BY id LIMIT 1000`,
          projectId,
          after,
          ...where.params,
        );
        for (const r of rows) {
          if (test && !test(r.id, r.json)) continue;
          ids.push(r.id);
          annotations += r.annotations;
          predictions += r.predictions;
        }
        if (rows.length < 1000) return { ids, annotations, predictions };
        after = rows[rows.length - 1]!.id;
      }
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
