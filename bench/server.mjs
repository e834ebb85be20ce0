// lsconv-server load test on loopback: imports BENCH_SERVER_TASKS (default 200,000)
// image tasks, then runs BENCH_SERVER_EXPORTS (default 20) snapshot exports at once,
// each converted to a different enabled format, while a client polls the snapshot
// status endpoint. Prints import rate, export time, the slowest status response and
// the server's peak RSS. Exits non-zero when an export fails or a status request
// takes over 2 s. Bounded: every wait has a deadline.
//   node bench/server.mjs        (after `pnpm build`)
// On PostgreSQL: BENCH_SERVER_DATABASE=postgres://… (an empty database, or one this bench
// used before); BENCH_SERVER_INSTANCES=2 starts that many instances on it, with a shared
// export folder, and spreads every request over them (round robin).
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIGS, generateExport } from './generate.mjs';
import { peakRssMb } from './peak-rss.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const TASKS = Number(process.env.BENCH_SERVER_TASKS ?? 200_000);
const EXPORTS = Number(process.env.BENCH_SERVER_EXPORTS ?? 20);
const STATUS_LIMIT_MS = 2000;
const DEADLINE_MS = Number(process.env.BENCH_SERVER_DEADLINE_MS ?? 60 * 60_000);
const KEY = 'bench-key';
const started = Date.now();
const deadline = () => {
  if (Date.now() - started > DEADLINE_MS)
    throw new Error(`bench/server: over the ${DEADLINE_MS / 60000} min deadline`);
};

const cacheDir = process.env.BENCH_DATA_DIR ?? join(tmpdir(), 'lsconv-bench');
mkdirSync(cacheDir, { recursive: true });
const input = join(cacheDir, `image-${TASKS}.json`);
if (!existsSync(input)) {
  process.stderr.write(`generating ${TASKS} image tasks… `);
  await generateExport(`${input}.tmp`, 'image', TASKS);
  rmSync(input, { force: true });
  (await import('node:fs')).renameSync(`${input}.tmp`, input);
  process.stderr.write('done\n');
}
const dataDir = mkdtempSync(join(tmpdir(), 'lsconv-bench-server-'));
const bin = join(here, '..', 'apps', 'server', 'dist', 'bin.js');
if (!existsSync(bin)) throw new Error('bench/server: apps/server is not built (pnpm build)');
const DATABASE = process.env.BENCH_SERVER_DATABASE;
const INSTANCES = DATABASE ? Math.max(1, Number(process.env.BENCH_SERVER_INSTANCES ?? 1)) : 1;
const shared = DATABASE ? ['--database', DATABASE, '--storage', `file://${join(dataDir, 'shared')}`] : [];

// BENCH_SERVER_NODE_ARGS: extra Node flags for the server (e.g. --cpu-prof) when profiling.
const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
const children = [];
const ports = [];
for (let i = 0; i < INSTANCES; i++) {
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      bin,
      '--port',
      '0',
      '--data-dir',
      join(dataDir, `instance-${i}`),
      '--api-key',
      KEY,
      ...shared,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(child);
  ports.push(await listening(child));
}
const peakRss = () => children.map((c) => peakRssMb(c.pid).toFixed(0)).join(' + ');
let next = 0;
console.log(`server: ${INSTANCES} instance(s) on ${DATABASE ? 'PostgreSQL' : 'SQLite'}`);

function listening(child) {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(
      () => reject(new Error('bench/server: the server did not start in 60 s')),
      60_000,
    );
    child.stdout.on('data', (chunk) => {
      text += chunk;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`bench/server: the server exited with ${code}`)));
  });
}

