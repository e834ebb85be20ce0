// The SQLite store: one data folder, one `lsconv.db`; each role's methods live in
// their own module (schema, projects, tasks, users, exports) over one shared `Db`.
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { Db } from './db.js';
import { exportStore } from './exports.js';
import { loadNodeSqlite } from './node-sqlite.js';
import { projectStore } from './projects.js';
import { migrate } from './schema.js';
import { streamPages } from './stream.js';
import { taskRowStore } from './task-rows.js';
import { taskStore } from './tasks.js';
import type { Store, SyncStore } from './types.js';
import { userStore } from './users.js';
import { viewStore } from './views.js';

export { SCHEMA_VERSION } from './schema.js';

/**
 * Opens (creating when needed) the SQLite store in a data folder: `lsconv.db`,
 * WAL journal, migrations applied. Tasks of unfinished imports are removed unless
 * `recover` is false (a console command running beside a live server).
 */
export function openSqliteStore(dataDir: string, options: { recover?: boolean } = {}): Store {
  return asyncStore(openSyncStore(dataDir, options));
}

/** The SQLite store's synchronous methods over one `node:sqlite` connection. */
function openSyncStore(dataDir: string, options: { recover?: boolean }): SyncStore {
  // The store holds the API key's digest, users and every task: readable by its owner only.
  // A folder created here is private; an existing one keeps the modes its owner gave it.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, 'lsconv.db');
  // Created owner-only before SQLite opens it; its -wal and -shm files take the same mode.
  closeSync(openSync(file, 'a', 0o600));
  const { DatabaseSync } = loadNodeSqlite();
  const db = new Db(new DatabaseSync(file));
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
  return {
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
    deleteSetting(key) {
      db.run('DELETE FROM settings WHERE key = ?', key);
    },
    ...projectStore(db),
    ...taskStore(db),
    ...taskRowStore(db),
    ...userStore(db),
    ...exportStore(db),
    ...viewStore(db),
    close() {
      db.close();
    },
  };
}

/**
 * The asynchronous face of the SQLite store. Each call runs its statement at once (as
 * the synchronous store did) and returns a settled promise, so SQLite's behaviour,
 * transactions included, is what it was.
 */
function asyncStore(sync: SyncStore): Store {
  const methods: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(sync)) {
    methods[name] = async (...args: unknown[]) => (fn as (...a: unknown[]) => unknown)(...args);
  }
  const store = methods as unknown as Store;
  return Object.assign(store, {
    kind: 'sqlite' as const,
    async beginImport(projectId: number) {
      const batch = sync.beginImport(projectId);
      return {
        add: async (tasks: Parameters<typeof batch.add>[0]) => batch.add(tasks),
        commit: async () => batch.commit(),
        rollback: async () => batch.rollback(),
      };
    },
    streamTasks: (projectId: number, query: Parameters<Store['streamTasks']>[1], batchSize: number) =>
      streamPages((after) => store.taskPage(projectId, query, after, batchSize)),
    async ping() {
      sync.getSetting('');
    },
  });
}
