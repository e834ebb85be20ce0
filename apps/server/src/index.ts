export { exportCommand, runCli } from './cli.js';
export { deliverZip } from './deliver.js';
export { downloadName, exportStem, slugify } from './exporter.js';
export { HttpError, SERVER_VERSION } from './http.js';
export { type Job, JobQueue } from './jobs/queue.js';
export {
  createLsconvServer,
  defaultSnapshotTitle,
  type LsconvServer,
  type RouteEntry,
  type ServerOptions,
  type ServerTimeouts,
  snapshotPlan,
} from './server.js';
export {
  isPostgresUrl,
  openPostgresStore,
  PG_SCHEMA_VERSION,
  type PostgresStoreOptions,
} from './store/postgres.js';
export { openSqliteStore, SCHEMA_VERSION } from './store/sqlite.js';
export type * from './store/types.js';
export {
  type AnnotationFilter,
  normaliseImportedTask,
  type SerializeOptions,
  serialiseTask,
} from './tasks.js';
