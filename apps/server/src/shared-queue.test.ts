// The shared job queue (PostgreSQL, pg-boss): a server shutting down hands its running
// job back to the queue, and another instance on the same database and storage finishes it.
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BOX_CONFIG,
  box,
  removeDir,
  startTestServer,
  type TestServer,
  waitForSnapshot,
} from './test-helpers.js';
import { activePgCluster, usePostgresStore } from './test-postgres.js';

usePostgresStore();
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'lsconv-shared-queue-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

describe('shared job queue', () => {
  it('a shutdown hands the running snapshot back; another instance takes it and finishes it', async () => {
    const database = await activePgCluster()!.createDatabase();
    const storage = pathToFileURL(tempDir()).href;
    let started!: () => void;
    const running = new Promise<void>((r) => {
      started = r;
    });
    // The first instance's snapshot stops at its first page until the shutdown aborts it.
    const a = await startTestServer(
      {
        database,
        storage,
        shutdownGraceMs: 50,
        beforeSnapshotPage: (_id, signal) =>
          new Promise((_resolve, reject) => {
            started();
            signal.addEventListener('abort', () => reject(signal.reason), { once: true });
          }),
      },
      tempDir(),
    );
    const p = (await (
      await a.api('/api/projects', { method: 'POST', json: { title: 'p', label_config: BOX_CONFIG } })
    ).json()) as { id: number };
    const tasks = Array.from({ length: 300 }, (_, i) => ({
      data: { image: `${i}.jpg` },
      annotations: [{ result: [box('Car')] }],
    }));
    expect((await a.api(`/api/projects/${p.id}/import`, { method: 'POST', json: tasks })).status).toBe(201);
    const s = (await (await a.api(`/api/projects/${p.id}/exports`, { method: 'POST', json: {} })).json()) as {
      id: number;
    };
    await running;
    await a.stop();
    const b = await startTestServer({ database, storage }, tempDir());
    try {
      const done = await waitForSnapshot(b, p.id, s.id);
      expect(done).toMatchObject({ status: 'completed', counters: { task_number: 300 } });
      const body = (await (
        await b.api(`/api/projects/${p.id}/exports/${s.id}/download`)
      ).json()) as unknown[];
      expect(body).toHaveLength(300);
    } finally {
      await b.stop();
    }
  });

  it('conversions that download media never take the last slot: one without downloads finishes meanwhile', async () => {
    // A media host that never answers: the downloading conversions hang until the shutdown.
    const stalled: Server = createServer(() => undefined);
    await new Promise<void>((r) => stalled.listen(0, '127.0.0.1', () => r()));
    const port = (stalled.address() as AddressInfo).port;
    const t = await startTestServer(
      { maxConcurrentJobs: 2, shutdownGraceMs: 50, resources: { allowPrivateAddresses: true } },
      tempDir(),
    );
    try {
      const p = (await (
        await t.api('/api/projects', { method: 'POST', json: { title: 'p', label_config: BOX_CONFIG } })
      ).json()) as { id: number };
      const tasks = [
        { data: { image: `http://127.0.0.1:${port}/a.png` }, annotations: [{ result: [box('Car')] }] },
      ];
      await t.api(`/api/projects/${p.id}/import`, { method: 'POST', json: tasks });
      const convert = async (t: TestServer, format: string, download: boolean) => {
        const s = (await (
          await t.api(`/api/projects/${p.id}/exports`, { method: 'POST', json: {} })
        ).json()) as {
          id: number;
        };
        await waitForSnapshot(t, p.id, s.id);
        const r = await t.api(`/api/projects/${p.id}/exports/${s.id}/convert`, {
          method: 'POST',
          json: { export_type: format, download_resources: download },
        });
        expect(r.status).toBe(200);
        return s.id;
      };
      const slow = [await convert(t, 'TEST_FETCH', true), await convert(t, 'TEST_FETCH', true)];
      const quick = await convert(t, 'TEST_IDS', false);
      const done = await waitForSnapshot(t, p.id, quick);
      expect(done.converted_formats[0].status).toBe('completed');
      for (const id of slow) {
        const s = (await (await t.api(`/api/projects/${p.id}/exports/${id}`)).json()) as Record<string, any>;
        expect(['created', 'in_progress']).toContain(s.converted_formats[0].status);
      }
    } finally {
      await t.stop();
      stalled.closeAllConnections();
      await new Promise((r) => stalled.close(r));
    }
  });
});
