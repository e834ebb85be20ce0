// filters.test.ts (task filters of snapshots and exports) on PostgreSQL.
import { expectPostgresServers, usePostgresStore } from './test-postgres.js';

usePostgresStore();
await import('./filters.test.js');
expectPostgresServers();
