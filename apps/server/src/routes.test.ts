// The route table and the OpenAPI document cannot drift apart: every route Fastify
// answers is in the document generated from the route schemas, and the only routes
// left out are the public ones (page, health, the document itself).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDir, startTestServer, type TestServer } from './test-helpers.js';

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.stop();
  removeDir(t.dataDir);
});

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

describe('routes and the OpenAPI document', () => {
  it('documents every route the server answers, and nothing else', async () => {
    const doc = (await (await fetch(`${t.base}/api/docs`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((m) => METHODS.includes(m))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    const answered = t.app.routes
      .filter((r) => !r.hidden)
      .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
    expect(answered.length).toBeGreaterThanOrEqual(15);
    expect([...answered].sort()).toEqual([...documented].sort());
  });

  it('leaves out only the public routes, which answer without a key', async () => {
    const hidden = t.app.routes.filter((r) => r.hidden);
    expect(hidden.map((r) => `${r.method} ${r.url}`).sort()).toEqual([
      'GET /',
      'GET /api/docs',
      'GET /api/version',
      'GET /health',
      'GET /index.html',
      'GET /ready',
    ]);
    for (const r of hidden) expect((await fetch(`${t.base}${r.url}`)).status, r.url).toBe(200);
  });

  it('/ready says the database and the job queue answer, and 503 once they do not', async () => {
    const ready = await fetch(`${t.base}/ready`);
    expect(await ready.json()).toEqual({ status: 'READY', database: 'ok', queue: 'ok' });
    const store = t.app.store;
    const ping = store.ping;
    store.ping = async () => {
      throw new Error('connection refused');
    };
    try {
      const down = await fetch(`${t.base}/ready`);
      expect(down.status).toBe(503);
      expect(await down.json()).toEqual({ status: 'NOT READY', database: 'connection refused', queue: 'ok' });
    } finally {
      store.ping = ping;
    }
  });

  it('answers 405 in the envelope for a known path with another method, 404 for an unknown one', async () => {
    const put = await t.api('/api/projects', { method: 'PUT', json: {} });
    expect(put.status).toBe(405);
    expect(((await put.json()) as { detail: string }).detail).toBe('Method "PUT" not allowed.');
    expect((await t.api('/api/projects/1/nothing')).status).toBe(404);
    expect((await fetch(`${t.base}/`, { method: 'POST' })).status).toBe(405);
  });
});
