import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type {
  ConversionRow,
  ImportBatch,
  JobStatus,
  NewTask,
  ProjectCounts,
  ProjectRow,
  SnapshotOptions,
  SnapshotRow,
  Store,
  TaskQuery,
  TaskRow,
  UserRow,
} from './types.js';

/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many ran.
 * Append only: never edit a migration that has shipped.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE projects (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    label_config TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  -- project_id is negative (minus the import id) while an import is running, so
  -- half-imported tasks are never visible and a crash leaves nothing half-done.
  CREATE TABLE tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id INTEGER NOT NULL,
    json TEXT NOT NULL,
    has_annotations INTEGER NOT NULL,
    has_skipped INTEGER NOT NULL,
    has_completed INTEGER NOT NULL,
    is_labeled INTEGER NOT NULL,
    annotations INTEGER NOT NULL,
    skipped INTEGER NOT NULL,
    predictions INTEGER NOT NULL
  );
  -- Covering index: counts and filters never read the task JSON.
  CREATE INDEX tasks_project ON tasks (project_id, id, has_annotations, has_skipped, has_completed, is_labeled, annotations, skipped, predictions);
  CREATE TABLE imports (id INTEGER PRIMARY KEY AUTOINCREMENT, project_id INTEGER NOT NULL, started_at TEXT NOT NULL);
  CREATE TABLE id_counters (kind TEXT PRIMARY KEY, next INTEGER NOT NULL);
  CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, first_name TEXT NOT NULL, last_name TEXT NOT NULL);
  CREATE TABLE exports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id INTEGER NOT NULL,
    title TEXT NOT NULL,
    created_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    md5 TEXT NOT NULL DEFAULT '',
    counters TEXT NOT NULL DEFAULT '{}',
    options TEXT NOT NULL,
    file TEXT,
    error TEXT
  );
  CREATE INDEX exports_project ON exports (project_id, created_at);
  CREATE TABLE converted_formats (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    export_id INTEGER NOT NULL,
    project_id INTEGER NOT NULL,
    export_type TEXT NOT NULL,
    status TEXT NOT NULL,
    traceback TEXT,
    file TEXT,
    download_resources INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    finished_at TEXT
  );
  CREATE INDEX converted_export ON converted_formats (export_id);
  `,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

const now = () => new Date().toISOString();

/**
 * Opens (creating when needed) the SQLite store in a data folder: `lsconv.db`,
 * WAL journal, migrations applied. Tasks of unfinished imports are removed unless
 * `recover` is false (a console command running beside a live server).
 */
export function openSqliteStore(dataDir: string, options: { recover?: boolean } = {}): Store {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, 'lsconv.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  if (options.recover !== false) {
    db.prepare('DELETE FROM tasks WHERE project_id < 0').run();
    db.prepare('DELETE FROM imports').run();
  }

  const projectFrom = (r: any): ProjectRow => ({
    id: r.id,
    title: r.title,
    description: r.description,
    labelConfig: r.label_config,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  });
  const snapshotFrom = (r: any): SnapshotRow => ({
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
  const conversionFrom = (r: any): ConversionRow => ({
    id: r.id,
    exportId: r.export_id,
    projectId: r.project_id,
    exportType: r.export_type,
    status: r.status as JobStatus,
    traceback: r.traceback,
    file: r.file,
    downloadResources: r.download_resources === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    finishedAt: r.finished_at,
  });

  const insertTask = db.prepare(
    `INSERT INTO tasks (project_id, json, has_annotations, has_skipped, has_completed, is_labeled, annotations, skipped, predictions)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertTasks = db.transaction((projectId: number, tasks: readonly NewTask[]) => {
    for (const t of tasks) {
      insertTask.run(
        projectId,
        t.json,
        t.hasAnnotations ? 1 : 0,
        t.hasSkipped ? 1 : 0,
        t.hasCompleted ? 1 : 0,
        t.isLabeled ? 1 : 0,
        t.annotations,
        t.skipped,
        t.predictions,
      );
    }
  });

  const taskWhere = (query: TaskQuery): { sql: string; params: unknown[] } => {
    const parts: string[] = [];
    const params: unknown[] = [];
    if (query.ids && query.ids.length > 0) {
      parts.push(`id IN (SELECT value FROM json_each(?))`);
      params.push(JSON.stringify(query.ids));
    }
    if (query.anyAnnotation) parts.push('has_annotations = 1');
    if (query.skipped) parts.push(`has_skipped = ${query.skipped === 'only' ? 1 : 0}`);
    if (query.finished) parts.push(`is_labeled = ${query.finished === 'only' ? 1 : 0}`);
    if (query.annotated) parts.push(`has_completed = ${query.annotated === 'only' ? 1 : 0}`);
    return { sql: parts.map((p) => ` AND ${p}`).join(''), params };
  };

  const store: Store = {
    getSetting(key) {
      const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as
        | { value: string }
        | undefined;
      return row?.value;
    },
    setSetting(key, value) {
      db.prepare(
        'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      ).run(key, value);
    },
    createProject(p) {
      const t = now();
      const info = db
        .prepare(
          'INSERT INTO projects (title, description, label_config, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
        )
        .run(p.title, p.description, p.labelConfig, t, t);
      return store.getProject(Number(info.lastInsertRowid))!;
    },
    getProject(id) {
      const row = db.prepare('SELECT * FROM projects WHERE id = ?').get(id);
      return row ? projectFrom(row) : undefined;
    },
    listProjects(offset, limit) {
      const total = (db.prepare('SELECT count(*) AS n FROM projects').get() as { n: number }).n;
      const rows = db
        .prepare('SELECT * FROM projects ORDER BY id DESC LIMIT ? OFFSET ?')
        .all(limit, offset)
        .map(projectFrom);
      return { total, rows };
    },
    updateProject(id, patch) {
      const current = store.getProject(id);
      if (!current) return undefined;
      db.prepare(
        'UPDATE projects SET title = ?, description = ?, label_config = ?, updated_at = ? WHERE id = ?',
      ).run(
        patch.title ?? current.title,
        patch.description ?? current.description,
        patch.labelConfig ?? current.labelConfig,
        now(),
        id,
      );
      return store.getProject(id);
    },
    deleteProject(id) {
      return db.transaction(() => {
        db.prepare('DELETE FROM tasks WHERE project_id = ?').run(id);
        db.prepare('DELETE FROM converted_formats WHERE project_id = ?').run(id);
        db.prepare('DELETE FROM exports WHERE project_id = ?').run(id);
        return db.prepare('DELETE FROM projects WHERE id = ?').run(id).changes > 0;
      })();
    },
    projectCounts(id): ProjectCounts {
      const r = db
        .prepare(
          `SELECT count(*) AS n, coalesce(sum(has_annotations), 0) AS withAnn, coalesce(sum(annotations), 0) AS ann,
                  coalesce(sum(skipped), 0) AS skipped, coalesce(sum(predictions), 0) AS preds
           FROM tasks WHERE project_id = ?`,
        )
        .get(id) as { n: number; withAnn: number; ann: number; skipped: number; preds: number };
      return {
        taskNumber: r.n,
        tasksWithAnnotations: r.withAnn,
        totalAnnotations: r.ann,
        skippedAnnotations: r.skipped,
        totalPredictions: r.preds,
      };
    },
    beginImport(projectId) {
      const importId = Number(
        db.prepare('INSERT INTO imports (project_id, started_at) VALUES (?, ?)').run(projectId, now())
          .lastInsertRowid,
      );
      const hidden = -importId;
      let open = true;
      return {
        add(tasks) {
          if (!open) throw new Error('import is closed');
          insertTasks(hidden, tasks);
        },
        commit() {
          open = false;
          return db.transaction(() => {
            const moved = db
              .prepare('UPDATE tasks SET project_id = ? WHERE project_id = ?')
              .run(projectId, hidden).changes;
            db.prepare('DELETE FROM imports WHERE id = ?').run(importId);
            return moved;
          })();
        },
        rollback() {
          open = false;
          db.prepare('DELETE FROM tasks WHERE project_id = ?').run(hidden);
          db.prepare('DELETE FROM imports WHERE id = ?').run(importId);
        },
      } satisfies ImportBatch;
    },
    nextIds(kind, count) {
      return db.transaction(() => {
        const row = db.prepare('SELECT next FROM id_counters WHERE kind = ?').get(kind) as
          | { next: number }
          | undefined;
        const first = row?.next ?? 1;
        db.prepare(
          'INSERT INTO id_counters (kind, next) VALUES (?, ?) ON CONFLICT(kind) DO UPDATE SET next = excluded.next',
        ).run(kind, first + count);
        return first;
      })();
    },
    bumpIds(kind, seen) {
      db.prepare(
        'INSERT INTO id_counters (kind, next) VALUES (?, ?) ON CONFLICT(kind) DO UPDATE SET next = max(next, excluded.next)',
      ).run(kind, seen + 1);
    },
    upsertUsers(users) {
      const stmt = db.prepare(
        `INSERT INTO users (id, email, first_name, last_name) VALUES (?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET email = excluded.email, first_name = excluded.first_name, last_name = excluded.last_name`,
      );
      db.transaction(() => {
        for (const u of users) stmt.run(u.id, u.email, u.first_name, u.last_name);
      })();
    },
    getUsers(ids) {
      const out = new Map<number, UserRow>();
      if (ids.length === 0) return out;
      const rows = db
        .prepare('SELECT * FROM users WHERE id IN (SELECT value FROM json_each(?))')
        .all(JSON.stringify(ids)) as UserRow[];
      for (const r of rows) out.set(r.id, r);
      return out;
    },
    taskPage(projectId, query, afterId, limit) {
      const where = taskWhere(query);
      const rows = db
        .prepare(
          `SELECT id, project_id, json FROM tasks WHERE project_id = ? AND id > ?${where.sql} ORDER BY id LIMIT ?`,
        )
        .all(projectId, afterId, ...where.params, limit) as {
        id: number;
        project_id: number;
        json: string;
      }[];
      return rows.map((r): TaskRow => ({ id: r.id, projectId: r.project_id, json: r.json }));
    },
    countTasks(projectId, query) {
      const where = taskWhere(query);
      return (
        db
          .prepare(`SELECT count(*) AS n FROM tasks WHERE project_id = ?${where.sql}`)
          .get(projectId, ...where.params) as { n: number }
      ).n;
    },
    createSnapshot(s) {
      const info = db
        .prepare(
          'INSERT INTO exports (project_id, title, created_at, status, options) VALUES (?, ?, ?, ?, ?)',
        )
        .run(s.projectId, s.title, now(), 'created', JSON.stringify(s.options));
      return store.getSnapshot(Number(info.lastInsertRowid))!;
    },
    getSnapshot(id) {
      const row = db.prepare('SELECT * FROM exports WHERE id = ?').get(id);
      return row ? snapshotFrom(row) : undefined;
    },
    listSnapshots(projectId, limit) {
      return db
        .prepare('SELECT * FROM exports WHERE project_id = ? ORDER BY created_at DESC, id DESC LIMIT ?')
        .all(projectId, limit)
        .map(snapshotFrom);
    },
    updateSnapshot(id, patch) {
      const sets: string[] = [];
      const params: unknown[] = [];
      const col = {
        status: 'status',
        md5: 'md5',
        counters: 'counters',
        file: 'file',
        finishedAt: 'finished_at',
        error: 'error',
      } as const;
      for (const [key, value] of Object.entries(patch)) {
        sets.push(`${col[key as keyof typeof col]} = ?`);
        params.push(key === 'counters' ? JSON.stringify(value) : value);
      }
      if (sets.length) db.prepare(`UPDATE exports SET ${sets.join(', ')} WHERE id = ?`).run(...params, id);
    },
    deleteSnapshot(id) {
      db.transaction(() => {
        db.prepare('DELETE FROM converted_formats WHERE export_id = ?').run(id);
        db.prepare('DELETE FROM exports WHERE id = ?').run(id);
      })();
    },
    createConversion(c) {
      const t = now();
      const info = db
        .prepare(
          'INSERT INTO converted_formats (export_id, project_id, export_type, status, download_resources, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(c.exportId, c.projectId, c.exportType, 'created', c.downloadResources ? 1 : 0, t, t);
      return store.getConversion(Number(info.lastInsertRowid))!;
    },
    getConversion(id) {
      const row = db.prepare('SELECT * FROM converted_formats WHERE id = ?').get(id);
      return row ? conversionFrom(row) : undefined;
    },
    listConversions(exportId) {
      return db
        .prepare('SELECT * FROM converted_formats WHERE export_id = ? ORDER BY id')
        .all(exportId)
        .map(conversionFrom);
    },
    updateConversion(id, patch) {
      const sets: string[] = ['updated_at = ?'];
      const params: unknown[] = [now()];
      const col = {
        status: 'status',
        traceback: 'traceback',
        file: 'file',
        finishedAt: 'finished_at',
      } as const;
      for (const [key, value] of Object.entries(patch)) {
        sets.push(`${col[key as keyof typeof col]} = ?`);
        params.push(value);
      }
      db.prepare(`UPDATE converted_formats SET ${sets.join(', ')} WHERE id = ?`).run(...params, id);
    },
    unfinishedJobs() {
      return {
        snapshots: db
          .prepare(`SELECT * FROM exports WHERE status IN ('created', 'in_progress') ORDER BY id`)
          .all()
          .map(snapshotFrom),
        conversions: db
          .prepare(`SELECT * FROM converted_formats WHERE status IN ('created', 'in_progress') ORDER BY id`)
          .all()
          .map(conversionFrom),
      };
    },
    close() {
      if (db.open) db.close();
    },
  };
  return store;
}

function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `lsconv-server: the data folder was written by a newer lsconv-server (schema ${current}, this one knows ${MIGRATIONS.length}); upgrade lsconv-server`,
    );
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
