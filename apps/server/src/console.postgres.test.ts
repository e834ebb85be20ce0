// console.test.ts (`lsconv-server export` and `lsconv-server key`) on PostgreSQL.
import { expectPostgresServers, usePostgresStore } from './test-postgres.js';

usePostgresStore();
await import('./console.test.js');
expectPostgresServers();
