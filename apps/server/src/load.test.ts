// A bounded load test on loopback: 10,000 requests from 50 concurrent keep-alive clients
// against the real server, mixing status, list, formats, small easy exports and requests
// with a wrong token (401 is their correct answer). Every request must get its expected
// status: a connection error, a 5xx or any other status is a failure, and none is allowed.
import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOX_CONFIG, box, removeDir, startTestServer, type TestServer } from './test-helpers.js';

// The suite runs a quarter of the full load; `node bench/server-load.mjs` (part of `pnpm bench`)
// runs all 10,000 against the built server. LSCONV_LOAD_REQUESTS=10000 runs them here.
const REQUESTS = Number(process.env.LSCONV_LOAD_REQUESTS ?? 2_500);
const CLIENTS = 50;

interface Kind {
  name: string;
  path: (projectId: number) => string;
  token: 'good' | 'bad';
  status: number;
  /** Checks the body of a correct answer. */
  body?: (text: string) => boolean;
}

/** The mix, by weight: mostly cheap reads, a tenth exports, a tenth refused tokens. */
const MIX: readonly [Kind, number][] = [
  [{ name: 'health', path: () => '/health', token: 'good', status: 200 }, 2],
  [{ name: 'project', path: (id) => `/api/projects/${id}`, token: 'good', status: 200 }, 2],
  [
    {
      name: 'list',
      path: () => '/api/projects',
      token: 'good',
      status: 200,
      body: (t) => t.includes('"count":1'),
    },
    2,
  ],
  [{ name: 'formats', path: (id) => `/api/projects/${id}/export/formats`, token: 'good', status: 200 }, 2],
  [
    {
      name: 'export',
      path: (id) => `/api/projects/${id}/export?exportType=TEST_IDS`,
      token: 'good',
      status: 200,
      body: (t) => t.trim().split('\n').length === 20,
    },
    1,
  ],
  [{ name: 'bad token', path: () => '/api/projects', token: 'bad', status: 401 }, 1],
];

function pick(i: number): Kind {
  const total = MIX.reduce((n, [, w]) => n + w, 0);
  let slot = (i * 7919) % total; // spread the kinds over the run, deterministically
  for (const [kind, weight] of MIX) {
    if (slot < weight) return kind;
    slot -= weight;
  }
  return MIX[0]![0];
}

describe('load on loopback', () => {
  let t: TestServer;
  let projectId: number;
  beforeAll(async () => {
    // The easy-export cap is tested on its own (abuse.test.ts); here 50 clients may all export at once.
    t = await startTestServer({ maxConcurrentEasyExports: CLIENTS });
    projectId = (
      (await (
        await t.api('/api/projects', { method: 'POST', json: { title: 'Load', label_config: BOX_CONFIG } })
      ).json()) as {
        id: number;
      }
    ).id;
    const tasks = Array.from({ length: 20 }, (_, i) => ({
      data: { image: `img-${i}.jpg` },
      annotations: [{ result: [box('Car')] }],
    }));
    expect((await t.api(`/api/projects/${projectId}/import`, { method: 'POST', json: tasks })).status).toBe(
      201,
    );
  });
  afterAll(async () => {
    await t.stop();
    removeDir(t.dataDir);
  });

  it(`answers ${REQUESTS} requests from ${CLIENTS} clients with no failure`, async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
    const url = new URL(t.base);
    const failures: string[] = [];
    const counts = new Map<string, number>();
    let next = 0;
    const one = (kind: Kind) =>
      new Promise<void>((resolve) => {
        const req = request(
          {
            agent,
            host: url.hostname,
            port: url.port,
            path: kind.path(projectId),
            headers: { authorization: `Token ${kind.token === 'good' ? t.key : 'not-the-key'}` },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => {
              text += d;
            });
            res.on('end', () => {
              if (res.statusCode !== kind.status)
                failures.push(`${kind.name}: status ${res.statusCode} ${text.slice(0, 120)}`);
              else if (kind.body && !kind.body(text))
                failures.push(`${kind.name}: unexpected body ${text.slice(0, 120)}`);
              resolve();
            });
            res.on('error', (error) => {
              failures.push(`${kind.name}: ${error.message}`);
              resolve();
            });
          },
        );
        req.on('error', (error) => {
          failures.push(`${kind.name}: ${error.message}`);
          resolve();
        });
        req.end();
      });
    const client = async () => {
      for (let i = next++; i < REQUESTS; i = next++) {
        const kind = pick(i);
        counts.set(kind.name, (counts.get(kind.name) ?? 0) + 1);
        await one(kind);
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: CLIENTS }, client));
    const seconds = (performance.now() - started) / 1000;
    agent.destroy();
    const mix = [...counts].map(([name, n]) => `${name} ${n}`).join(', ');
    console.log(
      `load: ${REQUESTS} requests, ${CLIENTS} clients, ${seconds.toFixed(2)} s, ${Math.round(REQUESTS / seconds)} requests/s, ${failures.length} failed (${mix})`,
    );
    expect(failures.slice(0, 10)).toEqual([]);
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(REQUESTS);
  });
});
