// lsconv-server under many small requests on loopback: BENCH_LOAD_REQUESTS (default
// 10,000) requests from BENCH_LOAD_CLIENTS (default 50) concurrent keep-alive clients,
// mixing health, project, list, formats, small JSON_MIN easy exports and wrong-token
// requests (401 is their correct answer). Prints throughput and failures; exits
// non-zero on any failed request (a connection error, a 5xx or another wrong status).
//   node bench/server-load.mjs        (after `pnpm build`)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const REQUESTS = Number(process.env.BENCH_LOAD_REQUESTS ?? 10_000);
const CLIENTS = Number(process.env.BENCH_LOAD_CLIENTS ?? 50);
const KEY = 'load-key';
const CONFIG =
  '<View><Image name="image" value="$image"/><RectangleLabels name="label" toName="image"><Label value="Car"/></RectangleLabels></View>';

const dataDir = mkdtempSync(join(tmpdir(), 'lsconv-load-'));
const bin = join(here, '..', 'apps', 'server', 'dist', 'bin.js');
const child = spawn(
  process.execPath,
  [bin, '--port', '0', '--data-dir', dataDir, '--api-key', KEY, '--max-easy-exports', String(CLIENTS)],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const base = await new Promise((resolve, reject) => {
  let text = '';
  child.stdout.on('data', (d) => {
    text += d;
    const m = /listening on (http:\/\/\S+)/.exec(text);
    if (m) resolve(m[1]);
  });
  child.on('exit', (code) => reject(new Error(`lsconv-server exited with ${code}: ${text}`)));
});
const url = new URL(base);
const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });

function call(method, path, { token = KEY, body } = {}) {
  return new Promise((resolve) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: { authorization: `Token ${token}`, 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode, text }));
        res.on('error', (error) => resolve({ status: undefined, text: error.message }));
      },
    );
    req.on('error', (error) => resolve({ status: undefined, text: error.message }));
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

let failed = 0;
try {
  const project = JSON.parse(
    (await call('POST', '/api/projects', { body: { title: 'Load', label_config: CONFIG } })).text,
  );
  const tasks = Array.from({ length: 20 }, (_, i) => ({
    data: { image: `img-${i}.jpg` },
    annotations: [
      {
        result: [
          {
            from_name: 'label',
            to_name: 'image',
            type: 'rectanglelabels',
            value: { x: 1, y: 2, width: 3, height: 4, rectanglelabels: ['Car'] },
          },
        ],
      },
    ],
  }));
  const imported = await call('POST', `/api/projects/${project.id}/import`, { body: tasks });
  if (imported.status !== 201) throw new Error(`import failed: ${imported.status} ${imported.text}`);

  const MIX = [
    ['health', () => '/health', KEY, 200, 2],
    ['project', () => `/api/projects/${project.id}`, KEY, 200, 2],
    ['list', () => '/api/projects', KEY, 200, 2],
    ['formats', () => `/api/projects/${project.id}/export/formats`, KEY, 200, 2],
    ['export', () => `/api/projects/${project.id}/export?exportType=JSON_MIN`, KEY, 200, 1],
    ['bad token', () => '/api/projects', 'not-the-key', 401, 1],
  ];
  const total = MIX.reduce((n, m) => n + m[4], 0);
  const pick = (i) => {
    let slot = (i * 7919) % total;
    for (const m of MIX) {
      if (slot < m[4]) return m;
      slot -= m[4];
    }
    return MIX[0];
  };
  const counts = new Map();
  const examples = [];
  let next = 0;
  const client = async () => {
    for (let i = next++; i < REQUESTS; i = next++) {
      const [name, path, token, status] = pick(i);
      counts.set(name, (counts.get(name) ?? 0) + 1);
      const res = await call('GET', path(), { token });
      if (res.status !== status) {
        failed++;
        if (examples.length < 5) examples.push(`${name}: ${res.status} ${res.text.slice(0, 120)}`);
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, client));
  const seconds = (performance.now() - started) / 1000;
  const mix = [...counts].map(([name, n]) => `${name} ${n}`).join(', ');
  console.log(
    `server load: ${REQUESTS} requests, ${CLIENTS} clients, ${seconds.toFixed(2)} s, ${Math.round(REQUESTS / seconds)} requests/s, ${failed} failed (${mix})`,
  );
  for (const e of examples) console.log(`  failed: ${e}`);
} finally {
  agent.destroy();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
}
process.exitCode = failed === 0 ? 0 : 1;
