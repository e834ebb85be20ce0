import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseSync, SQLInputValue, SQLOutputValue, StatementSync } from 'node:sqlite';
import { loadNodeSqlite } from './node-sqlite.js';
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

type Row = Record<string, any>;

/**
 * A row as a plain object. Statements read SQLite integers as BigInts (node:sqlite
 * throws on an integer beyond 2^53 otherwise, as a user id or an id counter can be);
 * they become numbers here, rounded beyond 2^53, as better-sqlite3 returned them.
 */
function plain(row: Record<string, SQLOutputValue>): Row {
  const out: Row = {};
  for (const key in row) {
    const value = row[key];
    out[key] = typeof value === 'bigint' ? Number(value) : value;
  }
  return out;
}

/** The SQLite database of a store: cached statements, plain rows, transactions. */
class Db {
  private readonly statements = new Map<string, StatementSync>();
  private depth = 0;
  open = true;

  constructor(readonly db: DatabaseSync) {}

  private statement(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      statement.setReadBigInts(true);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  get(sql: string, ...params: SQLInputValue[]): Row | undefined {
    const row = this.statement(sql).get(...params);
    return row ? plain(row) : undefined;
  }

  all(sql: string, ...params: SQLInputValue[]): Row[] {
    return this.statement(sql)
      .all(...params)
      .map(plain);
  }

  run(sql: string, ...params: SQLInputValue[]): { changes: number; lastInsertRowid: number } {
    const info = this.statement(sql).run(...params);
    return { changes: Number(info.changes), lastInsertRowid: Number(info.lastInsertRowid) };
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  /**
   * Runs `fn` in a transaction: committed when it returns, rolled back when it throws.
   * `BEGIN IMMEDIATE` takes the write lock at the start (every transaction here writes),
   * so a concurrent writer (a console command beside the server) waits for
   * `busy_timeout` instead of failing on the upgrade; a nested call is a savepoint.
   */
  transaction<T>(fn: () => T): T {
    const savepoint = this.depth > 0 ? `lsconv_${this.depth}` : undefined;
    this.db.exec(savepoint ? `SAVEPOINT ${savepoint}` : 'BEGIN IMMEDIATE');
    this.depth++;
    let result: T;
    try {
      result = fn();
    } catch (error) {
      this.depth--;
      try {
        this.db.exec(savepoint ? `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}` : 'ROLLBACK');
      } catch {
        // SQLite already rolled the transaction back (after some errors it does)
      }
      throw error;
    }
    this.depth--;
    this.db.exec(savepoint ? `RELEASE ${savepoint}` : 'COMMIT');
    return result;
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.statements.clear();
    this.db.close();
  }
}

/**
 * Opens (creating when needed) the SQLite store in a data folder: `lsconv.db`,
 * WAL journal, migrations applied. Tasks of unfinished imports are removed unless
 * `recover` is false (a console command running beside a live server).
 */
export function openSqliteStore(dataDir: string, options: { recover?: boolean } = {}): Store {
  mkdirSync(dataDir, { recursive: true });
  const { DatabaseSync } = loadNodeSqlite();
  const db = new Db(new DatabaseSync(join(dataDir, 'lsconv.db')));
  try {
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('PRAGMA foreign_keys = ON');
    db.exec('PRAGMA busy_timeout = 5000');
    migrate(db);
    if (options.recover !== false) {
      db.run('DELETE FROM tasks WHERE project_id < 0');
      db.run('DELETE FROM imports');
    }
  } catch (error) {
    db.close();
    throw error;
  }

  const projectFrom = (r: Row): ProjectRow => ({
    id: r.id,
    title: r.title,
    description: r.description,
    labelConfig: r.label_config,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  });
  const snapshotFrom = (r: Row): SnapshotRow => ({
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
  const conversionFrom = (r: Row): ConversionRow => ({
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

  const insertTasks = (projectId: number, tasks: readonly NewTask[]) =>
    db.transaction(() => {
      for (const t of tasks) {
        db.run(
          `INSERT INTO tasks (project_id, json, has_annotations, has_skipped, has_completed, is_labeled, annotations, skipped, predictions)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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

  const taskWhere = (query: TaskQuery): { sql: string; params: SQLInputValue[] } => {
    const parts: string[] = [];
    const params: SQLInputValue[] = [];
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
      return db.get('SELECT value FROM settings WHERE key = ?', key)?.value as string | undefined;
    },
    setSetting(key, value) {
      db.run(
        'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
        key,
        value,
      );
    },
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
      return store.getProject(info.lastInsertRowid)!;
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
      const current = store.getProject(id);
      if (!current) return undefined;
      db.run(
        'UPDATE projects SET title = ?, description = ?, label_config = ?, updated_at = ? WHERE id = ?',
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
        db.run('DELETE FROM tasks WHERE project_id = ?', id);
        db.run('DELETE FROM converted_formats WHERE project_id = ?', id);
        db.run('DELETE FROM exports WHERE project_id = ?', id);
        return db.run('DELETE FROM projects WHERE id = ?', id).changes > 0;
      });
    },
    projectCounts(id): ProjectCounts {
      const r = db.get(
        `SELECT count(*) AS n, coalesce(sum(has_annotations), 0) AS withAnn, coalesce(sum(annotations), 0) AS ann,
                coalesce(sum(skipped), 0) AS skipped, coalesce(sum(predictions), 0) AS preds
         FROM tasks WHERE project_id = ?`,
        id,
      )!;
      return {
        taskNumber: r.n,
        tasksWithAnnotations: r.withAnn,
        totalAnnotations: r.ann,
        skippedAnnotations: r.skipped,
        totalPredictions: r.preds,
      };
    },
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
          insertTasks(hidden, tasks);
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
      } satisfies ImportBatch;
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
    upsertUsers(users) {
      db.transaction(() => {
        for (const u of users) {
          db.run(
            `INSERT INTO users (id, email, first_name, last_name) VALUES (?, ?, ?, ?)
             ON CONFLICT(id) DO UPDATE SET email = excluded.email, first_name = excluded.first_name, last_name = excluded.last_name`,
            u.id,
            u.email,
            u.first_name,
            u.last_name,
          );
        }
      });
    },
    getUsers(ids) {
      const out = new Map<number, UserRow>();
      if (ids.length === 0) return out;
      const rows = db.all(
        'SELECT id, email, first_name, last_name FROM users WHERE id IN (SELECT value FROM json_each(?))',
        JSON.stringify(ids),
      ) as UserRow[];
      for (const r of rows) out.set(r.id, r);
      return out;
    },
    taskPage(projectId, query, afterId, limit) {
      const where = taskWhere(query);
      return db
        .all(
          `SELECT id, project_id, json FROM tasks WHERE project_id = ? AND id > ?${where.sql} ORDER BY id LIMIT ?`,
          projectId,
          afterId,
          ...where.params,
          limit,
        )
        .map((r): TaskRow => ({ id: r.id, projectId: r.project_id, json: r.json }));
    },
    countTasks(projectId, query) {
      const where = taskWhere(query);
      return db.get(
        `SELECT count(*) AS n FROM tasks WHERE project_id = ?${where.sql}`,
        projectId,
        ...where.params,
      )!.n as number;
    },
    createSnapshot(s) {
      const info = db.run(
        'INSERT INTO exports (project_id, title, created_at, status, options) VALUES (?, ?, ?, ?, ?)',
        s.projectId,
        s.title,
        now(),
        'created',
        JSON.stringify(s.options),
      );
      return store.getSnapshot(info.lastInsertRowid)!;
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
        'INSERT INTO converted_formats (export_id, project_id, export_type, status, download_resources, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        c.exportId,
        c.projectId,
        c.exportType,
        'created',
        c.downloadResources ? 1 : 0,
        t,
        t,
      );
      return store.getConversion(info.lastInsertRowid)!;
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
      const col = {
        status: 'status',
        traceback: 'traceback',
        file: 'file',
        finishedAt: 'finished_at',
      } as const;
      for (const [key, value] of Object.entries(patch)) {
        sets.push(`${col[key as keyof typeof col]} = ?`);
        params.push(value as SQLInputValue);
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
    close() {
      db.close();
    },
  };
  return store;
}

function migrate(db: Db): void {
  const current = db.get('PRAGMA user_version')!.user_version as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `lsconv-server: the data folder was written by a newer lsconv-server (schema ${current}, this one knows ${MIGRATIONS.length}); upgrade lsconv-server`,
    );
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.exec(`PRAGMA user_version = ${v + 1}`);
    });
  }
}
