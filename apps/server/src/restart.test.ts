import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BOX_CONFIG,
  box,
  listeningBase,
  removeDir,
  startTestServer,
  type TestServer,
  waitForSnapshot,
} from './test-helpers.js';

const TASKS = Array.from({ length: 1200 }, (_, i) => ({
  data: { image: `img-${i}.jpg` },
  annotations: i % 2 ? [{ result: [box('Car')] }] : [],
}));
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

async function setUp(t: TestServer): Promise<number> {
  const pid = (
    (await (
      await t.api('/api/projects', { method: 'POST', json: { title: 'Restart', label_config: BOX_CONFIG } })
    ).json()) as { id: number }
  ).id;
  expect((await t.api(`/api/projects/${pid}/import`, { method: 'POST', json: TASKS })).status).toBe(201);
  return pid;
}

/** Starts the server again on a data folder and checks that the snapshot reruns to all 1,200 tasks. */
async function expectRerunWhole(dataDir: string, pid: number, snapId: number): Promise<void> {
  const second = await startTestServer({}, dataDir);
  try {
    const done = await waitForSnapshot(second, pid, snapId);
    expect(done).toMatchObject({ status: 'completed', counters: { task_number: 1200 } });
    const tasks = (await (
      await second.api(`/api/projects/${pid}/exports/${snapId}/download`)
    ).json()) as unknown[];
    expect(tasks).toHaveLength(1200);
  } finally {
    await second.stop();
  }
}

/** Rows an unfinished import staged (tasks under a negative project id) and its bookkeeping rows. */
function staged(dataDir: string): { tasks: number; imports: number } {
  return count(dataDir, (db) => ({
    tasks: (db.prepare('SELECT COUNT(*) AS n FROM tasks WHERE project_id < 0').get() as { n: number }).n,
    imports: (db.prepare('SELECT COUNT(*) AS n FROM imports').get() as { n: number }).n,
  }));
}

/** Every task row in the store, staged or not. */
function allTaskRows(dataDir: string): number {
  return count(dataDir, (db) => (db.prepare('SELECT COUNT(*) AS n FROM tasks').get() as { n: number }).n);
}

