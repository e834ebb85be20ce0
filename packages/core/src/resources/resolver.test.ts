import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLsconvError } from '../errors.js';
import { defineFormat } from '../format.js';
import { ConversionReport } from '../report.js';
import { runExport } from '../run.js';
import { memorySink } from '../sinks/memory.js';
import { arrayTaskSource } from '../sources/index.js';
import { guardedLookup, isPrivateAddress, PRIVATE_ADDRESS_CODE } from './address-guard.js';
import { guardedAgent } from './http.js';
import { getLocalPath, resourceOptionsFromEnv } from './local-path.js';
import { createResourceResolver } from './resolver.js';
import { makePng, makeWav, send, startServer, type TestServer } from './test-server.js';
import type { ResourceOptions, ResourceProgress } from './types.js';

const TOKEN = 'secret-token';
let root: string;
let media: TestServer;
let ls: TestServer;
const presigned: string[] = [];
let flakyFailures = new Map<string, number>();

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'lsconv-resources-'));
  const put = (path: string, bytes: Buffer) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), bytes);
  };
  put('docs/dir/a.png', makePng(40, 30));
  put('docs/space dir/b.png', makePng(41, 31, 4));
  put('secret.txt', Buffer.from('outside the document root'));
  put('upload/3/up.png', makePng(42, 32));
  put('project/upload/5/p.png', makePng(43, 33));
  put('input/rel/c.png', makePng(44, 34));
  put('abs.png', makePng(45, 35));
  put('upload/3/voice.wav', makeWav(0.75));

  media = await startServer(async (_req, res, url) => {
    const path = url.pathname;
    if (path.startsWith('/img/') || path.startsWith('/bucket/'))
      return send(res, makePng(64, 48), 'image/png');
    if (path.startsWith('/audio/')) return send(res, makeWav(1.25), 'audio/wav');
    if (path.startsWith('/auth/') || path.startsWith('/data/auth/')) {
      if (_req.headers.authorization !== `Token ${TOKEN}`) return send(res, 'no', 'text/plain', 401);
      return send(res, makePng(10, 10), 'image/png');
    }
    if (path.startsWith('/slow/')) {
      await new Promise((resolve) => setTimeout(resolve, Number(url.searchParams.get('ms') ?? 1500)));
      return send(res, makePng(12, 12), 'image/png');
    }
    if (path.startsWith('/flaky/')) {
      const left = flakyFailures.get(path) ?? 1;
      if (left > 0) {
        flakyFailures.set(path, left - 1);
        return send(res, 'try again', 'text/plain', 500);
      }
      return send(res, makePng(13, 13), 'image/png');
    }
    if (path === '/big') return send(res, Buffer.alloc(5000));
    if (path === '/stall') {
      // Part of a body, then nothing until the client gives up (or 30 s pass).
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.write(Buffer.alloc(400, 1));
      const gaveUp = new Promise((resolve) => res.once('close', resolve));
      await Promise.race([gaveUp, new Promise((resolve) => setTimeout(resolve, 30_000).unref())]);
      return void res.destroy();
    }
    if (path === '/trickle') {
      // 100 bytes every 50 ms for at least `for` ms: longer than the client's time-out in
      // all, with gaps far below it (a stall of most of the time-out is still fine).
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const until = Date.now() + Number(url.searchParams.get('for'));
      for (let i = 0; Date.now() < until; i++) {
        res.write(Buffer.alloc(100, i));
        await new Promise((resolve) => setTimeout(resolve, 50));
        if (res.destroyed) return;
      }
      return void res.end();
    }
    if (path === '/redirect') {
      res.writeHead(302, { location: '/img/redirected.png' });
      return void res.end();
    }
    if (path === '/loop') {
      res.writeHead(302, { location: '/loop' });
      return void res.end();
    }
    return send(res, 'not found', 'text/plain', 404);
  });

  ls = await startServer(async (req, res, url) => {
    if (req.headers.authorization !== `Token ${TOKEN}` && req.headers.authorization !== `Bearer ${jwt}`) {
      return send(res, 'authentication required', 'text/plain', 401);
    }
    const path = url.pathname;
    if (path === '/storage-data/uploaded/') {
      const file = url.searchParams.get('filepath');
      if (file === 'upload/9/remote.png') return send(res, makePng(20, 21), 'image/png');
      return send(res, 'no such upload', 'text/plain', 404);
    }
    if (path === '/data/upload/9/legacy-only.png') return send(res, makePng(22, 23), 'image/png');
    if (path === '/data/local-files/' && url.searchParams.get('d') === 'remote/r.png')
      return send(res, makePng(24, 25), 'image/png');
    const presign = /^\/tasks\/([^/]+)\/presign\/$/.exec(path);
    if (presign) {
      const uri = Buffer.from(url.searchParams.get('fileuri') ?? '', 'base64url').toString('utf8');
      presigned.push(`${presign[1]} ${uri} ${url.searchParams.get('fileuri')}`);
      res.writeHead(303, { location: `${media.url}/bucket/${uri.split('/').pop()}` });
      return void res.end();
    }
    if (path === '/data/images/x.png' || path.startsWith('/data/auth/') || path.startsWith('/api/'))
      return send(res, makePng(26, 27), 'image/png');
    return send(res, 'not found', 'text/plain', 404);
  });
});

