// Projects: their rows, counts and deletion with everything they hold.
import { type Db, now, type Row } from './db.js';
import type { ProjectCounts, ProjectRow, SyncStore } from './types.js';

export const projectFrom = (r: Row): ProjectRow => ({
  id: r.id,
  title: r.title,
  description: r.description,
  labelConfig: r.label_config,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** The names of the project methods (both stores implement them). */
export type ProjectKeys =
  | 'createProject'
  | 'getProject'
  | 'listProjects'
  | 'updateProject'
  | 'deleteProject'
  | 'projectCounts';

/** The store methods this module implements. */
export type ProjectMethods = Pick<SyncStore, ProjectKeys>;

/** A project's counts from the row of {@link COUNTS_SQL}. */
export const countsFrom = (r: Row): ProjectCounts => ({
  taskNumber: r.n,
  tasksWithAnnotations: r.withAnn,
  totalAnnotations: r.ann,
  skippedAnnotations: r.skipped,
  totalPredictions: r.preds,
});

/** A project's counts, in both stores' SQL (`?`: the project id). */
export const COUNTS_SQL = `SELECT count(*) AS n, coalesce(sum(has_annotations), 0) AS "withAnn", coalesce(sum(annotations), 0) AS ann,
         coalesce(sum(skipped), 0) AS skipped, coalesce(sum(predictions), 0) AS preds
  FROM tasks WHERE project_id = ?`;

/** The project methods of a store. */
export function projectStore(db: Db): ProjectMethods {
  const projects: ProjectMethods = {
    createProject(p) {
      const t = now();
      const info = db.run(
        'INSERT INTO projects (title, description, label_config, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
        p.title,
        p.description,
        p.labelConfig,
        t,
        t,
      );
      return projects.getProject(info.lastInsertRowid)!;
    },
    getProject(id) {
      const row = db.get('SELECT * FROM projects WHERE id = ?', id);
      return row ? projectFrom(row) : undefined;
    },
    listProjects(offset, limit) {
      const total = db.get('SELECT count(*) AS n FROM projects')!.n as number;
      const rows = db
        .all('SELECT * FROM projects ORDER BY id DESC LIMIT ? OFFSET ?', limit, offset)
        .map(projectFrom);
      return { total, rows };
    },
    updateProject(id, patch) {
      const current = projects.getProject(id);
      if (!current) return undefined;
      db.run(
        'UPDATE projects SET title = ?, description = ?, label_config = ?, updated_at = ? WHERE id = ?',
        patch.title ?? current.title,
        patch.description ?? current.description,
        patch.labelConfig ?? current.labelConfig,
        now(),
        id,
      );
      return projects.getProject(id);
    },
    deleteProject(id) {
      return db.transaction(() => {
        db.run('DELETE FROM tasks WHERE project_id = ?', id);
        db.run('DELETE FROM converted_formats WHERE project_id = ?', id);
        db.run('DELETE FROM exports WHERE project_id = ?', id);
        db.run('DELETE FROM views WHERE project_id = ?', id);
        return db.run('DELETE FROM projects WHERE id = ?', id).changes > 0;
      });
    },
    projectCounts(id): ProjectCounts {
      return countsFrom(db.get(COUNTS_SQL, id)!);
    },
  };
  return projects;
}
