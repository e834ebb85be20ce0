// The server under abuse: missing and wrong tokens on every route, oversized and malformed
// bodies, slow clients, deep nesting, media URLs aimed at private addresses and local
// files, and more exports at once than the server allows.
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type Socket } from 'node:net';
import { defineFormat } from '@lsconv/core';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BOX_CONFIG,
  box,
  fetchFormat,
  idsFormat,
  registryOf,
  removeDir,
  startTestServer,
  type TestServer,
  testRegistry,
} from './test-helpers.js';

async function newProject(t: TestServer, labelConfig = BOX_CONFIG): Promise<number> {
  const res = await t.api('/api/projects', {
    method: 'POST',
    json: { title: 'Abuse', label_config: labelConfig },
  });
  return ((await res.json()) as { id: number }).id;
}

async function taskCount(t: TestServer, id: number): Promise<number> {
  return ((await (await t.api(`/api/projects/${id}`)).json()) as { task_number: number }).task_number;
}

/** A raw HTTP exchange: what the server answered (status line and body), or how the connection ended. */
function raw(
  base: string,
  write: (socket: Socket) => void,
): Promise<{ status: number | undefined; text: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let text = '';
    socket.on('data', (d) => {
      text += d;
    });
    const done = () => resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1]) || undefined, text });
    socket.on('close', done);
    socket.on('error', () => undefined);
    socket.on('connect', () => write(socket));
  });
}

