// view-filters.test.ts (Data Manager views, their filters and snapshots of them) on PostgreSQL.
import { expectPostgresServers, usePostgresStore } from './test-postgres.js';

usePostgresStore();
await import('./view-filters.test.js');
expectPostgresServers();
