// routes.test.ts (every route answers and is documented) on PostgreSQL.
import { expectPostgresServers, usePostgresStore } from './test-postgres.js';

usePostgresStore();
await import('./routes.test.js');
expectPostgresServers();
