// Data Manager views (tabs): a project's saved filters, ordering and selection.
import type { Db, Row } from './db.js';
import type { SyncStore, ViewRow } from './types.js';

export const viewFrom = (r: Row): ViewRow => ({
  id: r.id,
  projectId: r.project_id,
  data: JSON.parse(r.data),
  order: r.sort_order,
});

/** The store methods this module implements. */
export type ViewMethods = Pick<
  SyncStore,
  'createView' | 'getView' | 'listViews' | 'updateView' | 'deleteView'
>;

/** The view methods of a store. */
export function viewStore(db: Db): ViewMethods {
  const views: ViewMethods = {
    createView(v) {
      const order =
        (db.get('SELECT coalesce(max(sort_order), -1) + 1 AS n FROM views WHERE project_id = ?', v.projectId)
          ?.n as number) ?? 0;
      const info = db.run(
        'INSERT INTO views (project_id, data, sort_order) VALUES (?, ?, ?)',
        v.projectId,
        JSON.stringify(v.data),
        order,
      );
      return views.getView(info.lastInsertRowid)!;
    },
    getView(id) {
      const row = db.get('SELECT * FROM views WHERE id = ?', id);
      return row ? viewFrom(row) : undefined;
    },
    listViews(projectId) {
      const rows =
        projectId === undefined
          ? db.all('SELECT * FROM views ORDER BY project_id, sort_order, id')
          : db.all('SELECT * FROM views WHERE project_id = ? ORDER BY sort_order, id', projectId);
      return rows.map(viewFrom);
    },
    updateView(id, data) {
      if (db.run('UPDATE views SET data = ? WHERE id = ?', JSON.stringify(data), id).changes === 0)
        return undefined;
      return views.getView(id);
    },
    deleteView(id) {
      return db.run('DELETE FROM views WHERE id = ?', id).changes > 0;
    },
  };
  return views;
}
