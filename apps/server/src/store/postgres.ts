// The PostgreSQL store: the same interface and rows as the SQLite one, over a connection
// pool, shared by every server instance pointed at the database. Tasks live in
// `pg-tasks.ts`; the schema and the connection in `pg-db.ts`.
import { now } from './db.js';
import {
  CONVERSION_COLUMNS,
  conversionFrom,
  type ExportKeys,
  SNAPSHOT_COLUMNS,
  snapshotFrom,
} from './exports.js';
import { migratePg, PgDb } from './pg-db.js';
import { clearStaleImports, pgTaskStore } from './pg-tasks.js';
import { redactUrl } from './pg-url.js';
import { COUNTS_SQL, countsFrom, projectFrom } from './projects.js';
import { ID_LIST_SQL } from './tasks.js';
import type { Store, UserRow } from './types.js';
import { viewFrom } from './views.js';

export { PG_SCHEMA_VERSION } from './pg-db.js';
export { isPostgresUrl, redactUrl } from './pg-url.js';

/** Options of {@link openPostgresStore}. */
export interface PostgresStoreOptions {
  /** Connections in the pool. Default 10. */
  maxConnections?: number;
  /** Apply migrations and clear abandoned imports (the server does; a job thread does not). Default true. */
  migrate?: boolean;
}

/**
 * Opens the PostgreSQL store at a connection URL (`postgres://user:pass@host:port/db`,
 * PG* environment variables fill what it leaves out): migrations applied under an
 * advisory lock, imports of instances that died cleared.
 */
export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const db = new PgDb(url, options.maxConnections ?? 10);
  try {
    if (options.migrate !== false) {
      await migratePg(db);
      await clearStaleImports(db);
    } else {
      await db.get('SELECT 1 AS ok');
    }
  } catch (error) {
    await db.close();
    throw new Error(`the database ${redactUrl(url)}: ${(error as Error)?.message ?? String(error)}`, {
      cause: error,
    });
  }
  return {
    kind: 'postgres',
    async getSetting(key) {
      return (await db.get('SELECT value FROM settings WHERE key = ?', key))?.value as string | undefined;
    },
    async setSetting(key, value) {
      await db.run(
        'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
        key,
        value,
      );
    },
    async deleteSetting(key) {
      await db.run('DELETE FROM settings WHERE key = ?', key);
    },
    ...projectMethods(db),
    ...pgTaskStore(db),
    ...userMethods(db),
    ...viewMethods(db),
    ...exportMethods(db),
    async ping() {
      await db.get('SELECT 1 AS ok');
    },
    close: () => db.close(),
  };
}

type Methods<K extends keyof Store> = Pick<Store, K>;

function projectMethods(
  db: PgDb,
): Methods<
  'createProject' | 'getProject' | 'listProjects' | 'updateProject' | 'deleteProject' | 'projectCounts'
> {
  const get = async (id: number) => {
    const row = await db.get('SELECT * FROM projects WHERE id = ?', id);
    return row ? projectFrom(row) : undefined;
  };
  return {
    async createProject(p) {
      const t = now();
      const row = await db.get(
        'INSERT INTO projects (title, description, label_config, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING *',
        p.title,
        p.description,
        p.labelConfig,
        t,
        t,
      );
      return projectFrom(row!);
    },
    getProject: get,
    async listProjects(offset, limit) {
      const total = (await db.get('SELECT count(*) AS n FROM projects'))!.n as number;
      const rows = await db.all('SELECT * FROM projects ORDER BY id DESC LIMIT ? OFFSET ?', limit, offset);
      return { total, rows: rows.map(projectFrom) };
    },
    async updateProject(id, patch) {
      const row = await db.get(
        `UPDATE projects SET title = coalesce(?, title), description = coalesce(?, description),
           label_config = coalesce(?, label_config), updated_at = ? WHERE id = ? RETURNING *`,
        patch.title ?? null,
        patch.description ?? null,
        patch.labelConfig ?? null,
        now(),
        id,
      );
      return row ? projectFrom(row) : undefined;
    },
    deleteProject(id) {
      return db.transaction(async (q) => {
        await q('DELETE FROM tasks WHERE project_id = ?', id);
        await q('DELETE FROM converted_formats WHERE project_id = ?', id);
        await q('DELETE FROM exports WHERE project_id = ?', id);
        await q('DELETE FROM views WHERE project_id = ?', id);
        return (await q('DELETE FROM projects WHERE id = ?', id)).changes > 0;
      });
    },
    async projectCounts(id) {
      return countsFrom((await db.get(COUNTS_SQL, id))!);
    },
  };
}

function userMethods(db: PgDb): Methods<'upsertUsers' | 'getUsers'> {
  return {
    async upsertUsers(users) {
      if (users.length === 0) return;
      // One row per id (the last wins, as one upsert after another would leave it).
      const byId = new Map(users.map((u) => [u.id, u]));
      const rows = [...byId.values()];
      await db.run(
        `INSERT INTO users (id, email, first_name, last_name)
         SELECT * FROM unnest(?::numeric[], ?::text[], ?::text[], ?::text[])
         ON CONFLICT (id) DO UPDATE SET email = excluded.email, first_name = excluded.first_name, last_name = excluded.last_name`,
        rows.map((u) => u.id),
        rows.map((u) => u.email),
        rows.map((u) => u.first_name),
        rows.map((u) => u.last_name),
      );
    },
    async getUsers(ids) {
      const out = new Map<number, UserRow>();
      if (ids.length === 0) return out;
      const rows = (await db.all(
        `SELECT id, email, first_name, last_name FROM users WHERE id IN (${ID_LIST_SQL.postgres}) ORDER BY id`,
        JSON.stringify(ids),
      )) as UserRow[];
      for (const r of rows) out.set(r.id, r);
      return out;
    },
  };
}