function call(method, path, body, headers = {}) {
  const port = ports[next++ % ports.length];
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path, headers: { authorization: `Token ${KEY}`, ...headers } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (body && typeof body.pipe === 'function') body.pipe(req);
    else req.end(body);
  });
}
const json = async (method, path, body) => {
  const res = await call(method, path, body === undefined ? undefined : JSON.stringify(body), {
    'content-type': 'application/json',
  });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.body.slice(0, 300)}`);
  return JSON.parse(res.body);
};

let failed = false;
try {
  const project = await json('POST', '/api/projects', { title: 'Bench', label_config: CONFIGS.image });
  const mb = statSync(input).size / 1e6;
  let t = Date.now();
  const imported = await call('POST', `/api/projects/${project.id}/import`, createReadStream(input), {
    'content-type': 'application/json',
    'content-length': String(statSync(input).size),
  });
  if (imported.status !== 201) throw new Error(`import: ${imported.status} ${imported.body.slice(0, 300)}`);
  const importSeconds = (Date.now() - t) / 1000;
  const { task_count: taskCount } = JSON.parse(imported.body);
  console.log(
    `import: ${taskCount} tasks, ${mb.toFixed(0)} MB in ${importSeconds.toFixed(1)} s (${Math.round(taskCount / importSeconds)} tasks/s)`,
  );
  deadline();

  const formats = (await json('GET', `/api/projects/${project.id}/export/formats`))
    .filter((f) => !f.disabled && !f.name.endsWith('_WITH_IMAGES') && f.name !== 'JSON')
    .map((f) => f.name);
  if (formats.length === 0) throw new Error('no enabled format to convert to');
  t = Date.now();
  const jobs = [];
  for (let i = 0; i < EXPORTS; i++) {
    const snap = await json('POST', `/api/projects/${project.id}/exports`, { title: `bench ${i}` });
    const type = formats[i % formats.length];
    await json('POST', `/api/projects/${project.id}/exports/${snap.id}/convert`, { export_type: type });
    jobs.push({ id: snap.id, type });
  }
  console.log(`exports: ${EXPORTS} snapshots over ${formats.length} formats (${formats.join(', ')})`);

  let slowest = 0;
  let polls = 0;
  let lastReport = Date.now();
  const pending = new Set(jobs.map((j) => j.id));
  const outcomes = new Map();
  while (pending.size > 0) {
    deadline();
    for (const id of [...pending]) {
      const before = performance.now();
      const s = await json('GET', `/api/projects/${project.id}/exports/${id}`);
      const ms = performance.now() - before;
      polls++;
      if (ms > slowest) slowest = ms;
      const conv = s.converted_formats[0];
      if (
        s.status === 'failed' ||
        (s.status === 'completed' && conv && (conv.status === 'completed' || conv.status === 'failed'))
      ) {
        pending.delete(id);
        outcomes.set(id, {
          snapshot: s.status,
          conversion: conv?.status,
          traceback: conv?.traceback,
          tasks: s.counters.task_number,
        });
      }
    }
    if (Date.now() - lastReport > 60_000) {
      lastReport = Date.now();
      console.log(
        `  … ${((Date.now() - t) / 1000).toFixed(0)} s: ${EXPORTS - pending.size}/${EXPORTS} done, slowest status ${slowest.toFixed(0)} ms, server RSS peak ${peakRss()} MB`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const exportSeconds = (Date.now() - t) / 1000;
  const failures = [...outcomes.entries()].filter(
    ([, o]) => o.snapshot !== 'completed' || o.conversion !== 'completed' || o.tasks !== taskCount,
  );
  console.log(`exports: ${EXPORTS - failures.length}/${EXPORTS} completed in ${exportSeconds.toFixed(1)} s`);
  console.log(
    `status endpoint: ${polls} requests while exporting, slowest ${slowest.toFixed(0)} ms (limit ${STATUS_LIMIT_MS} ms)`,
  );
  console.log(`server peak RSS: ${peakRss()} MB`);
  for (const [id, o] of failures) console.log(`  failed: snapshot ${id} ${JSON.stringify(o).slice(0, 400)}`);
  if (failures.length > 0 || slowest > STATUS_LIMIT_MS) failed = true;
} catch (error) {
  console.error(String(error?.stack ?? error));
  failed = true;
} finally {
  await Promise.all(
    children.map((c) => {
      c.kill('SIGTERM');
      return new Promise((r) => {
        const timer = setTimeout(() => {
          c.kill('SIGKILL');
          r();
        }, 30_000);
        c.once('exit', () => {
          clearTimeout(timer);
          r();
        });
      });
    }),
  );
  rmSync(dataDir, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
