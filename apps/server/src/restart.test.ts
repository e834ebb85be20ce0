import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BOX_CONFIG,
  box,
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

    const second = await startTestServer({}, first.dataDir);
    try {
      const done = await waitForSnapshot(second, pid, snap.id);
      expect(done).toMatchObject({ status: 'completed', counters: { task_number: 1200 } });
      const tasks = (await (
        await second.api(`/api/projects/${pid}/exports/${snap.id}/download`)
      ).json()) as unknown[];
      expect(tasks).toHaveLength(1200);
    } finally {
      await second.stop();
    }
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
    const db = new Database(join(first.dataDir, 'lsconv.db'));
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
    const { createLsconvServer } = await import('./app.js');
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
      expect(b.apiKey).toBe(a.apiKey);
      await b.close();
    } finally {
      if (saved !== undefined) process.env.LSCONV_API_KEY = saved;
    }
  });
});
