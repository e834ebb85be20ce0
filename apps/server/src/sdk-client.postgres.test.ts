// sdk-client.test.ts (the server driven as Label Studio's SDK client drives Label Studio) on PostgreSQL.
import { expectPostgresServers, usePostgresStore } from './test-postgres.js';

usePostgresStore();
await import('./sdk-client.test.js');
expectPostgresServers();