afterAll(async () => {
  await media?.close();
  await ls?.close();
  rmSync(root, { recursive: true, force: true });
});

const jwt = `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"sub":1}').toString('base64url')}.c2ln`;

let cacheCount = 0;
function freshCache(): string {
  return join(root, `cache-${cacheCount++}`);
}

function resolverWith(options: ResourceOptions = {}, report = new ConversionReport('TEST')) {
  return {
    report,
    resolver: createResourceResolver(
      { cacheDir: freshCache(), retryDelayMs: 1, download: true, ...options },
      report,
    ),
  };
}

describe('local references', () => {
  it('reads /data/local-files/?d= under the document root, raw and percent-encoded', async () => {
    const { resolver, report } = resolverWith({ localFilesRoot: join(root, 'docs') });
    const a = await resolver.resolve('/data/local-files/?d=dir/a.png');
    expect(a).toMatchObject({
      kind: 'local-files',
      path: join(root, 'docs/dir/a.png'),
      source: 'local',
      localName: 'fc944b18__a.png' /* md5('/data/local-files/?d=dir/a.png')[:8], computed with Python */,
    });
    const b = await resolver.resolve('/data/local-files/?d=space%20dir/b.png');
    expect(b.path).toBe(join(root, 'docs/space dir/b.png'));
    expect(await resolver.imageInfo('/data/local-files/?d=space%20dir/b.png')).toEqual({
      width: 41,
      height: 31,
      channels: 4,
    });
    expect(report.skippedCount).toBe(0);
  });

  it('never reads outside the document root', async () => {
    const { resolver, report } = resolverWith({ localFilesRoot: join(root, 'docs') });
    for (const d of [
      '../secret.txt',
      '..%2fsecret.txt',
      `${join(root, 'secret.txt')}`,
      'dir/../../secret.txt',
    ]) {
      const resolved = await resolver.resolve(`/data/local-files/?d=${d}`, { taskIndex: 0 });
      expect(resolved.path, d).toBeUndefined();
      expect(resolved.error, d).toMatch(/not found under the local files root/);
    }
    expect(report.countsByCode()).toEqual({ 'resource-not-found': 4 });
  });

  it('reads /data/upload/<project>/<file> from the upload folder, or <project-dir>/upload', async () => {
    const { resolver } = resolverWith({ uploadDir: join(root, 'upload') });
    expect(await resolver.resolve('/data/upload/3/up.png')).toMatchObject({
      kind: 'upload',
      path: join(root, 'upload/3/up.png'),
      localName: 'up.png',
    });
    expect(await resolver.imageInfo('upload/3/up.png')).toEqual({ width: 42, height: 32, channels: 3 });
    expect(await resolver.audioDuration('/data/upload/3/voice.wav')).toBeCloseTo(0.75, 9);
    const fromProject = resolverWith({ projectDir: join(root, 'project') }).resolver;
    expect((await fromProject.resolve('/data/upload/5/p.png')).path).toBe(
      join(root, 'project/upload/5/p.png'),
    );
    expect((await resolver.resolve('/data/upload/../secret.txt')).path).toBeUndefined();
  });

  it('reads plain absolute paths, and relative paths from the input folder', async () => {
    const { resolver } = resolverWith({ baseDir: join(root, 'input') });
    expect((await resolver.resolve(join(root, 'abs.png'))).path).toBe(join(root, 'abs.png'));
    expect((await resolver.resolve('rel/c.png')).path).toBe(join(root, 'input/rel/c.png'));
    expect((await resolver.imageInfo('rel/c.png'))?.width).toBe(44);
    const noPlain = resolverWith({ baseDir: join(root, 'input'), allowPlainPaths: false }).resolver;
    expect((await noPlain.resolve('rel/c.png')).path).toBeUndefined();
  });

  it('without downloads, a missing plain path is named, not reported (the Python converter names it too)', async () => {
    const report = new ConversionReport('TEST');
    const resolver = createResourceResolver({ baseDir: root }, report);
    const resolved = await resolver.resolve('nothing-here.jpg');
    expect(resolved).toEqual({
      url: 'nothing-here.jpg',
      kind: 'path',
      localName: expect.stringMatching(/^[0-9a-f]{8}__nothing-here\.jpg$/),
    });
    expect(report.skippedCount).toBe(0);
  });
});

