// One measurement in a fresh process, so peak RSS belongs to it alone.
// node bench/measure.mjs export <FORMAT> <input> <config> <outDir> [threads] [optionsJson]
// node bench/measure.mjs floor <input> <bytesToWrite> <outFile>
import { open, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { peakRssMb } from './peak-rss.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const core = await import(join(root, 'packages/core/dist/index.js'));
// As the lsconv command and the server do at start (LSCONV_HEAP_GROWING_PERCENT=0: V8's default).
core.limitHeapGrowth();
const [mode, ...args] = process.argv.slice(2);
const started = process.hrtime.bigint();
let result;

if (mode === 'floor') {
  // The floor: read and JSON.parse the same input task by task, write as many bytes.
  const [input, bytes, outFile] = args;
  let tasks = 0;
  for await (const task of core.openTaskSource(input)) if (task) tasks++;
  const handle = await open(outFile, 'w');
  const chunk = Buffer.alloc(256 * 1024, 0x61);
  let left = Number(bytes);
  while (left > 0) {
    const n = Math.min(left, chunk.length);
    await handle.write(chunk, 0, n);
    left -= n;
  }
  await handle.close();
  await rm(outFile, { force: true });
  result = { tasks, bytesOut: Number(bytes) };
} else if (mode === 'export') {
  const [formatId, input, configFile, outDir, threadsArg, optionsArg] = args;
  const registry = await core.loadRegistry({ cwd: root });
  const format = registry.format(formatId);
  const threads = threadsArg ? Number(threadsArg) : core.defaultThreads();
  const config = core.parseLabelConfig(await readFile(configFile, 'utf8'), { file: configFile });
  const options = optionsArg ? JSON.parse(optionsArg) : {};
  const report = await core.runExport({
    format,
    config,
    tasks: core.openTaskSource(input, { keepRaw: formatId === 'JSON' }),
    sink: core.directorySink(outDir),
    options,
    input,
    force: true,
    threads,
    formatModule: registry.formats.get(format.id)?.origin.entry,
  });
  result = { tasks: report.tasksRead, bytesOut: report.bytesWritten, files: report.filesWritten, threads };
} else {
  console.error('usage: measure.mjs export|floor ...');
  process.exit(2);
}

const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const usage = process.resourceUsage();
const cpuSeconds = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
process.stdout.write(`${JSON.stringify({ ...result, seconds, cpuSeconds, peakRssMb: peakRssMb() })}\n`);