function viewMethods(
  db: PgDb,
): Methods<'createView' | 'getView' | 'listViews' | 'updateView' | 'deleteView'> {
  return {
    async createView(v) {
      const row = await db.get(
        `INSERT INTO views (project_id, data, sort_order)
         VALUES (?, ?, (SELECT coalesce(max(sort_order), -1) + 1 FROM views WHERE project_id = ?)) RETURNING *`,
        v.projectId,
        JSON.stringify(v.data),
        v.projectId,
      );
      return viewFrom(row!);
    },
    async getView(id) {
      const row = await db.get('SELECT * FROM views WHERE id = ?', id);
      return row ? viewFrom(row) : undefined;
    },
    async listViews(projectId) {
      const rows =
        projectId === undefined
          ? await db.all('SELECT * FROM views ORDER BY project_id, sort_order, id')
          : await db.all('SELECT * FROM views WHERE project_id = ? ORDER BY sort_order, id', projectId);
      return rows.map(viewFrom);
    },
    async updateView(id, data) {
      const row = await db.get(
        'UPDATE views SET data = ? WHERE id = ? RETURNING *',
        JSON.stringify(data),
        id,
      );
      return row ? viewFrom(row) : undefined;
    },
    async deleteView(id) {
      return (await db.run('DELETE FROM views WHERE id = ?', id)).changes > 0;
    },
  };
}

/** `SET` clauses and parameters of a patch; JSON-valued fields are written as text. */
function setClauses(
  patch: Record<string, unknown>,
  columns: Record<string, string>,
  json: readonly string[],
) {
  const sets: string[] = [];
  const params: unknown[] = [];
  for (const [key, value] of Object.entries(patch)) {
    sets.push(`${columns[key]} = ?`);
    params.push(json.includes(key) && value ? JSON.stringify(value) : value);
  }
  return { sets, params };
}

function exportMethods(db: PgDb): Methods<ExportKeys> {
  return {
    async createSnapshot(s) {
      const row = await db.get(
        'INSERT INTO exports (project_id, title, created_at, status, options) VALUES (?, ?, ?, ?, ?) RETURNING *',
        s.projectId,
        s.title,
        now(),
        'created',
        JSON.stringify(s.options),
      );
      return snapshotFrom(row!);
    },
    async getSnapshot(id) {
      const row = await db.get('SELECT * FROM exports WHERE id = ?', id);
      return row ? snapshotFrom(row) : undefined;
    },
    async listSnapshots(projectId, limit) {
      const rows = await db.all(
        'SELECT * FROM exports WHERE project_id = ? ORDER BY created_at DESC, id DESC LIMIT ?',
        projectId,
        limit,
      );
      return rows.map(snapshotFrom);
    },
    async updateSnapshot(id, patch) {
      const { sets, params } = setClauses(patch, SNAPSHOT_COLUMNS, ['counters']);
      if (sets.length) await db.run(`UPDATE exports SET ${sets.join(', ')} WHERE id = ?`, ...params, id);
    },
    async deleteSnapshot(id) {
      await db.transaction(async (q) => {
        await q('DELETE FROM converted_formats WHERE export_id = ?', id);
        await q('DELETE FROM exports WHERE id = ?', id);
      });
    },
    async createConversion(c) {
      const t = now();
      const row = await db.get(
        `INSERT INTO converted_formats (export_id, project_id, export_type, status, download_resources, created_at, updated_at, plan)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
        c.exportId,
        c.projectId,
        c.exportType,
        'created',
        c.downloadResources ? 1 : 0,
        t,
        t,
        c.plan ? JSON.stringify(c.plan) : null,
      );
      return conversionFrom(row!);
    },
    async getConversion(id) {
      const row = await db.get('SELECT * FROM converted_formats WHERE id = ?', id);
      return row ? conversionFrom(row) : undefined;
    },
    async listConversions(exportId) {
      const rows = await db.all('SELECT * FROM converted_formats WHERE export_id = ? ORDER BY id', exportId);
      return rows.map(conversionFrom);
    },
    async updateConversion(id, patch) {
      const { sets, params } = setClauses(patch, CONVERSION_COLUMNS, ['report']);
      await db.run(
        `UPDATE converted_formats SET ${['updated_at = ?', ...sets].join(', ')} WHERE id = ?`,
        now(),
        ...params,
        id,
      );
    },
    async unfinishedJobs() {
      const unfinished = `status IN ('created', 'in_progress') ORDER BY id`;
      return {
        snapshots: (await db.all(`SELECT * FROM exports WHERE ${unfinished}`)).map(snapshotFrom),
        conversions: (await db.all(`SELECT * FROM converted_formats WHERE ${unfinished}`)).map(
          conversionFrom,
        ),
      };
    },
  };
}
