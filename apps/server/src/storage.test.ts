// Export file storage: a folder (the data folder or a shared one) and an S3 bucket,
// the latter against an S3-compatible server (s3rver) on loopback.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ArtifactStorage, folderStorage, openStorage } from './storage.js';
import { BOX_CONFIG, box, removeDir, startTestServer, waitForSnapshot } from './test-helpers.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'lsconv-storage-'));
  dirs.push(d);
  return d;
};

let s3: S3rver;
let endpoint: string;
beforeAll(async () => {
  s3 = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory: tempDir(),
    configureBuckets: [{ name: 'exports', configs: [] }],
  });
  const { port } = (await s3.run()) as unknown as { port: number };
  endpoint = `http://127.0.0.1:${port}`;
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
});
afterAll(async () => {
  await s3?.close();
  for (const d of dirs.splice(0)) removeDir(d);
});

const fileWith = (text: string) => {
  const path = join(tempDir(), 'source.json');
  writeFileSync(path, text);
  return path;
};

async function roundTrip(storage: ArtifactStorage) {
  const first = await storage.put(fileWith('one'), 'export/1', 'project-1', '.json');
  const second = await storage.put(fileWith('two'), 'export/1', 'project-1', '.json');
  expect(first).toBe(join('export/1', 'project-1.json'));
  // The name is taken: the second file gets a suffix instead of replacing the first.
  expect(second).toMatch(/^export\/1\/project-1_[0-9a-f]{7}\.json$/);
  const opened = await storage.open(first);
  expect(opened?.size).toBe(3);
  const chunks: Buffer[] = [];
  for await (const c of await opened!.stream()) chunks.push(c as Buffer);
  expect(Buffer.concat(chunks).toString()).toBe('one');
  const local = await storage.local(second, tempDir());
  expect(readFileSync(local.path, 'utf8')).toBe('two');
  await local.release();
  await storage.remove(first);
  expect(await storage.open(first)).toBeUndefined();
  await storage.removeAll('export/1');
  expect(await storage.open(second)).toBeUndefined();
  await expect(storage.put(fileWith('x'), '../outside', 'p', '.json')).rejects.toThrow(/leads out/);
  await storage.ready();
}

describe('export storage', () => {
  it('a folder: unique names, downloads, temporary copies, removal; no key leads out of it', async () => {
    const base = tempDir();
    await roundTrip(folderStorage(base));
    expect(existsSync(join(base, 'export', '1'))).toBe(false);
  });

  it('file:///shared/path is a folder every instance mounts', async () => {
    const base = join(tempDir(), 'shared');
    const storage = await openStorage({ storage: pathToFileURL(base).href }, tempDir());
    expect(storage.description).toBe(base);
    await roundTrip(storage);
  });

  it('s3://bucket/prefix on an S3-compatible server, path-style', async () => {
    const storage = await openStorage({ storage: 's3://exports/team-a/', s3Endpoint: endpoint }, tempDir());
    await roundTrip(storage);
    const missing = await openStorage({ storage: 's3://no-such-bucket', s3Endpoint: endpoint }, tempDir());
    await expect(missing.ready()).rejects.toThrow();
  });

  it('refuses another scheme', async () => {
    await expect(openStorage({ storage: 'ftp://host/x' }, tempDir())).rejects.toThrow(
      /file:\/\/\/path or s3:/,
    );
  });

  it('a server keeps snapshots and conversions in the bucket and downloads them from there', async () => {
    const t = await startTestServer({ storage: 's3://exports/server', s3Endpoint: endpoint });
    try {
      const project = (await (
        await t.api('/api/projects', { method: 'POST', json: { title: 'p', label_config: BOX_CONFIG } })
      ).json()) as { id: number };
      const tasks = [{ data: { image: 'a.jpg' }, annotations: [{ result: [box('Car')] }] }];
      await t.api(`/api/projects/${project.id}/import`, { method: 'POST', json: tasks });
      const created = (await (
        await t.api(`/api/projects/${project.id}/exports`, { method: 'POST', json: {} })
      ).json()) as { id: number };
      await waitForSnapshot(t, project.id, created.id);
      await t.api(`/api/projects/${project.id}/exports/${created.id}/convert`, {
        method: 'POST',
        json: { export_type: 'TEST_IDS' },
      });
      await waitForSnapshot(t, project.id, created.id);
      const json = await t.api(`/api/projects/${project.id}/exports/${created.id}/download`);
      expect(json.status).toBe(200);
      expect(((await json.json()) as unknown[]).length).toBe(1);
      const ids = await t.api(
        `/api/projects/${project.id}/exports/${created.id}/download?exportType=TEST_IDS`,
      );
      expect(await ids.text()).toMatch(/^\d+\n$/);
      // Nothing was written to the data folder's export folder: the bucket holds it all.
      expect(existsSync(join(t.dataDir, 'export', String(project.id)))).toBe(false);
      const storage = await openStorage({ storage: 's3://exports/server', s3Endpoint: endpoint }, t.dataDir);
      const snapshot = (await (
        await t.api(`/api/projects/${project.id}/exports/${created.id}`)
      ).json()) as Record<string, unknown>;
      expect(snapshot.status).toBe('completed');
      await t.api(`/api/projects/${project.id}/exports/${created.id}`, { method: 'DELETE' });
      expect(await storage.open(`export/${project.id}/x`)).toBeUndefined();
    } finally {
      await t.stop();
      removeDir(t.dataDir);
    }
  });
});
