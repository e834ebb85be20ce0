// abuse.test.ts (wrong tokens, malformed bodies, hostile names on every route) on PostgreSQL.
import { expectPostgresServers, usePostgresStore } from './test-postgres.js';

usePostgresStore();
await import('./abuse.test.js');
expectPostgresServers();
