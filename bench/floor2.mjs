// The two-core floor: the time two threads take to read and JSON.parse an export, each
// its own half of the tasks by byte range (the task boundaries are found beforehand and
// not timed). Prints {seconds, tasks, peakRssMb} as JSON.
// node bench/floor2.mjs <input.json>
import { open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { peakRssMb } from './peak-rss.mjs';

const CHUNK = 4 * 1024 * 1024;

if (isMainThread) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const core = await import(join(root, 'packages/core/dist/index.js'));
  const input = process.argv[2];
  // Task boundaries: [start, end) byte offsets, from the slicer (not timed).
  const bounds = [];
  const slicer = new core.JsonSlicer(input);
  const file = await open(input, 'r');
  const buffer = Buffer.alloc(CHUNK);
  let offset = 0;
  for (;;) {
    const { bytesRead } = await file.read(buffer, 0, CHUNK, offset);
    if (bytesRead === 0) break;
    for (const slice of slicer.push(buffer.subarray(0, bytesRead)))
      bounds.push([slice.offset, slice.offset + slice.bytes.length]);
    offset += bytesRead;
  }
  await file.close();
  const half = bounds.length >> 1;
  const parts = [bounds.slice(0, half), bounds.slice(half)];
  const started = process.hrtime.bigint();
  const counts = await Promise.all(
    parts.map(
      (part) =>
        new Promise((resolve, reject) => {
          const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { input, part } });
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
    ),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const tasks = counts.reduce((a, b) => a + b, 0);
  process.stdout.write(`${JSON.stringify({ seconds, tasks, peakRssMb: peakRssMb() })}\n`);
} else {
  // Read this thread's byte range in large chunks and parse each task in it.
  const { input, part } = workerData;
  let tasks = 0;
  if (part.length > 0) {
    const file = await open(input, 'r');
    const first = part[0][0];
    const last = part[part.length - 1][1];
    let carry = Buffer.alloc(0);
    let carryStart = first;
    let next = 0;
    for (let at = first; at < last; ) {
      const size = Math.min(CHUNK, last - at);
      const chunk = Buffer.alloc(size);
      await file.read(chunk, 0, size, at);
      at += size;
      const bytes = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      while (next < part.length && part[next][1] <= carryStart + bytes.length) {
        const [s, e] = part[next];
        JSON.parse(bytes.toString('utf8', s - carryStart, e - carryStart));
        tasks++;
        next++;
      }
      const keepFrom = next < part.length ? part[next][0] - carryStart : bytes.length;
      carry = bytes.subarray(keepFrom);
      carryStart += keepFrom;
    }
    await file.close();
  }
  parentPort.postMessage(tasks);
}
