// Downloads never take the process down and never hang: loopback servers that close early,
// reset, drip one byte a second, never answer, or show a certificate nobody signed. Each
// download ends in a report entry naming the task and the URL, within its deadline.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversionReport } from '../report.js';
import { createResourceResolver } from './resolver.js';
import { FAULTS, type FaultServer, startFaultServer } from './test-fault-server.js';
import { makePng } from './test-server.js';
import type { ResourceOptions } from './types.js';

const body = makePng(16, 12);
let server: FaultServer;
const dirs: string[] = [];

beforeAll(async () => {
  server = await startFaultServer(body, 1000);
});
afterAll(async () => {
  await server.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function resolverWith(options: ResourceOptions) {
  const cacheDir = mkdtempSync(join(tmpdir(), 'lsconv-faults-'));
  dirs.push(cacheDir);
  const report = new ConversionReport('export');
  const resolver = createResourceResolver({ download: true, cacheDir, retryDelayMs: 10, ...options }, report);
  return { resolver, report, cacheDir };
}

describe('a download that fails ends in a report entry, within its deadline', () => {
  const deadlineMs = 2500;
  const expected: Record<string, RegExp> = {
    'close-early': /the connection closed after \d+ of \d+ bytes/,
    'close-before-body': /the connection closed after 0 of \d+ bytes/,
    reset: /the connection closed after \d+ of \d+ bytes/,
    drip: /not done within the 2500 ms deadline/,
    silent: /no answer for 1 s|not done within the 2500 ms deadline/,
  };
  for (const fault of FAULTS) {
    it(fault, async () => {
      const { resolver, report, cacheDir } = resolverWith({ timeoutMs: 1000, deadlineMs, retries: 2 });
      const url = `${server.url}/${fault}/cat.png`;
      const started = Date.now();
      const resolved = await resolver.resolve(url, { taskId: 41, taskIndex: 3, field: 'data.image' });
      const took = Date.now() - started;
      expect(resolved.path).toBeUndefined();
      expect(resolved.error).toMatch(expected[fault]!);
      expect(took).toBeLessThan(deadlineMs + 1000);
      const [entry, ...more] = report.entries();
      expect(more).toEqual([]);
      expect(entry).toMatchObject({
        kind: 'resource',
        code: 'resource-download-failed',
        taskId: 41,
        taskIndex: 3,
        field: 'data.image',
      });
      expect(entry!.reason).toContain(url);
      // No partial file is left in the cache.
      expect(readdirSync(cacheDir)).toEqual([]);
    });
  }

  it('gives a dripping server the deadline, not the time between bytes', async () => {
    // One byte a second never trips a 30 s idle time-out: only the deadline ends it.
    const { resolver } = resolverWith({ timeoutMs: 30_000, deadlineMs: 1500, retries: 3 });
    const started = Date.now();
    const resolved = await resolver.resolve(`${server.url}/drip/slow.png`, { taskId: 1 });
    expect(resolved.error).toMatch(/not done within the 1500 ms deadline/);
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('downloads from the same server when it behaves', async () => {
    const { resolver } = resolverWith({ timeoutMs: 1000, deadlineMs });
    const resolved = await resolver.resolve(`${server.url}/ok/fine.png`, { taskId: 2 });
    expect(resolved.source).toBe('download');
    expect(readFileSync(resolved.path!)).toEqual(body);
  });

  it('--strict stops at the first one, with the same reason', async () => {
    const { resolver } = resolverWith({ timeoutMs: 1000, deadlineMs, retries: 0, strict: true });
    await expect(resolver.resolve(`${server.url}/reset/x.png`, { taskId: 9 })).rejects.toMatchObject({
      code: 'RESOURCE',
      message: /reset\/x\.png: download failed: the connection closed after \d+ of \d+ bytes/,
    });
  });
});

describe('a certificate nobody signed', () => {
  let tls: TlsServer | undefined;
  let url = '';
  beforeAll(async () => {
    if (!existsSync('/usr/bin/openssl') && !existsSync('/usr/local/bin/openssl')) return;
    const dir = mkdtempSync(join(tmpdir(), 'lsconv-tls-'));
    dirs.push(dir);
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1'].concat([
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ]),
      { stdio: 'ignore' },
    );
    tls = createTlsServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      (_req, res) => res.end(body),
    );
    await new Promise<void>((resolve) => tls!.listen(0, '127.0.0.1', () => resolve()));
    url = `https://127.0.0.1:${(tls.address() as AddressInfo).port}/img/cat.png`;
  });
  afterAll(() => new Promise<void>((resolve) => (tls ? tls.close(() => resolve()) : resolve())));

  it('is a report entry, not retried', async (test) => {
    if (!tls) test.skip();
    const { resolver, report } = resolverWith({ timeoutMs: 1000, deadlineMs: 2500, retries: 3 });
    const resolved = await resolver.resolve(url, { taskId: 5 });
    expect(resolved.error).toMatch(/TLS failed: .*certificate/i);
    expect(report.entries()).toMatchObject([{ code: 'resource-download-failed', taskId: 5 }]);
  });
});
