import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore, SCHEMA_VERSION } from './store/sqlite.js';
import type { NewTask } from './store/types.js';
import { removeDir } from './test-helpers.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'lsconv-store-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});
const task = (n: number): NewTask => ({
  json: JSON.stringify({ data: { n } }),
  hasAnnotations: n % 2 === 0,
  hasSkipped: false,
  hasCompleted: n % 2 === 0,
  isLabeled: n % 2 === 0,
  annotations: n % 2 === 0 ? 1 : 0,
  skipped: 0,
  predictions: 0,
});

describe('SQLite store', () => {
  it('creates the schema on first open and records its version', () => {
    const dir = tempDir();
    openSqliteStore(dir).close();
    const db = new Database(join(dir, 'lsconv.db'));
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('refuses a data folder written by a newer schema', () => {
    const dir = tempDir();
    openSqliteStore(dir).close();
    const db = new Database(join(dir, 'lsconv.db'));
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openSqliteStore(dir)).toThrow(/newer lsconv-server/);
  });

  it('hides an import until commit, drops it on rollback and after a crash', () => {
    const dir = tempDir();
    const store = openSqliteStore(dir);
    const p = store.createProject({ title: 'p', description: '', labelConfig: '' });
    const a = store.beginImport(p.id);
    a.add([task(1), task(2)]);
    expect(store.countTasks(p.id, {})).toBe(0);
    expect(a.commit()).toBe(2);
    expect(store.countTasks(p.id, {})).toBe(2);
    expect(store.countTasks(p.id, { anyAnnotation: true })).toBe(1);
    const b = store.beginImport(p.id);
    b.add([task(3)]);
    b.rollback();
    expect(store.countTasks(p.id, {})).toBe(2);
    const c = store.beginImport(p.id);
    c.add([task(4)]);
    store.close(); // a crash: never committed
    const reopened = openSqliteStore(dir);
    expect(reopened.countTasks(p.id, {})).toBe(2);
    const db = new Database(join(dir, 'lsconv.db'));
    expect((db.prepare('SELECT count(*) AS n FROM tasks').get() as { n: number }).n).toBe(2);
    db.close();
    reopened.close();
  });

  it('pages tasks in id order with filters', () => {
    const store = openSqliteStore(tempDir());
    const p = store.createProject({ title: 'p', description: '', labelConfig: '' });
    const batch = store.beginImport(p.id);
    batch.add(Array.from({ length: 10 }, (_, i) => task(i)));
    batch.commit();
    const first = store.taskPage(p.id, {}, 0, 4);
    const second = store.taskPage(p.id, {}, first.at(-1)!.id, 4);
    expect([...first, ...second].map((r) => JSON.parse(r.json).data.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(
      store.taskPage(p.id, { annotated: 'exclude' }, 0, 100).map((r) => JSON.parse(r.json).data.n),
    ).toEqual([1, 3, 5, 7, 9]);
    const ids = first.map((r) => r.id);
    expect(store.taskPage(p.id, { ids: [ids[1]!, ids[3]!] }, 0, 100).map((r) => r.id)).toEqual([
      ids[1],
      ids[3],
    ]);
    store.close();
  });
});
