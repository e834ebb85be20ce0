// The PostgreSQL store on a throwaway cluster: migrations under concurrent starts, a
// newer schema refused, abandoned imports cleared, and the task stream's batches.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore, PG_SCHEMA_VERSION } from './store/postgres.js';
import { storedTestTask } from './test-helpers.js';
import { type PgCluster, startPgCluster } from './test-postgres.js';

let cluster: PgCluster;
beforeAll(async () => {
  cluster = await startPgCluster();
});
afterAll(async () => {
  await cluster?.stop();
});

const task = storedTestTask;

async function sql(url: string, text: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows;
  } finally {
    await client.end();
  }
}

describe('PostgreSQL store', () => {
  it('applies its migrations once when several instances start at the same moment', async () => {
    const url = await cluster.createDatabase();
    const stores = await Promise.all(Array.from({ length: 4 }, () => openPostgresStore(url)));
    for (const s of stores) await s.close();
    expect(await sql(url, 'SELECT version FROM lsconv_schema')).toEqual([{ version: PG_SCHEMA_VERSION }]);
  });

  it('names the database it cannot reach, without its password', async () => {
    const error = await openPostgresStore('postgres://lsconv:secret@127.0.0.1:1/none').catch((e: Error) => e);
    expect((error as Error).message).toMatch(
      /^the database postgres:\/\/lsconv:\*\*\*@127\.0\.0\.1:1\/none: .*ECONNREFUSED/,
    );
    expect((error as Error).message).not.toContain('secret');
  });

  it('refuses a database written by a newer lsconv-server', async () => {
    const url = await cluster.createDatabase();
    await (await openPostgresStore(url)).close();
    await sql(url, 'UPDATE lsconv_schema SET version = version + 1');
    await expect(openPostgresStore(url)).rejects.toThrow(/newer lsconv-server/);
  });

  it('keeps an import hidden until commit, and clears one whose instance stopped beating', async () => {
    const url = await cluster.createDatabase();
    const store = await openPostgresStore(url);
    const p = await store.createProject({ title: 'p', description: '', labelConfig: '' });
    const a = await store.beginImport(p.id);
    expect(await a.add([task(1), task(2)])).toEqual([1, 2]);
    expect(await store.countTasks(p.id, {})).toBe(0);
    expect(await a.commit()).toBe(2);
    const b = await store.beginImport(p.id);
    await b.add([task(3)]);
    // As if its instance had stopped beating an hour ago: the next instance to start clears it.
    await sql(url, "UPDATE imports SET heartbeat_at = now() - interval '1 hour'");
    const other = await openPostgresStore(url);
    expect(await sql(url, 'SELECT count(*)::int AS n FROM tasks')).toEqual([{ n: 2 }]);
    await expect(b.commit()).rejects.toThrow(/abandoned/);
    expect(await other.countTasks(p.id, { anyAnnotation: true })).toBe(1);
    await other.close();
    await store.close();
  });

  it('streams a query in id order, a batch at a time', async () => {
    const url = await cluster.createDatabase();
    const store = await openPostgresStore(url);
    try {
      const p = await store.createProject({ title: 'p', description: '', labelConfig: '' });
      const batch = await store.beginImport(p.id);
      await batch.add(Array.from({ length: 25 }, (_, i) => task(i + 1)));
      await batch.commit();
      const sizes: number[] = [];
      const ids: number[] = [];
      for await (const rows of store.streamTasks(p.id, { annotated: 'only' }, 5)) {
        sizes.push(rows.length);
        ids.push(...rows.map((r) => r.id));
      }
      expect(sizes).toEqual([5, 5, 2]);
      expect(ids).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24]);
      expect(await store.nextIds('annotation', 10)).toBe(1);
      await store.bumpIds('annotation', 2 ** 60);
      expect(await store.nextIds('annotation', 1)).toBe(2 ** 60 + 1);
    } finally {
      await store.close();
    }
  });
});