describe('http(s) downloads', () => {
  it('downloads into the cache, and a second run reuses it without a request', async () => {
    const cacheDir = freshCache();
    const url = `${media.url}/img/cached.png`;
    const first = createResourceResolver({ cacheDir, download: true });
    const one = await first.resolve(url);
    expect(one.source).toBe('download');
    expect(readFileSync(one.path!)).toEqual(makePng(64, 48));
    expect(media.count('/img/cached.png')).toBe(1);
    const second = createResourceResolver({ cacheDir, download: true });
    const two = await second.resolve(url);
    expect(two).toMatchObject({ source: 'cache', path: one.path, localName: one.localName });
    expect(await second.imageInfo(url)).toEqual({ width: 64, height: 48, channels: 3 });
    expect(media.count('/img/cached.png')).toBe(1);
    expect(second.progress()).toMatchObject({ requested: 0, cached: 1 });
  });

  it('does not touch the network when downloads are off', async () => {
    const { resolver, report } = resolverWith({ download: false });
    const resolved = await resolver.resolve(`${media.url}/img/offline.png`);
    expect(resolved.path).toBeUndefined();
    expect(resolved.error).toBeUndefined();
    expect(media.count('/img/offline.png')).toBe(0);
    expect(report.skippedCount).toBe(0);
    // `fetch` allows reading facts without copying into the output.
    const fetching = resolverWith({ download: false, fetch: true }).resolver;
    expect((await fetching.imageInfo(`${media.url}/img/offline.png`))?.width).toBe(64);
  });

  it('reads audio duration of a downloaded WAV', async () => {
    const { resolver } = resolverWith();
    expect(await resolver.audioDuration(`${media.url}/audio/clip.wav`)).toBeCloseTo(1.25, 9);
  });

  it('retries a 500 and then succeeds', async () => {
    flakyFailures = new Map([
      ['/flaky/once.png', 1],
      ['/flaky/twice.png', 2],
    ]);
    const { resolver, report } = resolverWith({ retries: 2 });
    expect((await resolver.resolve(`${media.url}/flaky/once.png`)).source).toBe('download');
    expect(media.count('/flaky/once.png')).toBe(2);
    expect((await resolver.resolve(`${media.url}/flaky/twice.png`)).source).toBe('download');
    expect(media.count('/flaky/twice.png')).toBe(3);
    expect(report.skippedCount).toBe(0);
  });

  it('gives up after the retries and reports the 500', async () => {
    flakyFailures = new Map([['/flaky/stubborn.png', 5]]);
    const { resolver, report } = resolverWith({ retries: 1 });
    const resolved = await resolver.resolve(`${media.url}/flaky/stubborn.png`, {
      taskId: 7,
      taskIndex: 2,
      field: 'data.image',
    });
    expect(resolved.error).toMatch(/HTTP 500/);
    expect(media.count('/flaky/stubborn.png')).toBe(2);
    expect(report.entries()).toEqual([
      expect.objectContaining({
        kind: 'resource',
        code: 'resource-download-failed',
        taskId: 7,
        taskIndex: 2,
        field: 'data.image',
      }),
    ]);
  });

  it('reports a 404 without retrying', async () => {
    const { resolver, report } = resolverWith({ retries: 3 });
    const resolved = await resolver.resolve(`${media.url}/missing/x.png`, { taskId: 1 });
    expect(resolved.error).toBe('download failed: HTTP 404 Not Found');
    expect(media.count('/missing/x.png')).toBe(1);
    expect(report.entries()[0]?.reason).toContain(`${media.url}/missing/x.png`);
  });

  it('times out a slow server, and waits for it with a longer time-out', async () => {
    const { resolver, report } = resolverWith({ timeoutMs: 100, retries: 0 });
    const slow = await resolver.resolve(`${media.url}/slow/a.png?ms=2000`);
    expect(slow.error).toMatch(/no answer for 100 ms/);
    expect(report.countsByCode()).toEqual({ 'resource-download-failed': 1 });
    const patient = resolverWith({ timeoutMs: 20_000 }).resolver;
    expect((await patient.resolve(`${media.url}/slow/b.png?ms=200`)).source).toBe('download');
  });

  it('times out a stalled body, but not a slow one that keeps coming', async () => {
    const { resolver, report } = resolverWith({ timeoutMs: 1000, retries: 0 });
    expect((await resolver.resolve(`${media.url}/stall`)).error).toMatch(/the body stalled: no byte for 1 s/);
    expect(report.countsByCode()).toEqual({ 'resource-download-failed': 1 });
    const started = Date.now();
    const trickled = await resolver.resolve(`${media.url}/trickle?for=1500`);
    expect(trickled.source).toBe('download');
    // The whole download took longer than the time-out: it limits the gaps, not the total.
    expect(Date.now() - started).toBeGreaterThan(1000);
    const length = readFileSync(trickled.path!).length;
    expect(length % 100).toBe(0);
    expect(length).toBeGreaterThan(0);
    // The stalled download left no partial file behind.
    expect(readdirSync(resolver.options.cacheDir!)).toEqual([trickled.path!.split('/').pop()]);
  });

  it('enforces the size cap', async () => {
    const { resolver, report } = resolverWith({ maxBytes: 1000 });
    expect((await resolver.resolve(`${media.url}/big`)).error).toMatch(/1000-byte limit/);
    expect(report.countsByCode()).toEqual({ 'resource-too-large': 1 });
    expect((await resolverWith({ maxBytes: 5000 }).resolver.resolve(`${media.url}/big`)).source).toBe(
      'download',
    );
  });

  it('follows redirects, but not forever', async () => {
    const { resolver } = resolverWith();
    expect((await resolver.resolve(`${media.url}/redirect`)).source).toBe('download');
    expect(media.count('/img/redirected.png')).toBe(1);
    expect((await resolver.resolve(`${media.url}/loop`)).error).toMatch(/more than 5 redirects/);
  });

  it('keeps at most `concurrency` downloads in flight, and fetches each URL once', async () => {
    // The first answers wait until three requests are in flight at once (or 10 s pass), so
    // the overlap the test counts is what the resolver asks for, however it is scheduled.
    const waiting: (() => void)[] = [];
    let gateOpen = false;
    const openGate = () => {
      gateOpen = true;
      for (const go of waiting.splice(0)) go();
    };
    const server = await startServer(async (_req, res) => {
      if (!gateOpen)
        await new Promise<void>((resolve) => {
          waiting.push(resolve);
          if (waiting.length >= 3) openGate();
          else setTimeout(openGate, 10_000).unref();
        });
      await new Promise((resolve) => setTimeout(resolve, 30));
      send(res, makePng(2, 2), 'image/png');
    });
    try {
      const seen: ResourceProgress[] = [];
      const { resolver } = resolverWith({ concurrency: 3, onProgress: (p) => seen.push(p) });
      const urls = Array.from({ length: 12 }, (_, i) => `${server.url}/p/${i % 10}.png`);
      resolver.prefetch(urls);
      const results = await Promise.all(urls.map((url) => resolver.resolve(url)));
      expect(results.every((r) => r.path)).toBe(true);
      expect(server.requests).toHaveLength(10);
      expect(server.maxInFlight).toBe(3);
      expect(resolver.progress()).toMatchObject({ requested: 10, done: 10, failed: 0, active: 0 });
      expect(Math.max(...seen.map((p) => p.active))).toBeLessThanOrEqual(3);
    } finally {
      await server.close();
    }
  });
});

