import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { isSqliteExperimentalWarning } from './store/node-sqlite.js';
import { openSqliteStore, SCHEMA_VERSION } from './store/sqlite.js';
import { removeDir, storedTestTask } from './test-helpers.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'lsconv-store-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});
const task = storedTestTask;

describe('SQLite store', () => {
  it('creates the schema on first open and records its version', async () => {
    const dir = tempDir();
    openSqliteStore(dir).close();
    const db = new DatabaseSync(join(dir, 'lsconv.db'));
    expect(db.prepare('PRAGMA user_version').get()?.user_version).toBe(SCHEMA_VERSION);
    expect(db.prepare('PRAGMA journal_mode').get()?.journal_mode).toBe('wal');
    db.close();
  });

  it('refuses a data folder written by a newer schema', async () => {
    const dir = tempDir();
    openSqliteStore(dir).close();
    const db = new DatabaseSync(join(dir, 'lsconv.db'));
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openSqliteStore(dir)).toThrow(/newer lsconv-server/);
  });

  it('hides an import until commit, drops it on rollback and after a crash', async () => {
    const dir = tempDir();
    const store = openSqliteStore(dir);
    const p = await store.createProject({ title: 'p', description: '', labelConfig: '' });
    const a = await store.beginImport(p.id);
    await a.add([task(1), task(2)]);
    expect(await store.countTasks(p.id, {})).toBe(0);
    expect(await a.commit()).toBe(2);
    expect(await store.countTasks(p.id, {})).toBe(2);
    expect(await store.countTasks(p.id, { anyAnnotation: true })).toBe(1);
    const b = await store.beginImport(p.id);
    await b.add([task(3)]);
    await b.rollback();
    expect(await store.countTasks(p.id, {})).toBe(2);
    const c = await store.beginImport(p.id);
    await c.add([task(4)]);
    await store.close(); // a crash: never committed
    const reopened = openSqliteStore(dir);
    expect(await reopened.countTasks(p.id, {})).toBe(2);
    const db = new DatabaseSync(join(dir, 'lsconv.db'));
    expect(db.prepare('SELECT count(*) AS n FROM tasks').get()?.n).toBe(2);
    db.close();
    await reopened.close();
  });

  it('pages tasks in id order with filters', async () => {
    const store = openSqliteStore(tempDir());
    const p = await store.createProject({ title: 'p', description: '', labelConfig: '' });
    const batch = await store.beginImport(p.id);
    await batch.add(Array.from({ length: 10 }, (_, i) => task(i)));
    await batch.commit();
    const first = await store.taskPage(p.id, {}, 0, 4);
    const second = await store.taskPage(p.id, {}, first.at(-1)!.id, 4);
    expect([...first, ...second].map((r) => JSON.parse(r.json).data.n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(
      (await store.taskPage(p.id, { annotated: 'exclude' }, 0, 100)).map((r) => JSON.parse(r.json).data.n),
    ).toEqual([1, 3, 5, 7, 9]);
    const ids = first.map((r) => r.id);
    expect((await store.taskPage(p.id, { ids: [ids[1]!, ids[3]!] }, 0, 100)).map((r) => r.id)).toEqual([
      ids[1],
      ids[3],
    ]);
    await store.close();
  });
  it('rolls a failed batch back whole and leaves no transaction open', async () => {
    const dir = tempDir();
    const store = openSqliteStore(dir);
    const p = await store.createProject({ title: 'p', description: '', labelConfig: '' });
    const batch = await store.beginImport(p.id);
    // The second row breaks a NOT NULL constraint: the first is not kept either.
    await expect(batch.add([task(1), { ...task(2), json: null as unknown as string }])).rejects.toThrow(
      /NOT NULL/,
    );
    await batch.add([task(3)]);
    expect(await batch.commit()).toBe(1);
    expect((await store.taskPage(p.id, {}, 0, 10)).map((r) => JSON.parse(r.json).data.n)).toEqual([3]);
    // Another connection gets the write lock at once.
    const other = new DatabaseSync(join(dir, 'lsconv.db'));
    other.exec('BEGIN IMMEDIATE; DELETE FROM settings; COMMIT');
    other.close();
    expect(await store.deleteProject(p.id)).toBe(true);
    expect(await store.deleteProject(p.id)).toBe(false);
    await store.close();
    await store.close();
  });

  it('reads integers beyond 2^53 as (rounded) numbers, as the better-sqlite3 store did', async () => {
    const store = openSqliteStore(tempDir());
    // An imported annotation id of 2^53 - 1 leaves the counter at 2^53, which node:sqlite
    // refuses to read as a number unless asked for BigInts.
    await store.bumpIds('annotation', Number.MAX_SAFE_INTEGER);
    expect(await store.nextIds('annotation', 1000)).toBe(9007199254740992);
    expect(await store.nextIds('annotation', 1)).toBe(9007199254741992);
    const user = { id: 2 ** 53, email: 'big@example.com', first_name: 'Big', last_name: 'Id' };
    await store.upsertUsers([user, { ...user, id: 2 ** 60 }]);
    expect([...(await store.getUsers([2 ** 53, 5])).entries()]).toEqual([[2 ** 53, user]]);
    await store.close();
  });
  it('hides only the SQLite ExperimentalWarning', async () => {
    const text = 'SQLite is an experimental feature and might change at any time';
    expect(isSqliteExperimentalWarning(text, 'ExperimentalWarning')).toBe(true);
    expect(isSqliteExperimentalWarning(text, { type: 'ExperimentalWarning' })).toBe(true);
    const error = new Error(text);
    error.name = 'ExperimentalWarning';
    expect(isSqliteExperimentalWarning(error, undefined)).toBe(true);
    expect(isSqliteExperimentalWarning(text, 'Warning')).toBe(false);
    expect(isSqliteExperimentalWarning(text, undefined)).toBe(false);
    expect(
      isSqliteExperimentalWarning(
        'WASI is an experimental feature and might change at any time',
        'ExperimentalWarning',
      ),
    ).toBe(false);
  });
});

describe('the store on disk', () => {
  it('is readable by its owner only, whatever the umask (the API key digest and every task are in it)', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'lsconv-store-mode-'));
    const dir = join(parent, 'data');
    const old = process.umask(0o022);
    try {
      const store = openSqliteStore(dir);
      await store.setSetting('probe', '1');
      await store.close();
    } finally {
      process.umask(old);
    }
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const name of readdirSync(dir).filter((n) => n.startsWith('lsconv.db')))
      expect(statSync(join(dir, name)).mode & 0o777, name).toBe(0o600);
    rmSync(parent, { recursive: true, force: true });
  });
});