/** POST with a hand-built body (multipart tests need exact bytes). */
function post(
  t: TestServer,
  path: string,
  headers: Record<string, string>,
  body: Buffer | string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(`${t.base}${path}`);
    const req = httpRequest(
      url,
      { method: 'POST', headers: { authorization: `Token ${t.key}`, ...headers } },
      (res) => {
        let text = '';
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode!, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('tokens', () => {
  let t: TestServer;
  let projectId: number;
  beforeAll(async () => {
    t = await startTestServer();
    projectId = await newProject(t);
    await t.api(`/api/projects/${projectId}/import`, {
      method: 'POST',
      json: [{ data: { image: 'a.jpg' } }],
    });
  });
  afterAll(async () => {
    await t.stop();
    removeDir(t.dataDir);
  });

  // The document the server generates from its route schemas (and serves at /api/docs).
  let routes: { method: string; path: string }[] = [];
  beforeAll(async () => {
    routes = Object.entries((await t.app.openApi()).paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, item]) =>
        Object.keys(item)
          .filter((m) => ['get', 'post', 'patch', 'delete', 'put'].includes(m))
          .map((method) => ({ method: method.toUpperCase(), path })),
    );
  });

  it('covers every documented /api route', () => {
    expect(routes.length).toBeGreaterThanOrEqual(14);
  });

  const BAD: Record<string, string | undefined> = {
    'no header': undefined,
    'empty token': 'Token ',
    'wrong token': 'Token wrong',
    'the key with a suffix': 'Token test-keyx',
    'a prefix of the key': 'Token test-ke',
    'another scheme': 'Basic dGVzdC1rZXk6',
    'the key alone': 'test-key',
    'two tokens': 'Token test-key test-key',
  };

  it('answers 401 on every route for every missing or wrong token, and changes nothing', async () => {
    const failures: string[] = [];
    for (const { method, path } of routes) {
      const concrete = path.replace('{id}', String(projectId)).replace('{export_pk}', '1');
      for (const [name, authorization] of Object.entries(BAD)) {
        const res = await fetch(`${t.base}${concrete}`, {
          method,
          headers: authorization === undefined ? {} : { authorization },
          ...(method === 'GET' || method === 'DELETE'
            ? {}
            : { body: JSON.stringify([{ data: { image: 'b.jpg' } }]) }),
        });
        if (res.status !== 401) failures.push(`${method} ${concrete} with ${name}: ${res.status}`);
        else if (!res.headers.get('www-authenticate'))
          failures.push(`${method} ${concrete}: no www-authenticate`);
        await res.arrayBuffer();
      }
    }
    expect(failures).toEqual([]);
    // Nothing was imported, renamed or deleted by the refused requests.
    expect(await taskCount(t, projectId)).toBe(1);
    expect(((await (await t.api('/api/projects')).json()) as { count: number }).count).toBe(1);
  });
});

describe('bodies', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ maxBodyBytes: 4096, maxImportBytes: 64 * 1024 });
  });
  afterAll(async () => {
    await t.stop();
    removeDir(t.dataDir);
  });

  it('refuses oversized JSON, JSON Lines and multipart bodies with 413 and imports nothing', async () => {
    const id = await newProject(t);
    const big = Array.from({ length: 2000 }, (_, i) => ({ data: { image: `img-${i}.jpg` } }));
    expect(
      (await t.api('/api/projects', { method: 'POST', json: { title: 'x', description: 'y'.repeat(8000) } }))
        .status,
    ).toBe(413);
    expect((await t.api(`/api/projects/${id}/import`, { method: 'POST', json: big })).status).toBe(413);
    const lines = big.map((x) => JSON.stringify(x)).join('\n');
    expect(
      (
        await t.api(`/api/projects/${id}/import`, {
          method: 'POST',
          body: lines,
          headers: { 'content-type': 'application/x-ndjson' },
        })
      ).status,
    ).toBe(413);
    const form = new FormData();
    form.append('file', new Blob([JSON.stringify(big)]), 'tasks.json');
    expect((await t.api(`/api/projects/${id}/import`, { method: 'POST', body: form })).status).toBe(413);
    expect(await taskCount(t, id)).toBe(0);
  });

  it('refuses a deep-nesting bomb in an import with 400, and keeps serving', async () => {
    const id = await newProject(t);
    const small = await startTestServer({ maxImportBytes: 4 * 1024 * 1024 });
    try {
      const sid = await newProject(small);
      const bomb = `[{"data":{"x":${'['.repeat(1_000_000)}`;
      const res = await small.api(`/api/projects/${sid}/import`, {
        method: 'POST',
        body: bomb,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(/nesting deeper than/);
      const objects = `{"data":${'{"a":'.repeat(500_000)}1${'}'.repeat(500_000)}}`;
      expect(
        (
          await small.api(`/api/projects/${sid}/import`, {
            method: 'POST',
            body: objects,
            headers: { 'content-type': 'application/json' },
          })
        ).status,
      ).toBe(400);
      // A JSON body of a plain route parses (JSON.parse is iterative) and is refused by validation.
      const deep = `{"title":"t","label_config":${'['.repeat(1000)}${']'.repeat(1000)}}`;
      const created = await small.api('/api/projects', {
        method: 'POST',
        body: deep,
        headers: { 'content-type': 'application/json' },
      });
      expect(created.status).toBe(400);
      expect(await taskCount(small, sid)).toBe(0);
      expect((await small.api('/api/projects')).status).toBe(200);
    } finally {
      await small.stop();
      removeDir(small.dataDir);
    }
    expect(await taskCount(t, id)).toBe(0);
  });

  it('answers malformed multipart with 400 and imports nothing', async () => {
    const id = await newProject(t);
    const path = `/api/projects/${id}/import`;
    const part = (name: string, content: string, boundary = 'XyZ') =>
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/json\r\n\r\n${content}\r\n`;
    const good = JSON.stringify([{ data: { image: 'a.jpg' } }]);
    const cases: Record<string, { headers: Record<string, string>; body: string }> = {
      'no boundary': { headers: { 'content-type': 'multipart/form-data' }, body: part('a.json', good) },
      'a boundary that never appears': {
        headers: { 'content-type': 'multipart/form-data; boundary=Other' },
        body: part('a.json', good),
      },
      'a truncated part': {
        headers: { 'content-type': 'multipart/form-data; boundary=XyZ' },
        body: part('a.json', good).slice(0, -20),
      },
      'a good part then a truncated one': {
        headers: { 'content-type': 'multipart/form-data; boundary=XyZ' },
        body: part('a.json', good) + part('b.json', good).slice(0, 60),
      },
      'a huge part header': {
        headers: { 'content-type': 'multipart/form-data; boundary=XyZ' },
        body: `--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.json"\r\nX-Junk: ${'j'.repeat(40_000)}\r\n\r\n${good}\r\n--XyZ--\r\n`,
      },
      'no closing boundary': {
        headers: { 'content-type': 'multipart/form-data; boundary=XyZ' },
        body: part('a.json', good),
      },
      'only fields, no file': {
        headers: { 'content-type': 'multipart/form-data; boundary=XyZ' },
        body: '--XyZ\r\nContent-Disposition: form-data; name="x"\r\n\r\n1\r\n--XyZ--\r\n',
      },
    };
    const problems: string[] = [];
    for (const [name, { headers, body }] of Object.entries(cases)) {
      const res = await post(t, path, headers, body).catch((e: Error) => ({ status: 0, text: e.message }));
      if (res.status < 400 || res.status >= 500)
        problems.push(`${name}: ${res.status} ${res.text.slice(0, 200)}`);
    }
    expect(problems).toEqual([]);
    expect(await taskCount(t, id)).toBe(0);
  });

  it('refuses a form with more files than allowed instead of dropping the rest', async () => {
    const big = await startTestServer({ maxBodyBytes: 1024 * 1024 });
    try {
      const id = await newProject(big);
      const parts = Array.from(
        { length: 101 },
        (_, i) =>
          `--XyZ\r\nContent-Disposition: form-data; name="file"; filename="t${i}.json"\r\n\r\n${JSON.stringify({ data: { image: `${i}.jpg` } })}\r\n`,
      ).join('');
      const res = await post(
        big,
        `/api/projects/${id}/import`,
        { 'content-type': 'multipart/form-data; boundary=XyZ' },
        `${parts}--XyZ--\r\n`,
      );
      expect(res.status).toBe(413);
      expect(res.text).toMatch(/more than 100 files/);
      expect(await taskCount(big, id)).toBe(0);
      // Many parts: fields beyond the parts limit are refused too.
      const fields = Array.from(
        { length: 1001 },
        (_, i) => `--XyZ\r\nContent-Disposition: form-data; name="f${i}"\r\n\r\nv\r\n`,
      ).join('');
      const many = await post(
        big,
        `/api/projects/${id}/import`,
        { 'content-type': 'multipart/form-data; boundary=XyZ' },
        `${fields}--XyZ--\r\n`,
      );
      expect(many.status).toBe(413);
    } finally {
      await big.stop();
      removeDir(big.dataDir);
    }
  });
});

