// The data folder of fixtures/store-better-sqlite3 was written by the store before it
// moved to node:sqlite (better-sqlite3). It must read back exactly as that store and
// server read it, and keep working.
import { chmodSync, cpSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore, SCHEMA_VERSION } from './store/sqlite.js';
import type { Store } from './store/types.js';
import { removeDir, startTestServer, waitForSnapshot } from './test-helpers.js';

const FIXTURE = resolve(import.meta.dirname, '../fixtures/store-better-sqlite3');
const expected = JSON.parse(readFileSync(join(FIXTURE, 'expected.json'), 'utf8')) as {
  store: unknown;
  http: Record<string, unknown>;
};
const { dumpStore, HTTP_PATHS } = (await import(pathToFileURL(join(FIXTURE, 'dump.mjs')).href)) as {
  dumpStore: (store: Store) => Promise<unknown>;
  HTTP_PATHS: string[];
};

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

/** A writable copy of the fixture's data folder (the checkout may be read-only). */
function copyFixture(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lsconv-store-fixture-'));
  dirs.push(dir);
  cpSync(join(FIXTURE, 'data'), dir, { recursive: true });
  const writable = (path: string) => {
    const isDir = statSync(path).isDirectory();
    chmodSync(path, isDir ? 0o755 : 0o644);
    if (isDir) for (const name of readdirSync(path)) writable(join(path, name));
  };
  writable(dir);
  return dir;
}

