// real-formats.test.ts (the server with the real formats) on PostgreSQL.
import { expectPostgresServers, usePostgresStore } from './test-postgres.js';

usePostgresStore();
await import('./real-formats.test.js');
expectPostgresServers();
