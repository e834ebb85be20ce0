// The console command applies the guards of the HTTP API: task data cannot make it read
// local files or reach loopback and private addresses, unless the operator allows it.
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { exportCommand } from './cli.js';
import { BOX_CONFIG, box, removeDir, startTestServer } from './test-helpers.js';

let dataDir: string;
let pid: number;
const out = mkdtempSync(join(tmpdir(), 'lsconv-console-guards-'));
const hits: string[] = [];
const loopback = createServer((req, res) => {
  hits.push(req.url ?? '');
  res.writeHead(200, { 'content-type': 'text/plain' }).end('secret from a loopback service');
});

beforeAll(async () => {
  await new Promise<void>((done) => loopback.listen(0, '127.0.0.1', done));
  const port = (loopback.address() as AddressInfo).port;
  const t = await startTestServer();
  dataDir = t.dataDir;
  pid = (
    (await (
      await t.api('/api/projects', { method: 'POST', json: { title: 'Guards', label_config: BOX_CONFIG } })
    ).json()) as { id: number }
  ).id;
  const references = [
    '/etc/passwd',
    'file:///etc/passwd',
    `http://127.0.0.1:${port}/plain.png`,
    `http://0.0.0.0:${port}/zero.png`,
    `http://[::ffff:127.0.0.1]:${port}/mapped.png`,
    `http://2130706433:${port}/decimal.png`,
  ];
  await t.api(`/api/projects/${pid}/import`, {
    method: 'POST',
    json: references.map((image) => ({ data: { image }, annotations: [{ result: [box('Car')] }] })),
  });
  await t.stop();
});
afterAll(async () => {
  removeDir(dataDir);
  removeDir(out);
  await new Promise((done) => loopback.close(done));
});

async function run(
  name: string,
  ...flags: string[]
): Promise<{ code: number; entries: Record<string, Uint8Array> }> {
  const target = join(out, `${name}.zip`);
  const quiet = [
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true),
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true),
  ];
  try {
    const code = await exportCommand([
      String(pid),
      'COCO_WITH_IMAGES',
      '--export-path',
      target,
      '--data-dir',
      dataDir,
      '--download-resources',
      ...flags,
    ]);
    return { code, entries: code === 0 ? unzipSync(readFileSync(target)) : {} };
  } finally {
    for (const spy of quiet) spy.mockRestore();
  }
}

describe('lsconv-server export guards media like the HTTP API', () => {
  it('copies no local file and reaches no loopback address named by task data', async () => {
    const { code, entries } = await run('guarded');
    expect(code).toBe(0);
    const images = Object.keys(entries).filter((name) => name.startsWith('images/') && !name.endsWith('/'));
    expect(images).toEqual([]);
    for (const bytes of Object.values(entries))
      expect(Buffer.from(bytes).toString('latin1')).not.toMatch(/root:|secret from a loopback/);
    expect(hits).toEqual([]);
  });

  it('reaches them when the operator says --allow-private-addresses (so the refusal above is the guard)', async () => {
    const { code, entries } = await run('allowed', '--allow-private-addresses');
    expect(code).toBe(0);
    expect(hits.length).toBeGreaterThan(0);
    expect(Object.keys(entries).some((name) => name.startsWith('images/'))).toBe(true);
  });
});
