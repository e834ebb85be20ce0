// `pnpm bench`: generates large exports and prints, per format, tasks/s, MB/s and
// peak RSS next to the single-core floor (read + JSON.parse task by task + write the
// same bytes) measured in the same run. Then runs the other bench/*.mjs scripts.
// Environment: BENCH_TASKS (default 100000), BENCH_LARGE_TASKS (default 1000000, 0 to skip),
// BENCH_FORMATS (comma list), BENCH_ONLY (a bench script name, e.g. resources, or `formats`),
// BENCH_THREADS (comma list of thread counts, default "1,default"), BENCH_RUNS (runs per
// measurement, default 3: the table shows medians; CPU seconds are shown too because a
// shared machine makes wall time noisy), BENCH_PROFILE (mixed, image, text or audio; default mixed),
// BENCH_OUT_DIR (where outputs and the floor's file are written; default the data folder —
// a tmpfs such as /dev/shm measures the converter rather than the disk, whose time to
// create a file can vary tenfold between runs on a virtual machine).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIGS, generateExport } from './generate.mjs';

const MEMORY_FLAGS = (await import('../packages/core/dist/index.js')).memoryFlags();

const here = dirname(fileURLToPath(import.meta.url));
const dataDir = process.env.BENCH_DATA_DIR ?? join(tmpdir(), 'lsconv-bench');
mkdirSync(dataDir, { recursive: true });
const outRoot = process.env.BENCH_OUT_DIR ?? dataDir;
mkdirSync(outRoot, { recursive: true });
const TASKS = Number(process.env.BENCH_TASKS ?? 100_000);
const LARGE = Number(process.env.BENCH_LARGE_TASKS ?? 1_000_000);
const FORMATS = (process.env.BENCH_FORMATS ?? 'JSON_MIN,CSV,COCO,VOC,YOLO,CONLL2003')
  .split(',')
  .filter(Boolean);
const only = process.env.BENCH_ONLY;
const THREADS = (process.env.BENCH_THREADS ?? '1,default').split(',').filter(Boolean);
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const PROFILE = process.env.BENCH_PROFILE ?? 'mixed';

async function dataset(profile, count) {
  const file = join(dataDir, `${profile}-${count}.json`);
  const configFile = join(dataDir, `${profile}.xml`);
  writeFileSync(configFile, CONFIGS[profile]);
  if (!existsSync(file)) {
    const t = Date.now();
    process.stderr.write(`generating ${count} ${profile} tasks… `);
    const bytes = await generateExport(`${file}.tmp`, profile, count);
    execFileSync('mv', [`${file}.tmp`, file]);
    process.stderr.write(`${(bytes / 1e6).toFixed(0)} MB in ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
  }
  return { file, configFile, mb: statSync(file).size / 1e6 };
}

function measureOnce(args) {
  // Flush what the previous run left dirty, so its write-back does not slow this one.
  execFileSync('sync');
  // With the V8 flags the lsconv command starts a large export with (memoryFlags in core).
  const out = execFileSync(process.execPath, [...MEMORY_FLAGS, join(here, 'measure.mjs'), ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').pop());
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Runs a measurement RUNS times; seconds, CPU seconds and peak RSS are medians (RSS: the
 * maximum). `outDir` is removed before every run, so each writes into a fresh folder (a
 * second run into the same folder would measure merging into it).
 */
function measure(args, outDir) {
  const runs = Array.from({ length: RUNS }, () => {
    if (outDir) rmSync(outDir, { recursive: true, force: true });
    return measureOnce(args);
  });
  return {
    ...runs[0],
    seconds: median(runs.map((r) => r.seconds)),
    cpuSeconds: median(runs.map((r) => r.cpuSeconds)),
    peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
  };
}

const rows = [];
function row(label, data, m, floor) {
  rows.push({
    run: label,
    tasks: m.tasks,
    'input MB': data.mb.toFixed(0),
    seconds: m.seconds.toFixed(2),
    'tasks/s': Math.round(m.tasks / m.seconds),
    'MB/s': (data.mb / m.seconds).toFixed(1),
    'cpu s': m.cpuSeconds.toFixed(2),
    'peak RSS MB': m.peakRssMb.toFixed(0),
    'floor s': floor ? floor.seconds.toFixed(2) : '',
    'x floor': floor ? (m.seconds / floor.seconds).toFixed(2) : '',
  });
}

async function formatRuns(profile, count, formats) {
  const data = await dataset(profile, count);
  for (const format of formats) {
    const outDir = join(outRoot, `out-${format}-${profile}-${count}`);
    const measured = [];
    for (const threads of THREADS) {
      await rm(outDir, { recursive: true, force: true });
      const m = measure(
        ['export', format, data.file, data.configFile, outDir, threads === 'default' ? '' : threads],
        outDir,
      );
      measured.push([threads, m]);
    }
    await rm(outDir, { recursive: true, force: true });
    const floor = measure(['floor', data.file, String(measured[0][1].bytesOut), join(outRoot, 'floor.out')]);
    for (const [threads, m] of measured) {
      row(
        `${format} ${profile} ${count} --threads ${threads === 'default' ? `${m.threads} (default)` : threads}`,
        data,
        m,
        floor,
      );
    }
    row(`  floor (read+parse+write ${(measured[0][1].bytesOut / 1e6).toFixed(0)} MB)`, data, floor);
  }
}

if (!only || only === 'formats') {
  await formatRuns(PROFILE, TASKS, FORMATS);
  if (LARGE > 0 && FORMATS.includes('JSON_MIN')) await formatRuns('text', LARGE, ['JSON_MIN']);
  if (LARGE > 0 && FORMATS.includes('JSON_MIN')) await formatRuns('text', TASKS, ['JSON_MIN']);
  console.log(
    `\nlsconv bench — ${new Date().toISOString()} — node ${process.version}, ${availableParallelism()} cores, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}, medians of ${RUNS} runs, data in ${dataDir}, outputs in ${outRoot}`,
  );
  console.table(rows);
}

for (const name of readdirSync(here).sort()) {
  if (!name.endsWith('.mjs') || ['run.mjs', 'measure.mjs', 'generate.mjs'].includes(name)) continue;
  if (only && name !== `${only}.mjs`) continue; // BENCH_ONLY=formats runs only the table above
  console.log(`\n== bench/${name}`);
  execFileSync(process.execPath, [join(here, name)], { stdio: 'inherit' });
}