describe('prefetch', () => {
  it('with copy, fetches for copyTo even when downloads are off, once', async () => {
    const server = await startServer(async (_req, res) => send(res, makePng(3, 2), 'image/png'));
    try {
      const { resolver, report } = resolverWith({ download: false });
      const url = `${server.url}/p/a.png`;
      resolver.prefetch([url]);
      // Downloads are off: a plain prefetch fetches nothing.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(server.requests).toHaveLength(0);
      resolver.prefetch([{ url, context: { taskId: 1 } }], { copy: true });
      while (resolver.progress().done < 1) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(server.requests).toHaveLength(1);
      const sink = memorySink();
      expect(await resolver.copyTo(sink, url, 'images/a.png', { taskId: 1 })).toBe(true);
      expect(server.requests).toHaveLength(1);
      // A cloud reference without its task id cannot be presigned: nothing starts, nothing is reported.
      resolver.prefetch(['s3://bucket/a.png'], { copy: true });
      expect(report.countsByCode()).toEqual({});
    } finally {
      await server.close();
    }
  });
});

describe('the Label Studio server', () => {
  const lsOptions = () => ({ lsUrl: ls.url, lsToken: TOKEN });

  it('sends the token to the Label Studio host only', async () => {
    const { resolver, report } = resolverWith(lsOptions());
    const path = `/data/auth/only-ls-${Date.now()}.png`;
    expect((await resolver.resolve(`${ls.url}${path}`)).source).toBe('download');
    expect(ls.requests.find((r) => r.path === path)?.authorization).toBe(`Token ${TOKEN}`);
    // Same path on another host: no token, so that host refuses it.
    const other = await resolver.resolve(`${media.url}${path}`, { taskId: 3 });
    expect(other.error).toMatch(/HTTP 401/);
    expect(media.requests.filter((r) => r.path === path).map((r) => r.authorization)).toEqual([undefined]);
    expect(report.countsByCode()).toEqual({ 'resource-download-failed': 1 });
  });

  it('sends the token to its media paths only, after resolving .. and percent-encoding', async () => {
    const { resolver, report } = resolverWith(lsOptions());
    const stamp = Date.now();
    for (const reference of [
      `/data/../api/projects/1/export?n=${stamp}`,
      `/data/%2e%2e/api/projects/2/export?n=${stamp}`,
      `/data/upload/..%2F..%2Fapi/projects/3/export?n=${stamp}`,
      `${ls.url}/api/projects/4/export?n=${stamp}`,
    ]) {
      const resolved = await resolver.resolve(reference, { taskId: 1 });
      expect(resolved.error, reference).toMatch(/HTTP 401/);
    }
    const apiRequests = ls.requests.filter((r) => r.path.includes('api/projects'));
    expect(apiRequests.length).toBeGreaterThanOrEqual(4);
    expect(apiRequests.map((r) => r.authorization)).toEqual(apiRequests.map(() => undefined));
    expect(report.countsByCode()).toEqual({ 'resource-download-failed': 4 });
  });

  it('resolves paths relative to the server', async () => {
    const { resolver } = resolverWith(lsOptions());
    const resolved = await resolver.resolve('/data/images/x.png');
    expect(resolved.source).toBe('download');
    expect(resolved.localName).toMatch(/^[0-9a-f]{8}__x\.png$/);
    expect((await resolver.imageInfo('/data/images/x.png'))?.height).toBe(27);
  });

  it('fetches uploads through the storage proxy, then the legacy /data/upload path, named like the SDK', async () => {
    const { resolver, report } = resolverWith(lsOptions());
    const proxied = await resolver.resolve('/data/upload/9/remote.png');
    expect(proxied.source).toBe('download');
    const proxyUrl = `${ls.url}/storage-data/uploaded/?filepath=upload/9/remote.png`;
    expect(proxied.localName).toBe(
      createResourceResolver().describe(proxyUrl).localName.replace(/__.*$/, '__remote.png'),
    );
    const legacy = await resolver.resolve('/data/upload/9/legacy-only.png');
    expect(legacy.source).toBe('download');
    expect(ls.count('/storage-data/uploaded/?filepath=upload/9/legacy-only.png')).toBe(1);
    expect(ls.count('/data/upload/9/legacy-only.png')).toBe(1);
    expect(report.skippedCount).toBe(0);
  });

  it('fetches local-files that are not on disk from the server', async () => {
    const { resolver } = resolverWith({ ...lsOptions(), localFilesRoot: join(root, 'docs') });
    expect((await resolver.resolve('/data/local-files/?d=dir/a.png')).source).toBe('local');
    const remote = await resolver.resolve('/data/local-files/?d=remote/r.png');
    expect(remote.source).toBe('download');
    expect((await resolver.imageInfo('/data/local-files/?d=remote/r.png'))?.width).toBe(24);
  });

  it('presigns s3, gs and azure-blob URIs per task, without leaking the token to the bucket', async () => {
    const { resolver, report } = resolverWith(lsOptions());
    const uri = 's3://bucket/dir/cloud-a.png';
    const resolved = await resolver.resolve(uri, { taskId: 42 });
    expect(resolved).toMatchObject({
      kind: 'cloud',
      source: 'download',
      localName: createResourceResolver().describe(uri).localName,
    });
    const base64 = Buffer.from(uri).toString('base64');
    expect(presigned).toContain(`42 ${uri} ${base64.replace(/\+/g, '-').replace(/\//g, '_')}`);
    expect(
      media.requests.filter((r) => r.path === '/bucket/cloud-a.png').map((r) => r.authorization),
    ).toEqual([undefined]);
    for (const other of ['gs://b/cloud-b.png', 'azure-blob://c/cloud-c.png']) {
      expect((await resolver.resolve(other, { taskId: 'x' })).source).toBe('download');
    }
    const noTask = await resolver.resolve('s3://bucket/dir/other.png');
    expect(noTask.error).toMatch(/no id/);
    expect(report.countsByCode()).toEqual({ 'resource-needs-task-id': 1 });
  });

  it('needs a token for server files, and reports server references when no server is set', async () => {
    const { resolver, report } = resolverWith({ lsUrl: ls.url });
    expect((await resolver.resolve('/data/upload/9/remote.png')).error).toMatch(/API token/);
    const none = resolverWith({});
    expect((await none.resolver.resolve('s3://bucket/a.png', { taskId: 1 })).error).toMatch(/--ls-url/);
    expect(report.countsByCode()).toEqual({ 'resource-needs-token': 1 });
    expect(none.report.countsByCode()).toEqual({ 'resource-not-found': 1 });
  });

  it('sends a JWT token as Bearer, like the SDK', async () => {
    const { resolver } = resolverWith({ lsUrl: ls.url, lsToken: jwt });
    const path = `/data/auth/jwt-${Date.now()}.png`;
    expect((await resolver.resolve(`${ls.url}${path}`)).source).toBe('download');
    expect(ls.requests.find((r) => r.path === path)?.authorization).toBe(`Bearer ${jwt}`);
  });
});

