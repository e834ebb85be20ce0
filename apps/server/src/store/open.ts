// Which store a server or command opens: PostgreSQL when given its URL, else SQLite in the data folder.
import { isPostgresUrl, redactUrl } from './pg-url.js';
import { openSqliteStore } from './sqlite.js';
import type { Store } from './types.js';

export { redactUrl };

/**
 * Opens the store: the PostgreSQL database `database` names, else SQLite in `dataDir`.
 * `recover: false` opens it beside a running server (a job thread, a console command):
 * no migration, no clearing of imports in progress.
 */
export async function openStore(
  database: string | undefined,
  dataDir: string,
  options: { recover?: boolean } = {},
): Promise<Store> {
  if (database === undefined || database === '') return openSqliteStore(dataDir, options);
  if (!isPostgresUrl(database)) {
    throw new Error(
      `the database must be a postgres:// (or postgresql://) URL, got ${JSON.stringify(redactUrl(database))}`,
    );
  }
  // The PostgreSQL client is loaded only when a database is named.
  const { openPostgresStore } = await import('./postgres.js');
  return openPostgresStore(database, options.recover === false ? { migrate: false, maxConnections: 2 } : {});
}
