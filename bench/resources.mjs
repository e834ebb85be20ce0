// Resource fetching benchmark: 1,000 small PNGs from a loopback server that adds
// 50 ms of latency per request, fetched one at a time and then in parallel with the
// resolver's default concurrency. Prints both times and the ratio; exits non-zero
// when parallel fetching is not at least 8x faster.
//   node bench/resources.mjs          (after `pnpm build`)
//   LSCONV_BENCH_IMAGES=200 node bench/resources.mjs   (quicker)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { deflateSync } from 'node:zlib';
import { createResourceResolver, RESOURCE_DEFAULTS } from '../packages/core/dist/index.js';

const COUNT = Number(process.env.LSCONV_BENCH_IMAGES ?? 1000);
const LATENCY_MS = 50;
const REQUIRED_RATIO = 8;

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}
/** A small RGB PNG whose pixels depend on `seed`, so every file differs. */
function png(width, height, seed) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const row = 1 + width * 3;
  const raw = Buffer.alloc(row * height);
  for (let i = 0; i < raw.length; i++) raw[i] = i % row === 0 ? 0 : (i * 31 + seed * 7) & 0xff;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const work = mkdtempSync(join(tmpdir(), 'lsconv-bench-resources-'));
const imagesDir = join(work, 'images');
mkdirSync(imagesDir);
for (let i = 0; i < COUNT; i++)
  writeFileSync(join(imagesDir, `img-${i}.png`), png(32 + (i % 17), 24 + (i % 13), i));

// The server runs in a worker thread, as a remote server would run on another machine:
// its event loop does not compete with the resolver's.
const worker = new Worker(
  `
  const { createServer } = require('node:http');
  const { readFileSync } = require('node:fs');
  const { join } = require('node:path');
  const { parentPort, workerData } = require('node:worker_threads');
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    const name = (req.url || '').replace(/^\\/images\\//, '');
    setTimeout(() => {
      let body;
      try {
        if (!/^img-\\d+\\.png$/.test(name)) throw new Error('bad name');
        body = readFileSync(join(workerData.imagesDir, name));
      } catch {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': body.length });
      res.end(body);
    }, workerData.latencyMs);
  });
  parentPort.on('message', (message) => {
    if (message === 'count') parentPort.postMessage({ requests });
    if (message === 'reset') requests = 0;
  });
  server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
  `,
  { eval: true, workerData: { imagesDir, latencyMs: LATENCY_MS } },
);
const { port } = await new Promise((resolve, reject) => {
  worker.once('message', resolve);
  worker.once('error', reject);
});
const ask = (message) =>
  new Promise((resolve) => {
    if (message === 'count') worker.once('message', (answer) => resolve(answer.requests));
    worker.postMessage(message);
    if (message !== 'count') resolve(undefined);
  });
const base = `http://127.0.0.1:${port}`;
const urls = Array.from({ length: COUNT }, (_, i) => `${base}/images/img-${i}.png`);

async function run(label, options, parallel) {
  const resolver = createResourceResolver({
    download: true,
    cacheDir: join(work, `cache-${label}`),
    ...options,
  });
  await ask('reset');
  const started = performance.now();
  let failed = 0;
  if (parallel) {
    const results = await Promise.all(urls.map((url) => resolver.resolve(url)));
    failed = results.filter((r) => !r.path).length;
  } else {
    for (const url of urls) if (!(await resolver.resolve(url)).path) failed++;
  }
  const ms = performance.now() - started;
  const requests = await ask('count');
  if (failed || requests !== COUNT)
    throw new Error(`${label}: ${failed} failed, ${requests} requests for ${COUNT} images`);
  return ms;
}

try {
  const sequential = await run('sequential', { concurrency: 1 }, false);
  const parallel = await run('parallel', {}, true);
  const ratio = sequential / parallel;
  const fmt = (ms) => `${(ms / 1000).toFixed(2)} s (${((COUNT / ms) * 1000).toFixed(0)} images/s)`;
  console.log(`resources: ${COUNT} PNGs from a loopback server adding ${LATENCY_MS} ms per request`);
  console.log(`  one at a time:              ${fmt(sequential)}`);
  console.log(
    `  parallel (concurrency ${String(RESOURCE_DEFAULTS.concurrency).padEnd(2)}):   ${fmt(parallel)}`,
  );
  console.log(
    `  speed-up: ${ratio.toFixed(1)}x (required: >= ${REQUIRED_RATIO}x) ${ratio >= REQUIRED_RATIO ? 'ok' : 'TOO SLOW'}`,
  );
  if (ratio < REQUIRED_RATIO) process.exitCode = 1;
} finally {
  await worker.terminate();
  rmSync(work, { recursive: true, force: true });
}
