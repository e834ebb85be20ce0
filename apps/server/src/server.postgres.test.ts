// server.test.ts (the API: projects, imports, exports, snapshots, conversions) on PostgreSQL.
import { expectPostgresServers, usePostgresStore } from './test-postgres.js';

usePostgresStore();
await import('./server.test.js');
expectPostgresServers();