describe('failures do not stop the export', () => {
  const copyFormat = defineFormat({
    id: 'TEST_MEDIA',
    title: 'Test media',
    description: 'Copies each task image into images/.',
    output: 'folder',
    async export(tasks, ctx) {
      let index = 0;
      const lines: string[] = [];
      for await (const task of tasks) {
        const url = String(task.data.image);
        const dest = ctx.resources.outputPath('images', url);
        const ok = await ctx.resources.copyTo(ctx.sink, url, dest, {
          taskId: task.id,
          taskIndex: index++,
          field: 'data.image',
        });
        lines.push(`${ok ? dest : url}`);
      }
      await ctx.sink.writeFile('list.txt', `${lines.join('\n')}\n`);
    },
  });
  const tasks = () => [
    { id: 1, data: { image: `${media.url}/img/one.png` } },
    { id: 2, data: { image: `${media.url}/missing/two.png` } },
    { id: 3, data: { image: '/data/upload/3/up.png' } },
    { id: 4, data: { image: 's3://bucket/four.png' } },
  ];

  it('reports each failed resource with task id, URL and reason, and writes the rest', async () => {
    const sink = memorySink();
    const report = await runExport({
      format: copyFormat,
      tasks: arrayTaskSource(tasks()),
      sink,
      resources: { download: true, cacheDir: freshCache(), uploadDir: join(root, 'upload'), retryDelayMs: 1 },
    });
    expect([...sink.files.keys()].sort()).toEqual([
      expect.stringMatching(/^images\/[0-9a-f]{8}__one\.png$/),
      'images/up.png',
      'list.txt',
    ]);
    expect(Buffer.from(sink.files.get('images/up.png')!)).toEqual(
      readFileSync(join(root, 'upload/3/up.png')),
    );
    expect([...sink.files.keys()].filter((p) => p.startsWith('images/'))).toHaveLength(2);
    expect(report.countsByCode()).toEqual({ 'resource-download-failed': 1, 'resource-not-found': 1 });
    const entries = report.entries();
    expect(entries.map((e) => e.taskId)).toEqual([2, 4]);
    expect(entries[0]?.reason).toContain(`${media.url}/missing/two.png`);
    expect(entries[0]?.reason).toContain('HTTP 404');
    expect(sink.text('list.txt')).toContain('s3://bucket/four.png');
  });

  it('--strict makes a failed resource fatal', async () => {
    const sink = memorySink();
    const error = await runExport({
      format: copyFormat,
      tasks: arrayTaskSource(tasks()),
      sink,
      resources: {
        download: true,
        cacheDir: freshCache(),
        uploadDir: join(root, 'upload'),
        strict: true,
        retryDelayMs: 1,
      },
    }).catch((e: unknown) => e);
    expect(isLsconvError(error)).toBe(true);
    expect((error as { code: string }).code).toBe('RESOURCE');
    expect((error as Error).message).toContain('/missing/two.png');
    expect((error as Error).message).toContain('id 2');
    expect(sink.files.size).toBe(0);
  });

  it('never lets two sources overwrite each other', async () => {
    const report = new ConversionReport('TEST');
    const resolver = createResourceResolver(
      { uploadDir: join(root, 'upload'), projectDir: join(root, 'project') },
      report,
    );
    const a = resolver.outputPath('audio', '/data/upload/3/up.png');
    const b = resolver.outputPath('audio', '/data/upload/4/up.png');
    expect(a).toBe('audio/up.png');
    expect(b).toMatch(/^audio\/up_[0-9a-f]{4}\.png$/);
    expect(resolver.outputPath('audio', '/data/upload/3/up.png')).toBe(a);
    const sink = memorySink();
    expect(await resolver.copyTo(sink, '/data/upload/3/up.png', 'x/up.png')).toBe(true);
    expect(await resolver.copyTo(sink, '/data/upload/3/up.png', 'x/up.png')).toBe(true);
    expect(await resolver.copyTo(sink, join(root, 'abs.png'), 'x/up.png')).toBe(false);
    expect(report.countsByCode()).toEqual({ 'resource-name-collision': 1 });
    await sink.commit();
    expect(Buffer.from(sink.files.get('x/up.png')!)).toEqual(readFileSync(join(root, 'upload/3/up.png')));
  });

  it('copies a source once when asked at the same time, and tells a later source apart while the first copies', async () => {
    const report = new ConversionReport('TEST');
    const resolver = createResourceResolver({ uploadDir: join(root, 'upload') }, report);
    const sink = memorySink();
    let created = 0;
    const counting: typeof sink = {
      ...sink,
      has: (path) => sink.has(path),
      writeFile(path, data) {
        created++;
        return sink.writeFile(path, data);
      },
      createFile(path) {
        created++;
        return sink.createFile(path);
      },
    };
    const same = '/data/upload/3/up.png';
    const results = await Promise.all([
      resolver.copyTo(counting, same, 'y/up.png'),
      resolver.copyTo(counting, same, 'y/up.png'),
      resolver.copyTo(counting, join(root, 'abs.png'), 'y/up.png'),
    ]);
    expect(results).toEqual([true, true, false]);
    // Copied: the same source is answered from memory, another source is still refused.
    expect(await resolver.copyTo(counting, same, 'y/up.png')).toBe(true);
    expect(await resolver.copyTo(counting, join(root, 'abs.png'), 'y/up.png')).toBe(false);
    expect(created).toBe(1);
    expect(report.countsByCode()).toEqual({ 'resource-name-collision': 1 });
  });

  it.each([
    ['blocking', true],
    ['through the thread pool', false],
  ])(
    'copies small files whole and large ones as a stream, byte for byte (%s)',
    async (_, blockingFileAccess) => {
      const resolver = createResourceResolver({ uploadDir: join(root, 'upload'), blockingFileAccess });
      const sink = memorySink();
      const sizes = [0, 1, 1024 * 1024, 1024 * 1024 + 1, 3 * 1024 * 1024 + 17];
      for (const size of sizes) {
        const bytes = Buffer.alloc(size);
        for (let i = 0; i < size; i++) bytes[i] = (i * 31 + size) & 0xff;
        writeFileSync(join(root, 'upload', `sized-${size}.bin`), bytes);
        expect(await resolver.copyTo(sink, `/data/upload/sized-${size}.bin`, `sized/${size}.bin`)).toBe(true);
      }
      await sink.commit();
      for (const size of sizes) {
        const copy = Buffer.from(sink.files.get(`sized/${size}.bin`)!);
        expect(copy.equals(readFileSync(join(root, 'upload', `sized-${size}.bin`)))).toBe(true);
      }
    },
  );

  it('tries a failed copy again, and never overwrites a file the sink already holds', async () => {
    const report = new ConversionReport('TEST');
    const resolver = createResourceResolver({ uploadDir: join(root, 'upload') }, report);
    const sink = memorySink();
    expect(await resolver.copyTo(sink, '/data/upload/3/missing.png', 'z/a.png')).toBe(false);
    expect(report.countsByCode()).toEqual({ 'resource-not-found': 1 });
    // The failure claimed nothing: another source may take the name.
    expect(await resolver.copyTo(sink, '/data/upload/3/up.png', 'z/a.png')).toBe(true);
    await sink.writeFile('z/b.png', 'mine');
    expect(await resolver.copyTo(sink, '/data/upload/3/up.png', 'z/b.png')).toBe(false);
    expect(report.countsByCode()).toEqual({ 'resource-not-found': 1, 'resource-name-collision': 1 });
    await sink.commit();
    expect(Buffer.from(sink.files.get('z/b.png')!).toString()).toBe('mine');
  });
});

