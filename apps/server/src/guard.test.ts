import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startTestServer, TEXT_CONFIG, type TestServer } from './test-helpers.js';

// A media server on loopback: the export server must not reach it unless allowed.
let media: Server;
let hits = 0;
let mediaUrl: string;

beforeAll(async () => {
  media = createServer((_req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from('not really a png'));
  });
  await new Promise<void>((r) => media.listen(0, '127.0.0.1', () => r()));
  mediaUrl = `http://127.0.0.1:${(media.address() as AddressInfo).port}/img.png`;
});
afterAll(async () => {
  await new Promise((r) => media.close(r));
});

async function exportWith(t: TestServer, image: string): Promise<string> {
  const pid = (
    (await (
      await t.api('/api/projects', { method: 'POST', json: { title: 'G', label_config: TEXT_CONFIG } })
    ).json()) as { id: number }
  ).id;
  await t.api(`/api/projects/${pid}/import`, {
    method: 'POST',
    json: [{ data: { image }, annotations: [{ result: [] }] }],
  });
  const res = await t.api(`/api/projects/${pid}/export?exportType=TEST_FETCH&download_resources=true`);
  const text = (await res.text()).trim();
  expect(res.status, text).toBe(200);
  return text;
}

describe('resource safety', () => {
  it('never downloads from private or loopback addresses by default', async () => {
    const t = await startTestServer();
    try {
      const before = hits;
      const line = await exportWith(t, mediaUrl);
      expect(line).toMatch(/^missing: /);
      expect(hits).toBe(before);
    } finally {
      await t.stop();
      removeDir(t.dataDir);
    }
  });

  it('does not let task data read local files', async () => {
    const t = await startTestServer();
    try {
      expect(await exportWith(t, '/etc/hostname')).toMatch(/^missing: /);
    } finally {
      await t.stop();
      removeDir(t.dataDir);
    }
  });

  it('reaches a loopback media server only when allowed', async () => {
    const t = await startTestServer({ resources: { allowPrivateAddresses: true } });
    try {
      const before = hits;
      expect(await exportWith(t, mediaUrl)).toBe('ok');
      expect(hits).toBe(before + 1);
    } finally {
      await t.stop();
      removeDir(t.dataDir);
    }
  });
});