function count<T>(dataDir: string, read: (db: DatabaseSync) => T): T {
  const db = new DatabaseSync(join(dataDir, 'lsconv.db'), { readOnly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/**
 * Starts an import whose body keeps arriving: tasks are written until the server has
 * staged some of them, and the request is never finished. Resolves with the answer the
 * server gives (or how the connection ended) once something ends it.
 */
async function importThatNeverEnds(
  base: string,
  key: string,
  projectId: number,
  dataDir: string,
): Promise<{ answer: Promise<{ status: number | undefined; body: string }> }> {
  const req = request(`${base}/api/projects/${projectId}/import`, {
    method: 'POST',
    headers: { authorization: `Token ${key}`, 'content-type': 'application/json' },
  });
  const answer = new Promise<{ status: number | undefined; body: string }>((done) => {
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => done({ status: res.statusCode, body }));
      res.on('error', () => done({ status: res.statusCode, body }));
    });
    req.on('error', (error) => done({ status: undefined, body: error.message }));
  });
  req.write('[');
  let i = 0;
  const before = allTaskRows(dataDir);
  // Until the server has stored part of this import (it writes every 1000 tasks).
  while (allTaskRows(dataDir) === before) {
    const batch = Array.from({ length: 500 }, () =>
      JSON.stringify({ data: { image: `img-${i++}.jpg` }, annotations: [{ result: [box('Car')] }] }),
    );
    req.write(`${i > 500 ? ',' : ''}${batch.join(',')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { answer };
}

describe('restart', () => {
  it('reruns a snapshot that was in progress when the server stopped', async () => {
    let entered!: () => void;
    const inProgress = new Promise<void>((r) => {
      entered = r;
    });
    // The snapshot job stops after its first page and waits until shutdown aborts it.
    let pages = 0;
    const first = await startTestServer({
      shutdownGraceMs: 10,
      beforeSnapshotPage: (_id, signal) => {
        if (++pages === 1) return Promise.resolve();
        entered();
        return new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(new Error('aborted'))),
        );
      },
    });
    dirs.push(first.dataDir);
    const pid = await setUp(first);
    const snap = (await (
      await first.api(`/api/projects/${pid}/exports`, { method: 'POST', json: {} })
    ).json()) as { id: number };
    await inProgress;
    expect(
      ((await (await first.api(`/api/projects/${pid}/exports/${snap.id}`)).json()) as { status: string })
        .status,
    ).toBe('in_progress');
    await first.stop();

    await expectRerunWhole(first.dataDir, pid, snap.id);
  });

  it('stops a snapshot running in its worker thread at shutdown; the next start writes it whole', async () => {
    const first = await startTestServer({ shutdownGraceMs: 0 });
    dirs.push(first.dataDir);
    const pid = await setUp(first);
    const snap = (await (
      await first.api(`/api/projects/${pid}/exports`, { method: 'POST', json: {} })
    ).json()) as { id: number };
    await first.stop();
    const row = count(first.dataDir, (db) =>
      db.prepare('SELECT status FROM exports WHERE id = ?').get(snap.id),
    ) as { status: string };
    expect(row.status).toBe('created');
    await expectRerunWhole(first.dataDir, pid, snap.id);
  });

  it('resumes snapshots and conversions a crash left created or in_progress', async () => {
    const first = await startTestServer();
    dirs.push(first.dataDir);
    const pid = await setUp(first);
    const snap = (await (
      await first.api(`/api/projects/${pid}/exports`, { method: 'POST', json: {} })
    ).json()) as { id: number };
    await waitForSnapshot(first, pid, snap.id);
    const conv = (await (
      await first.api(`/api/projects/${pid}/exports/${snap.id}/convert`, {
        method: 'POST',
        json: { export_type: 'TEST_IDS' },
      })
    ).json()) as {
      converted_format: number;
    };
    await waitForSnapshot(first, pid, snap.id);
    const pending = (await (
      await first.api(`/api/projects/${pid}/exports`, { method: 'POST', json: {} })
    ).json()) as { id: number };
    await waitForSnapshot(first, pid, pending.id);
    await first.stop();

    // What a killed server leaves: rows marked running, no file yet.
    const db = new DatabaseSync(join(first.dataDir, 'lsconv.db'));
    db.prepare(
      `UPDATE exports SET status = 'in_progress', file = NULL, md5 = '', counters = '{}' WHERE id = ?`,
    ).run(pending.id);
    db.prepare(`UPDATE converted_formats SET status = 'in_progress', file = NULL WHERE id = ?`).run(
      conv.converted_format,
    );
    db.close();

    const second = await startTestServer({}, first.dataDir);
    try {
      const done = await waitForSnapshot(second, pid, pending.id);
      expect(done.status).toBe('completed');
      expect(done.counters).toEqual({ task_number: 1200 });
      const withConversion = await waitForSnapshot(second, pid, snap.id);
      expect(withConversion.converted_formats).toEqual([
        expect.objectContaining({ status: 'completed', export_type: 'TEST_IDS' }),
      ]);
      const ids = (
        await (
          await second.api(`/api/projects/${pid}/exports/${snap.id}/download?exportType=TEST_IDS`)
        ).text()
      )
        .trim()
        .split('\n');
      expect(ids).toHaveLength(1200);
    } finally {
      await second.stop();
    }
  });

  it('keeps the generated API key across restarts', async () => {
    const { createLsconvServer } = await import('./server.js');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'lsconv-key-'));
    dirs.push(dir);
    const saved = process.env.LSCONV_API_KEY;
    delete process.env.LSCONV_API_KEY;
    try {
      const a = await createLsconvServer({
        dataDir: dir,
        log: () => undefined,
        registry: (await import('./test-helpers.js')).testRegistry(),
      });
      expect(a.apiKeyGenerated).toBe(true);
      expect(a.apiKey).toMatch(/^[0-9a-f]{40}$/);
      await a.close();
      const b = await createLsconvServer({
        dataDir: dir,
        log: () => undefined,
        registry: (await import('./test-helpers.js')).testRegistry(),
      });
      expect(b.apiKeyGenerated).toBe(false);
      // Kept only as a hash: the restarted server does not know the key, yet takes it.
      expect(b.apiKey).toBeUndefined();
      const { readdirSync, readFileSync } = await import('node:fs');
      for (const f of readdirSync(dir).filter((name) => name.startsWith('lsconv.db')))
        expect(readFileSync(join(dir, f)).includes(a.apiKey!), f).toBe(false);
      const port = await b.listen(0);
      const ok = await fetch(`http://127.0.0.1:${port}/api/projects`, {
        headers: { authorization: `Token ${a.apiKey}` },
      });
      expect(ok.status).toBe(200);
      const wrong = await fetch(`http://127.0.0.1:${port}/api/projects`, {
        headers: { authorization: 'Token nope' },
      });
      expect(wrong.status).toBe(401);
      // `lsconv-server key` replaces it; the running server takes the new one at once.
      const { rotateApiKey } = await import('./api-key.js');
      const fresh = await rotateApiKey(b.store);
      const old = await fetch(`http://127.0.0.1:${port}/api/projects`, {
        headers: { authorization: `Token ${a.apiKey}` },
      });
      expect(old.status).toBe(401);
      const now = await fetch(`http://127.0.0.1:${port}/api/projects`, {
        headers: { authorization: `Token ${fresh}` },
      });
      expect(now.status).toBe(200);
      await b.close();
    } finally {
      if (saved !== undefined) process.env.LSCONV_API_KEY = saved;
    }
  });

  it('an import still arriving at shutdown is answered 503 and rolled back, whole', async () => {
    const first = await startTestServer({ shutdownGraceMs: 10 });
    dirs.push(first.dataDir);
    const pid = await setUp(first);
    const { answer } = await importThatNeverEnds(first.base, first.key, pid, first.dataDir);
    await first.stop();
    const { status, body } = await answer;
    expect(status).toBe(503);
    expect(body).toMatch(/shutting down; nothing of this import was kept/);
    expect(staged(first.dataDir)).toEqual({ tasks: 0, imports: 0 });

    const second = await startTestServer({}, first.dataDir);
    try {
      const project = (await (await second.api(`/api/projects/${pid}`)).json()) as { task_number: number };
      expect(project.task_number).toBe(1200);
    } finally {
      await second.stop();
    }
  });

  it('an import cut by a crash (SIGKILL) leaves no task of it, and the next start is clean', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dataDir = mkdtempSync(join(tmpdir(), 'lsconv-crash-'));
    dirs.push(dataDir);
    const bin = resolve(import.meta.dirname, '../dist/bin.js');
    const child = spawn(
      process.execPath,
      [bin, '--port', '0', '--data-dir', dataDir, '--api-key', 'crash-key'],
      {
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_c, signal) => r(signal)));
    const base = await listeningBase(child);
    const api = (path: string, init: RequestInit & { json?: unknown } = {}) =>
      fetch(`${base}${path}`, {
        ...init,
        headers: { authorization: 'Token crash-key', 'content-type': 'application/json' },
        ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
      });
    const pid = (
      (await (await api('/api/projects', { method: 'POST', json: { label_config: BOX_CONFIG } })).json()) as {
        id: number;
      }
    ).id;
    expect((await api(`/api/projects/${pid}/import`, { method: 'POST', json: TASKS })).status).toBe(201);
    const { answer } = await importThatNeverEnds(base, 'crash-key', pid, dataDir);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect((await answer).status).toBeUndefined();
    // The crash left staged rows behind; the next start removes them and keeps the earlier import.
    expect(staged(dataDir).tasks).toBeGreaterThan(0);

    const second = await startTestServer({}, dataDir);
    try {
      expect(staged(dataDir)).toEqual({ tasks: 0, imports: 0 });
      const project = (await (await second.api(`/api/projects/${pid}`)).json()) as { task_number: number };
      expect(project.task_number).toBe(1200);
      // Nothing is stuck: a snapshot of the project completes with exactly those tasks.
      const snap = (await (
        await second.api(`/api/projects/${pid}/exports`, { method: 'POST', json: {} })
      ).json()) as { id: number };
      expect(await waitForSnapshot(second, pid, snap.id)).toMatchObject({
        status: 'completed',
        counters: { task_number: 1200 },
      });
    } finally {
      await second.stop();
    }
  });
});
