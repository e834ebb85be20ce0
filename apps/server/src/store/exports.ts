// Snapshots (Label Studio's exports) and their conversions, and the jobs left unfinished.
import type { SQLInputValue } from 'node:sqlite';
import { type Db, now, type Row } from './db.js';
import type { ConversionRow, JobStatus, SnapshotOptions, SnapshotRow, SyncStore } from './types.js';

export const snapshotFrom = (r: Row): SnapshotRow => ({
  id: r.id,
  projectId: r.project_id,
  title: r.title,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
  status: r.status as JobStatus,
  md5: r.md5,
  counters: JSON.parse(r.counters),
  options: JSON.parse(r.options) as SnapshotOptions,
  file: r.file,
  error: r.error,
});
export const conversionFrom = (r: Row): ConversionRow => ({
  id: r.id,
  exportId: r.export_id,
  projectId: r.project_id,
  exportType: r.export_type,
  status: r.status as JobStatus,
  traceback: r.traceback,
  file: r.file,
  downloadResources: r.download_resources === 1,
  ...(r.report ? { report: JSON.parse(r.report) } : {}),
  ...(r.plan ? { plan: JSON.parse(r.plan) } : {}),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  finishedAt: r.finished_at,
});

/** The names of the snapshot and conversion methods (both stores implement them). */
export type ExportKeys =
  | 'createSnapshot'
  | 'getSnapshot'
  | 'listSnapshots'
  | 'updateSnapshot'
  | 'deleteSnapshot'
  | 'createConversion'
  | 'getConversion'
  | 'listConversions'
  | 'updateConversion'
  | 'unfinishedJobs';

/** The store methods this module implements. */
export type ExportMethods = Pick<SyncStore, ExportKeys>;

/** Columns of the snapshot fields an update may set. */
export const SNAPSHOT_COLUMNS = {
  status: 'status',
  md5: 'md5',
  counters: 'counters',
  file: 'file',
  finishedAt: 'finished_at',
  error: 'error',
} as const;

/** Columns of the conversion fields an update may set. */
export const CONVERSION_COLUMNS = {
  status: 'status',
  traceback: 'traceback',
  file: 'file',
  finishedAt: 'finished_at',
  report: 'report',
} as const;

/** The snapshot and conversion methods of a store. */
export function exportStore(db: Db): ExportMethods {
  const exports: ExportMethods = {
    createSnapshot(s) {
      const info = db.run(
        'INSERT INTO exports (project_id, title, created_at, status, options) VALUES (?, ?, ?, ?, ?)',
        s.projectId,
        s.title,
        now(),
        'created',
        JSON.stringify(s.options),
      );
      return exports.getSnapshot(info.lastInsertRowid)!;
    },
    getSnapshot(id) {
      const row = db.get('SELECT * FROM exports WHERE id = ?', id);
      return row ? snapshotFrom(row) : undefined;
    },
    listSnapshots(projectId, limit) {
      return db
        .all(
          'SELECT * FROM exports WHERE project_id = ? ORDER BY created_at DESC, id DESC LIMIT ?',
          projectId,
          limit,
        )
        .map(snapshotFrom);
    },
    updateSnapshot(id, patch) {
      const sets: string[] = [];
      const params: SQLInputValue[] = [];
      const col = SNAPSHOT_COLUMNS;
      for (const [key, value] of Object.entries(patch)) {
        sets.push(`${col[key as keyof typeof col]} = ?`);
        params.push(key === 'counters' ? JSON.stringify(value) : (value as SQLInputValue));
      }
      if (sets.length) db.run(`UPDATE exports SET ${sets.join(', ')} WHERE id = ?`, ...params, id);
    },
    deleteSnapshot(id) {
      db.transaction(() => {
        db.run('DELETE FROM converted_formats WHERE export_id = ?', id);
        db.run('DELETE FROM exports WHERE id = ?', id);
      });
    },
    createConversion(c) {
      const t = now();
      const info = db.run(
        'INSERT INTO converted_formats (export_id, project_id, export_type, status, download_resources, created_at, updated_at, plan) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        c.exportId,
        c.projectId,
        c.exportType,
        'created',
        c.downloadResources ? 1 : 0,
        t,
        t,
        c.plan ? JSON.stringify(c.plan) : null,
      );
      return exports.getConversion(info.lastInsertRowid)!;
    },
    getConversion(id) {
      const row = db.get('SELECT * FROM converted_formats WHERE id = ?', id);
      return row ? conversionFrom(row) : undefined;
    },
    listConversions(exportId) {
      return db
        .all('SELECT * FROM converted_formats WHERE export_id = ? ORDER BY id', exportId)
        .map(conversionFrom);
    },
    updateConversion(id, patch) {
      const sets: string[] = ['updated_at = ?'];
      const params: SQLInputValue[] = [now()];
      const col = CONVERSION_COLUMNS;
      for (const [key, value] of Object.entries(patch)) {
        sets.push(`${col[key as keyof typeof col]} = ?`);
        params.push((key === 'report' && value ? JSON.stringify(value) : value) as SQLInputValue);
      }
      db.run(`UPDATE converted_formats SET ${sets.join(', ')} WHERE id = ?`, ...params, id);
    },
    unfinishedJobs() {
      return {
        snapshots: db
          .all(`SELECT * FROM exports WHERE status IN ('created', 'in_progress') ORDER BY id`)
          .map(snapshotFrom),
        conversions: db
          .all(`SELECT * FROM converted_formats WHERE status IN ('created', 'in_progress') ORDER BY id`)
          .map(conversionFrom),
      };
    },
  };
  return exports;
}