describe('the private-address guard', () => {
  it('refuses loopback when private addresses are not allowed, before any request', async () => {
    const before = media.requests.length;
    const { resolver, report } = resolverWith({ allowPrivateAddresses: false });
    const resolved = await resolver.resolve(`${media.url}/img/guarded.png`);
    expect(resolved.error).toMatch(/private address 127\.0\.0\.1/);
    expect(media.requests.length).toBe(before);
    expect(report.countsByCode()).toEqual({ 'resource-blocked-address': 1 });
    const named = await resolver.resolve(`http://localhost:${new URL(media.url).port}/img/guarded.png`);
    expect(named.error).toMatch(/private address/);
    expect(media.requests.length).toBe(before);
  });

  it('also checks every redirect hop', async () => {
    const { resolver } = resolverWith({ lsUrl: ls.url, lsToken: TOKEN, allowPrivateAddresses: false });
    expect((await resolver.resolve('s3://bucket/guarded.png', { taskId: 1 })).error).toMatch(
      /private address/,
    );
  });

  it('checks the lookup the connection itself uses (no DNS rebinding window)', async () => {
    // A DNS server that answers the address check with a public address and the
    // connection with a private one: the connection's lookup refuses it.
    const answers = [
      [{ address: '93.184.216.34', family: 4 }],
      [
        { address: '93.184.216.35', family: 4 },
        { address: '127.0.0.1', family: 4 },
      ],
    ];
    const rebinding = ((_host: string, _options: unknown, callback: (e: null, a: unknown) => void) =>
      callback(null, answers.shift())) as unknown as typeof import('node:dns').lookup;
    const lookups: unknown[] = [];
    const record = (error: unknown, address: unknown) => lookups.push(error ?? address);
    guardedLookup('rebind.example', {}, record, rebinding);
    guardedLookup('rebind.example', { all: true }, record, rebinding);
    expect(lookups[0]).toBe('93.184.216.34');
    expect(lookups[1]).toMatchObject({ code: PRIVATE_ADDRESS_CODE, message: /127\.0\.0\.1/ });

    // The guarded connection pool refuses a name that resolves to loopback before sending anything.
    const before = media.requests.length;
    const url = `http://localhost:${new URL(media.url).port}/img/guarded.png`;
    const status = (agent?: import('node:http').Agent) =>
      new Promise<number | { code?: string }>((resolve) => {
        const req = httpGet(url, agent ? { agent } : {}, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', (error) => resolve(error as { code?: string }));
      });
    expect(await status(guardedAgent('http:'))).toMatchObject({ code: PRIVATE_ADDRESS_CODE });
    expect(media.requests.length).toBe(before);
    // Without the guard the same request goes through, so the refusal above is the guard's.
    expect(await status()).toBe(200);
  });

  it.each([
    ['127.0.0.1', true],
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['172.32.0.1', false],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['::1', true],
    ['::', true],
    ['fe80::1', true],
    ['fd00::1', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:8.8.8.8', false],
    ['8.8.8.8', false],
    ['2001:4860:4860::8888', false],
    ['not-an-ip', true],
  ])('%s private: %s', (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });
});

describe('getLocalPath (the get_local_path counterpart)', () => {
  it('downloads by default, taking the server and token from the environment', async () => {
    const cacheDir = freshCache();
    const env = { LABEL_STUDIO_URL: ls.url, LABEL_STUDIO_API_KEY: TOKEN, LSCONV_CACHE_DIR: cacheDir };
    const path = await getLocalPath('/data/upload/9/remote.png', { env });
    expect(path.startsWith(cacheDir)).toBe(true);
    expect(readdirSync(cacheDir)).toHaveLength(1);
    expect(await getLocalPath('s3://bucket/env.png', { env, taskId: 5 })).toMatch(/__env\.png$/);
  });

  it('returns local files as they are, and throws RESOURCE when it cannot', async () => {
    expect(
      await getLocalPath('/data/local-files/?d=dir/a.png', {
        localFilesRoot: join(root, 'docs'),
        env: false,
      }),
    ).toBe(join(root, 'docs/dir/a.png'));
    const error = await getLocalPath(`${media.url}/missing/y.png`, {
      env: false,
      cacheDir: freshCache(),
      retries: 0,
    }).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('RESOURCE');
    const off = await getLocalPath(`${media.url}/img/z.png`, {
      env: false,
      cacheDir: freshCache(),
      download: false,
    }).catch((e: unknown) => e);
    expect((off as Error).message).toMatch(/downloads are off/);
  });

  it('reads the SDK environment variables', () => {
    expect(
      resourceOptionsFromEnv({
        LOCAL_FILES_DOCUMENT_ROOT: '/docs',
        LS_UPLOAD_DIR: '/up',
        LABEL_STUDIO_HOST: 'http://h:8080',
        LABEL_STUDIO_ACCESS_TOKEN: 't',
        LABEL_STUDIO_URL: '',
      }),
    ).toEqual({ localFilesRoot: '/docs', uploadDir: '/up', lsUrl: 'http://h:8080', lsToken: 't' });
    expect(
      resourceOptionsFromEnv({
        LABEL_STUDIO_LOCAL_FILES_DOCUMENT_ROOT: '/a',
        LOCAL_FILES_DOCUMENT_ROOT: '/b',
      }).localFilesRoot,
    ).toBe('/a');
  });

  it('rejects a server URL without http(s) and bad numbers', () => {
    expect(() => createResourceResolver({ lsUrl: 'label.example.org' })).toThrow(/full http/);
    expect(() => createResourceResolver({ concurrency: 0 })).toThrow(/concurrency/);
  });
});
