// The store's schema: its migrations and how they are applied.
import type { Db } from './db.js';

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
  `
  CREATE TABLE views (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id INTEGER NOT NULL,
    data TEXT NOT NULL,
    sort_order INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX views_project ON views (project_id, sort_order, id);
  ALTER TABLE converted_formats ADD COLUMN report TEXT;
  -- How the conversion was asked for (format options, compatibility mode), so a rerun after a restart runs it the same way.
  ALTER TABLE converted_formats ADD COLUMN plan TEXT;
  `,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Applies the migrations a database has not run yet; refuses a schema newer than this code. */
export function migrate(db: Db): void {
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
