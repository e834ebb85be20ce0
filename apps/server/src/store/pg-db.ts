// The PostgreSQL database of a store: a connection pool, plain rows, transactions, and
// the schema migrations (run under an advisory lock, so instances starting together
// apply each migration once).
import pg from 'pg';
import type { Row } from './db.js';

/** What a statement runs on: the pool, or the client of a transaction. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<{ rows: Row[]; rowCount: number | null }>;
}

/** 64-bit integers, counts and sums become numbers (rounded beyond 2^53, as the SQLite store reads them). */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
};

/** SQL written with `?` placeholders (as the SQLite store's) in PostgreSQL's `$1, $2…`. */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** The PostgreSQL database of a store. */
export class PgDb {
  readonly pool: pg.Pool;
  private closed = false;

  constructor(url: string, max: number) {
    this.pool = new pg.Pool({ connectionString: url, max, types, application_name: 'lsconv-server' });
    // An idle client losing its connection (a database restart) must not end the process.
    this.pool.on('error', () => undefined);
  }

  async all(sql: string, ...params: unknown[]): Promise<Row[]> {
    return (await this.pool.query(numbered(sql), params)).rows;
  }

  async get(sql: string, ...params: unknown[]): Promise<Row | undefined> {
    return (await this.all(sql, ...params))[0];
  }

  /** Runs a statement; `changes` is the number of rows it touched. */
  async run(sql: string, ...params: unknown[]): Promise<{ changes: number; rows: Row[] }> {
    const r = await this.pool.query(numbered(sql), params);
    return { changes: r.rowCount ?? 0, rows: r.rows };
  }

  /** Runs `fn` in a transaction on one client: committed when it resolves, rolled back when it throws. */
  async transaction<T>(fn: (q: TxQuery) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const q: TxQuery = async (sql, ...params) => {
        const r = await client.query(numbered(sql), params);
        return { changes: r.rowCount ?? 0, rows: r.rows };
      };
      const result = await fn(q);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

/** A statement inside a transaction. */
export type TxQuery = (sql: string, ...params: unknown[]) => Promise<{ changes: number; rows: Row[] }>;

/**
 * Schema migrations, applied in order; `lsconv_schema.version` records how many ran.
 * Append only: never edit a migration that has shipped. The tables mirror the SQLite
 * store's (JSON kept as text, flags as 0/1), so both stores answer the same rows.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE projects (
    id BIGSERIAL PRIMARY KEY,
    title TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    label_config TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  -- project_id is negative (minus the import id) while an import is running.
  CREATE TABLE tasks (
    id BIGSERIAL PRIMARY KEY,
    project_id BIGINT NOT NULL,
    json TEXT NOT NULL,
    has_annotations SMALLINT NOT NULL,
    has_skipped SMALLINT NOT NULL,
    has_completed SMALLINT NOT NULL,
    is_labeled SMALLINT NOT NULL,
    annotations INTEGER NOT NULL,
    skipped INTEGER NOT NULL,
    predictions INTEGER NOT NULL
  );
  CREATE INDEX tasks_project ON tasks (project_id, id)
    INCLUDE (has_annotations, has_skipped, has_completed, is_labeled, annotations, skipped, predictions);
  -- An import's heartbeat: an instance that died mid-import leaves one that goes stale.
  CREATE TABLE imports (
    id BIGSERIAL PRIMARY KEY,
    project_id BIGINT NOT NULL,
    started_at TEXT NOT NULL,
    heartbeat_at TIMESTAMPTZ NOT NULL DEFAULT now()
  );
  CREATE TABLE id_counters (kind TEXT PRIMARY KEY, next NUMERIC NOT NULL);
  CREATE TABLE users (id NUMERIC PRIMARY KEY, email TEXT NOT NULL, first_name TEXT NOT NULL, last_name TEXT NOT NULL);
  CREATE TABLE exports (
    id BIGSERIAL PRIMARY KEY,
    project_id BIGINT NOT NULL,
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
    id BIGSERIAL PRIMARY KEY,
    export_id BIGINT NOT NULL,
    project_id BIGINT NOT NULL,
    export_type TEXT NOT NULL,
    status TEXT NOT NULL,
    traceback TEXT,
    file TEXT,
    download_resources SMALLINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    finished_at TEXT,
    report TEXT,
    plan TEXT
  );
  CREATE INDEX converted_export ON converted_formats (export_id);
  CREATE TABLE views (
    id BIGSERIAL PRIMARY KEY,
    project_id BIGINT NOT NULL,
    data TEXT NOT NULL,
    sort_order INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX views_project ON views (project_id, sort_order, id);
  `,
];

/** The PostgreSQL schema version this code writes. */
export const PG_SCHEMA_VERSION = MIGRATIONS.length;

/** The advisory lock migrations take (any constant the database's other users do not take). */
const MIGRATION_LOCK = 0x6c73_636f; // "lsco"

/**
 * Applies the migrations the database has not run yet, in one transaction holding an
 * advisory lock: a second instance starting at the same moment waits, then finds them
 * applied. Refuses a schema newer than this code.
 */
export async function migratePg(db: PgDb): Promise<void> {
  await db.transaction(async (q) => {
    await q('SELECT pg_advisory_xact_lock(?)', MIGRATION_LOCK);
    await q('CREATE TABLE IF NOT EXISTS lsconv_schema (version INTEGER NOT NULL)');
    const row = (await q('SELECT version FROM lsconv_schema')).rows[0];
    const current = (row?.version as number | undefined) ?? 0;
    if (current > MIGRATIONS.length) {
      throw new Error(
        `lsconv-server: the database was written by a newer lsconv-server (schema ${current}, this one knows ${MIGRATIONS.length}); upgrade lsconv-server`,
      );
    }
    for (let v = current; v < MIGRATIONS.length; v++) await q(MIGRATIONS[v]!);
    if (!row) await q('INSERT INTO lsconv_schema (version) VALUES (?)', MIGRATIONS.length);
    else await q('UPDATE lsconv_schema SET version = ?', MIGRATIONS.length);
  });
}