describe('conversions, views and single tasks', () => {
  it('keeps how a conversion was asked for and its report across a reopen', async () => {
    const dir = tempDir();
    let store = openSqliteStore(dir);
    const p = await store.createProject({ title: 'p', description: '', labelConfig: '<View/>' });
    const s = await store.createSnapshot({
      projectId: p.id,
      title: 's',
      options: { task_filter_options: null, annotation_filter_options: null, serialization_options: null },
    });
    const plan = { formatOptions: { annotation: 'all' }, compat: 'python' as const };
    const c = await store.createConversion({
      exportId: s.id,
      projectId: p.id,
      exportType: 'YOLO',
      downloadResources: false,
      plan,
    });
    const bare = await store.createConversion({
      exportId: s.id,
      projectId: p.id,
      exportType: 'COCO',
      downloadResources: false,
    });
    await store.close();
    store = openSqliteStore(dir);
    expect((await store.getConversion(c.id))!.plan).toEqual(plan);
    expect(await store.getConversion(bare.id)).not.toHaveProperty('plan');
    const report = {
      format: 'YOLO',
      tasksRead: 1,
      itemsWritten: 1,
      regionsWritten: 2,
      filesWritten: 2,
      bytesWritten: 9,
      skipped: [],
      warnings: [],
      tallies: {},
      differences: {},
      durationMs: 3,
    };
    await store.updateConversion(c.id, { report });
    expect((await store.getConversion(c.id))!.report).toEqual(report);
    await store.close();
  });

  it('views belong to their project, in tab order, and go with it', async () => {
    const store = openSqliteStore(tempDir());
    const p = await store.createProject({ title: 'p', description: '', labelConfig: '<View/>' });
    const a = await store.createView({ projectId: p.id, data: { title: 'a' } });
    const b = await store.createView({ projectId: p.id, data: { title: 'b' } });
    expect((await store.listViews(p.id)).map((v) => [v.id, v.order])).toEqual([
      [a.id, 0],
      [b.id, 1],
    ]);
    expect((await store.updateView(a.id, { title: 'A' }))!.data).toEqual({ title: 'A' });
    expect(await store.deleteView(b.id)).toBe(true);
    await store.deleteProject(p.id);
    expect(await store.getView(a.id)).toBeUndefined();
    await store.close();
  });

  it('reads, replaces and deletes a task; an import in progress stays invisible', async () => {
    const store = openSqliteStore(tempDir());
    const p = await store.createProject({ title: 'p', description: '', labelConfig: '<View/>' });
    const batch = await store.beginImport(p.id);
    const [id] = await batch.add([task(1)]);
    expect(await store.getTask(id!)).toBeUndefined();
    await batch.commit();
    expect(JSON.parse((await store.getTask(id!))!.json)).toEqual({ data: { n: 1 } });
    await store.updateTask(id!, task(2));
    expect(await store.countTasks(p.id, { anyAnnotation: true })).toBe(1);
    expect(await store.taskSummary(p.id, {})).toEqual({ ids: [id], annotations: 1, predictions: 0 });
    expect(await store.deleteTask(id!)).toBe(true);
    expect(await store.getTask(id!)).toBeUndefined();
    await store.close();
  });
});