describe('query numbers and response headers', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ registry: testRegistry() });
  });
  afterAll(async () => {
    await t?.stop();
    removeDir(t?.dataDir);
  });

  it('answers a page that is not a whole number from 1 with 404 Invalid page., never 500', async () => {
    const id = await newProject(t);
    for (const page of ['1e308', '-1', '0', '1.5', 'NaN', 'x', '99999999999999999999', 'Infinity']) {
      for (const path of [`/api/projects?page=${page}`, `/api/tasks?project=${id}&page=${page}`]) {
        const res = await t.api(path);
        expect(res.status, path).toBe(404);
        expect(await res.json(), path).toMatchObject({ detail: 'Invalid page.', status_code: 404 });
      }
    }
    expect((await t.api('/api/projects?page=1')).status).toBe(200);
  });

  it('the page runs only its own script and style (by hash), is never framed, and nothing is sniffed', async () => {
    const { createHash } = await import('node:crypto');
    const page = await fetch(`${t.base}/`);
    const html = await page.text();
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    for (const tag of ['script', 'style']) {
      const body = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(html)![1]!;
      expect(csp).toContain(`'sha256-${createHash('sha256').update(body).digest('base64')}'`);
    }
    for (const res of [page, await fetch(`${t.base}/health`), await t.api('/api/projects')])
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('slow clients', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({
      timeouts: { headersMs: 300, requestMs: 2000, bodyIdleMs: 300, checkIntervalMs: 100 },
    });
  });
  afterAll(async () => {
    await t.stop();
    removeDir(t.dataDir);
  });

  it('closes a connection whose headers trickle in, and keeps serving others meanwhile', async () => {
    let stop = false;
    const slow = raw(t.base, (socket) => {
      socket.write('GET /api/projects HTTP/1.1\r\nHost: x\r\n');
      const drip = () => {
        if (stop || socket.destroyed) return;
        socket.write('X-a: b\r\n');
        setTimeout(drip, 50);
      };
      drip();
    });
    // Served while the slow client is connected.
    expect((await t.api('/api/projects')).status).toBe(200);
    const answer = await slow;
    stop = true;
    expect(answer.status === 408 || answer.status === undefined).toBe(true);
    expect(answer.text).not.toMatch(/^HTTP\/1\.1 200/);
  });

  it('closes a connection whose body stops arriving; nothing is imported', async () => {
    const id = await newProject(t);
    const body = JSON.stringify([{ data: { image: 'a.jpg' } }]);
    const answer = await raw(t.base, (socket) => {
      socket.write(
        `POST /api/projects/${id}/import HTTP/1.1\r\nHost: x\r\nAuthorization: Token ${t.key}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
      );
      socket.write(body.slice(0, 10)); // and then nothing
    });
    expect(answer.status === 408 || answer.status === undefined).toBe(true);
    expect(await taskCount(t, id)).toBe(0);
  });

  it('closes a connection whose body trickles past the request time limit', async () => {
    const id = await newProject(t);
    const body = JSON.stringify(Array.from({ length: 200 }, (_, i) => ({ data: { image: `${i}.jpg` } })));
    let stop = false;
    const answer = await raw(t.base, (socket) => {
      socket.write(
        `POST /api/projects/${id}/import HTTP/1.1\r\nHost: x\r\nAuthorization: Token ${t.key}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
      );
      let at = 0;
      const drip = () => {
        if (stop || socket.destroyed || at >= body.length) return;
        socket.write(body.slice(at, at + 1));
        at++;
        setTimeout(drip, 100);
      };
      drip();
    });
    stop = true;
    expect(answer.status === 408 || answer.status === undefined).toBe(true);
    expect(await taskCount(t, id)).toBe(0);
    expect((await t.api('/api/projects')).status).toBe(200);
  });
});