/** Reads the database of a data folder directly. */
function peek<T>(dir: string, read: (db: DatabaseSync) => T): T {
  const db = new DatabaseSync(join(dir, 'lsconv.db'), { readOnly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}
const count = (db: DatabaseSync, sql: string) => Number(db.prepare(sql).get()?.n);

describe('a data folder written by the better-sqlite3 store', () => {
  it('reads back every project, task, count, snapshot, conversion, user and setting as it was written', async () => {
    const dir = copyFixture();
    const before = peek(dir, (db) => ({
      version: Number(db.prepare('PRAGMA user_version').get()?.user_version),
      staged: count(db, 'SELECT count(*) AS n FROM tasks WHERE project_id < 0'),
      imports: count(db, 'SELECT count(*) AS n FROM imports'),
    }));
    // Written at schema 1 with an import left unfinished (a server stopped mid-import).
    expect(before).toEqual({ version: 1, staged: 1, imports: 1 });
    expect(before.version).toBeLessThanOrEqual(SCHEMA_VERSION);

    const store = openSqliteStore(dir);
    try {
      expect(JSON.parse(JSON.stringify(await dumpStore(store)))).toEqual(expected.store);
    } finally {
      await store.close();
    }
    expect(
      peek(dir, (db) => ({
        version: Number(db.prepare('PRAGMA user_version').get()?.user_version),
        journal: db.prepare('PRAGMA journal_mode').get()?.journal_mode,
        staged: count(db, 'SELECT count(*) AS n FROM tasks WHERE project_id < 0'),
        imports: count(db, 'SELECT count(*) AS n FROM imports'),
        tasks: count(db, 'SELECT count(*) AS n FROM tasks'),
      })),
    ).toEqual({ version: SCHEMA_VERSION, journal: 'wal', staged: 0, imports: 0, tasks: 7 });
  });

  it('is served as the old server served it, and takes new imports, snapshots and conversions', async () => {
    const dir = copyFixture();
    const t = await startTestServer({}, dir);
    try {
      for (const path of HTTP_PATHS) {
        const res = await t.api(path);
        expect(res.status, path).toBe(200);
        expect(await res.json(), path).toEqual(expected.http[path]);
      }
      // The stored snapshot and its conversions download byte for byte.
      const stored = (name: string) => readFileSync(join(FIXTURE, 'data/export/1', name));
      for (const [query, file] of [
        ['', 'project-1-at-2026-12-07-14-58-fa85b128.json'],
        ['?exportType=CSV', 'project-1-at-2026-12-07-14-58-7a8fba54.csv'],
        ['?exportType=YOLO', 'project-1-at-2026-12-07-14-58-402ad648.zip'],
      ] as const) {
        const res = await t.api(`/api/projects/1/exports/1/download${query}`);
        expect(res.status, query).toBe(200);
        expect(Buffer.from(await res.arrayBuffer()).equals(stored(file)), query).toBe(true);
      }
      expect((await t.api('/api/projects/1/exports/1/download?exportType=CONLL2003')).status).toBe(404);

      // A new import: task ids go on after the highest ever used (the unfinished import's
      // 9), annotation ids after the stored counter.
      const imported = await t.api('/api/projects/2/import', {
        method: 'POST',
        json: [
          {
            data: { text: 'Grace Hopper at Harvard.' },
            annotations: [
              {
                completed_by: 7,
                result: [
                  {
                    id: 'n1',
                    from_name: 'label',
                    to_name: 'text',
                    type: 'labels',
                    value: { start: 16, end: 23, text: 'Harvard', labels: ['ORG'] },
                  },
                ],
              },
            ],
          },
        ],
      });
      expect(imported.status).toBe(201);
      const project = (await (await t.api('/api/projects/2')).json()) as Record<string, unknown>;
      expect(project).toMatchObject({
        task_number: 3,
        num_tasks_with_annotations: 2,
        total_annotations_number: 2,
      });
      const tasks = (await (
        await t.api('/api/projects/2/export?exportType=JSON&download_all_tasks=true')
      ).json()) as { id: number; annotations: { id: number; completed_by: number }[] }[];
      expect(tasks.map((task) => task.id)).toEqual([6, 7, 10]);
      expect(tasks[2]!.annotations).toMatchObject([{ id: 1001, completed_by: 7 }]);

      // A new snapshot and conversion get the next ids (snapshot 3 was deleted).
      const created = await t.api('/api/projects/2/exports', {
        method: 'POST',
        json: { title: 'After', serialization_options: { annotations__completed_by: { only_id: false } } },
      });
      expect(created.status).toBe(201);
      const snap = (await created.json()) as { id: number };
      expect(snap.id).toBe(4);
      expect(await waitForSnapshot(t, 2, snap.id)).toMatchObject({
        status: 'completed',
        counters: { task_number: 3 },
      });
      const snapshotTasks = (await (await t.api(`/api/projects/2/exports/${snap.id}/download`)).json()) as {
        annotations: { completed_by: unknown }[];
      }[];
      expect(snapshotTasks[2]!.annotations[0]!.completed_by).toEqual({
        id: 7,
        email: 'ann@example.com',
        first_name: 'Ann',
        last_name: 'Lee',
      });
      const conversion = (await (
        await t.api(`/api/projects/2/exports/${snap.id}/convert`, {
          method: 'POST',
          json: { export_type: 'TEST_IDS' },
        })
      ).json()) as { converted_format: number };
      expect(conversion.converted_format).toBe(4);
      expect(await waitForSnapshot(t, 2, snap.id)).toMatchObject({
        converted_formats: [{ id: 4, status: 'completed', export_type: 'TEST_IDS' }],
      });
      expect(
        await (await t.api(`/api/projects/2/exports/${snap.id}/download?exportType=TEST_IDS`)).text(),
      ).toBe('6\n7\n10\n');
      // The older snapshots are still there.
      const listed = (await (await t.api('/api/projects/2/exports')).json()) as { id: number }[];
      expect(listed.map((s) => s.id)).toEqual([4, 2]);
      const newProject = (await (
        await t.api('/api/projects', { method: 'POST', json: { title: 'New' } })
      ).json()) as { id: number };
      expect(newProject.id).toBe(4);
    } finally {
      await t.stop();
    }
    expect(peek(dir, (db) => Number(db.prepare('PRAGMA user_version').get()?.user_version))).toBe(
      SCHEMA_VERSION,
    );
  });
});
