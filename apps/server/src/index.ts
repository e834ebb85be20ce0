export {
  createLsconvServer,
  defaultSnapshotTitle,
  type LsconvServer,
  type ServerOptions,
  snapshotPlan,
} from './app.js';
export { exportCommand, runCli } from './cli.js';
export { downloadName, exportStem, slugify } from './exporter.js';
export { HttpError, SERVER_VERSION } from './http.js';
export { type Job, JobQueue } from './jobs.js';
export { openApiDocument } from './openapi.js';
export { openSqliteStore, SCHEMA_VERSION } from './store/sqlite.js';
export type * from './store/types.js';
export {
  type AnnotationFilter,
  normaliseImportedTask,
  type SerializeOptions,
  serialiseTask,
} from './tasks.js';