describe('media URLs in task data', () => {
  let media: Server;
  let hits = 0;
  let port = 0;
  beforeAll(async () => {
    media = createServer((_req, res) => {
      hits++;
      res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from('png'));
    });
    await new Promise<void>((r) => media.listen(0, '127.0.0.1', () => r()));
    port = (media.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((r) => media.close(r));
  });

  const privateUrls = () => [
    `http://127.0.0.1:${port}/a.png`,
    `http://localhost:${port}/a.png`,
    `http://127.1:${port}/a.png`,
    `http://2130706433:${port}/a.png`,
    `http://0x7f000001:${port}/a.png`,
    `http://[::ffff:127.0.0.1]:${port}/a.png`,
    `http://[::1]:${port}/a.png`,
    `http://0.0.0.0:${port}/a.png`,
    'http://10.1.2.3/a.png',
    'http://192.168.1.1/a.png',
    'http://172.16.0.1/a.png',
    'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
    'http://[fd00::1]/a.png',
    'http://[fe80::1]/a.png',
  ];
  const localFiles = [
    'file:///etc/passwd',
    'file://localhost/etc/passwd',
    '/etc/passwd',
    '../../../../etc/passwd',
    '/data/local-files/?d=../../../../etc/passwd',
    '/data/upload/../../../../etc/passwd',
    '\\\\server\\share\\a.png',
  ];

  it('refuses private addresses and local files by default, without a single request', async () => {
    const t = await startTestServer();
    try {
      const id = await newProject(t);
      const urls = [...privateUrls(), ...localFiles];
      await t.api(`/api/projects/${id}/import`, {
        method: 'POST',
        json: urls.map((image) => ({ data: { image }, annotations: [{ result: [] }] })),
      });
      const before = hits;
      const res = await t.api(`/api/projects/${id}/export?exportType=TEST_FETCH&download_resources=true`);
      const lines = (await res.text()).trim().split('\n');
      expect(res.status).toBe(200);
      expect(lines).toHaveLength(urls.length);
      const fetched = lines
        .map((line, i) => [urls[i], line] as const)
        .filter(([, line]) => !line.startsWith('missing: '));
      expect(fetched).toEqual([]);
      // Every network address is refused as private, before connecting.
      for (const [i, line] of lines.slice(0, privateUrls().length).entries()) {
        expect(line, urls[i]).toMatch(/private address/);
      }
      expect(hits).toBe(before);
    } finally {
      await t.stop();
      removeDir(t.dataDir);
    }
  });

  it('a *_WITH_IMAGES export writes no image from a private address', async () => {
    const withImages = defineFormat({
      id: 'TEST_WITH_IMAGES',
      title: 'Test with images',
      description: 'Copies each image into images/.',
      output: 'folder',
      async export(tasks, ctx) {
        await ctx.sink.mkdir('images');
        let n = 0;
        for await (const task of tasks) {
          await ctx.resources.copyTo(ctx.sink, String(task.data.image), `images/${n++}.png`, {
            taskId: task.id,
          });
        }
        await ctx.sink.writeFile('count.txt', String(n));
      },
    });
    const t = await startTestServer({
      registry: registryOf([...testRegistry().formats.values()].map((f) => f.format).concat(withImages)),
    });
    try {
      const id = await newProject(t);
      await t.api(`/api/projects/${id}/import`, {
        method: 'POST',
        json: privateUrls().map((image) => ({ data: { image }, annotations: [{ result: [box('Car')] }] })),
      });
      const before = hits;
      const res = await t.api(
        `/api/projects/${id}/export?exportType=TEST_WITH_IMAGES&download_resources=true`,
      );
      expect(res.status).toBe(200);
      const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
      expect(Object.keys(files).filter((n) => n.startsWith('images/') && n !== 'images/')).toEqual([]);
      expect(new TextDecoder().decode(files['count.txt'])).toBe(String(privateUrls().length));
      expect(hits).toBe(before);
    } finally {
      await t.stop();
      removeDir(t.dataDir);
    }
  });
});

/**
 * The status of the first answer to `request` that is not a 503 (read in full), trying for
 * up to twenty seconds; the last 503 if none is.
 */
async function statusOnceServed(request: () => Promise<Response>): Promise<number> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await request();
    await res.arrayBuffer();
    if (res.status !== 503 || Date.now() > deadline) return res.status;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('concurrent exports', () => {
  let release!: () => void;
  let gate = new Promise<void>((r) => {
    release = r;
  });
  let entered = 0;
  const blocking = defineFormat({
    id: 'TEST_BLOCKING',
    title: 'Test blocking',
    description: 'Waits for the test to let it finish.',
    output: 'file',
    async export(tasks, ctx) {
      entered++;
      await gate;
      const out = await ctx.sink.createFile('result.txt');
      for await (const task of tasks) await out.write(`${task.id}\n`);
      await out.close();
    },
  });
  const streaming = defineFormat({
    id: 'TEST_STREAMING',
    title: 'Test streaming',
    description: 'Writes many files into the zip, slowly.',
    output: 'folder',
    async export(tasks, ctx) {
      for await (const _ of tasks) void _;
      for (let i = 0; i < 2000; i++) {
        await ctx.sink.writeFile(`f${i}.bin`, new Uint8Array(64 * 1024).fill(i % 251));
      }
    },
  });

  it('answers 503 with Retry-After past the cap, and serves again once exports finish', async () => {
    const t = await startTestServer({
      maxConcurrentEasyExports: 2,
      registry: registryOf([...testRegistry().formats.values()].map((f) => f.format).concat(blocking)),
    });
    try {
      const id = await newProject(t);
      await t.api(`/api/projects/${id}/import`, {
        method: 'POST',
        json: [{ data: { image: 'a.jpg' }, annotations: [{ result: [] }] }],
      });
      const url = `/api/projects/${id}/export?exportType=TEST_BLOCKING`;
      const first = t.api(url);
      const second = t.api(url);
      while (entered < 2) await new Promise((r) => setTimeout(r, 10));
      const third = await t.api(url);
      expect(third.status).toBe(503);
      expect(third.headers.get('retry-after')).toBe('5');
      expect(((await third.json()) as { detail: string }).detail).toMatch(
        /Too many exports are running \(2\)/,
      );
      // Other routes are not capped.
      expect((await t.api(`/api/projects/${id}/export?exportType=TEST_IDS`)).status).toBe(503);
      expect((await t.api('/api/projects')).status).toBe(200);
      release();
      // A response's status arrives with its headers, while the server is still sending the
      // body; the slot is freed once the body is sent. Read both bodies, then allow the
      // server the moment it takes to finish its side of each response.
      for (const res of [await first, await second]) {
        expect(res.status).toBe(200);
        await res.arrayBuffer();
      }
      expect(await statusOnceServed(() => t.api(url))).toBe(200);
    } finally {
      release();
      gate = Promise.resolve();
      await t.stop();
      removeDir(t.dataDir);
    }
  });

  it('many exports at once under the cap run together without a listener-leak warning', async () => {
    gate = new Promise<void>((r) => {
      release = r;
    });
    entered = 0;
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    const t = await startTestServer({
      maxConcurrentEasyExports: 20,
      registry: registryOf([...testRegistry().formats.values()].map((f) => f.format).concat(blocking)),
    });
    try {
      const id = await newProject(t);
      await t.api(`/api/projects/${id}/import`, {
        method: 'POST',
        json: [{ data: { image: 'a.jpg' }, annotations: [{ result: [] }] }],
      });
      const running = Array.from({ length: 12 }, () =>
        t.api(`/api/projects/${id}/export?exportType=TEST_BLOCKING`),
      );
      while (entered < 12) await new Promise((r) => setTimeout(r, 10));
      release();
      for (const res of await Promise.all(running)) expect(res.status).toBe(200);
      await new Promise((r) => setImmediate(r));
      expect(warnings.filter((w) => /MaxListeners/.test(w))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      release();
      await t.stop();
      removeDir(t.dataDir);
    }
  });

  it('a client that goes away in the middle of a zip frees its export slot', async () => {
    const t = await startTestServer({
      maxConcurrentEasyExports: 1,
      registry: registryOf([idsFormat, fetchFormat, streaming]),
    });
    try {
      const id = await newProject(t, '<View></View>');
      await t.api(`/api/projects/${id}/import`, {
        method: 'POST',
        json: [{ data: { x: 1 }, annotations: [{ result: [] }] }],
      });
      const controller = new AbortController();
      const res = await t.api(`/api/projects/${id}/export?exportType=TEST_STREAMING`, {
        signal: controller.signal,
      });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      await reader.read(); // the zip has started
      controller.abort();
      await reader.cancel().catch(() => undefined);
      // The slot comes back: a new export is served (it would stay 503 if the export waited forever).
      expect(await statusOnceServed(() => t.api(`/api/projects/${id}/export?exportType=TEST_IDS`))).toBe(200);
    } finally {
      await t.stop();
      removeDir(t.dataDir);
    }
  });
});
