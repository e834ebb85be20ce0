// Side by side: the Python converter and lsconv on the same generated exports, in one
// sitting. Per format: wall seconds of each (median of COMPARE_RUNS), the ratio, the
// two-core floor (two threads reading and JSON.parsing the same input: floor2.mjs), and
// peak RSS (lsconv at default threads and with --threads 1, and Python).
//
//   LSCONV_REFERENCE_CMD="python3 ../shared/tools/reference/ls_ref.py export" node bench/compare.mjs
//
// The reference command is called as `<cmd> --input F --config C --format X --out DIR`;
// without it only lsconv and the floor are measured. Environment: COMPARE_TASKS (default
// 100000), COMPARE_FORMATS (default COCO,CONLL2003,JSON_MIN,YOLO,VOC,CSV), COMPARE_RUNS
// (default 3), COMPARE_OUT_DIR (where outputs go; default the bench data folder, on disk),
// BENCH_DATA_DIR (generated inputs, shared with `pnpm bench`). Linux: peak RSS comes from
// GNU time (`/usr/bin/time`), which counts a process's whole life, relaunch included.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIGS, generateExport } from './generate.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'apps', 'cli', 'dist', 'bin.js');
const dataDir = process.env.BENCH_DATA_DIR ?? join(tmpdir(), 'lsconv-bench');
const outRoot = process.env.COMPARE_OUT_DIR ?? dataDir;
const TASKS = Number(process.env.COMPARE_TASKS ?? 100_000);
const RUNS = Math.max(1, Number(process.env.COMPARE_RUNS ?? 3));
const FORMATS = (process.env.COMPARE_FORMATS ?? 'COCO,CONLL2003,JSON_MIN,YOLO,VOC,CSV')
  .split(',')
  .filter(Boolean);
const REFERENCE = process.env.LSCONV_REFERENCE_CMD?.trim().split(/\s+/);
/** The input each format is measured on: what it is for. */
const PROFILE_OF = { COCO: 'image', YOLO: 'image', VOC: 'image', YOLO_OBB: 'image', CONLL2003: 'text' };

if (!existsSync('/usr/bin/time')) {
  console.error('compare.mjs needs GNU time (/usr/bin/time) for peak RSS');
  process.exit(2);
}
mkdirSync(dataDir, { recursive: true });
mkdirSync(outRoot, { recursive: true });

async function dataset(profile) {
  const file = join(dataDir, `${profile}-${TASKS}.json`);
  const config = join(dataDir, `${profile}.xml`);
  writeFileSync(config, CONFIGS[profile]);
  if (!existsSync(file)) {
    process.stderr.write(`generating ${TASKS} ${profile} tasks…\n`);
    await generateExport(`${file}.tmp`, profile, TASKS);
    execFileSync('mv', [`${file}.tmp`, file]);
  }
  return { file, config, mb: statSync(file).size / 1e6 };
}

// An output of many files is moved aside, not deleted, until the end of the whole
// comparison. On ext4 without a journal (this kind of machine's disk), the kernel will not
// reuse an inode freed in the last minutes (60 s, 360 s once its block is written again)
// and checks every such inode each time it creates a file: right after 100,000 files are
// deleted, creating 100,000 new ones costs 10-20 s more system time (perf:
// `recently_deleted` in `__ext4_new_inode`), on either side, and YOLO and VOC times swung
// 2-4x with it. An output of a few large files is deleted at once, which frees its pages:
// kept, the outputs of JSON_MIN and CSV fill gigabytes of page cache, and writing the next
// output then costs more system time. The bench measures the converters, not the disk.
const trash = join(outRoot, 'compare-trash');
let trashed = 0;
rmSync(trash, { recursive: true, force: true });
mkdirSync(trash, { recursive: true });

function clearOutput(outDir) {
  if (!existsSync(outDir)) return;
  const many = statSync(outDir).isDirectory() && readdirSync(outDir, { recursive: true }).length > 1000;
  if (many) renameSync(outDir, join(trash, String(trashed++)));
  else rmSync(outDir, { recursive: true, force: true });
}

// Every run starts from the same memory state where the machine allows it (root on
// Linux): the page cache is dropped, then the input is read once so that it is cached
// again. Without it the system time of writing an output depended on what earlier runs
// left in memory: JSON_MIN on the mixed export took 1.1-1.6 s of system time with the
// cache empty and 3.5-4.3 s after a 12 GB file had been written, on either side.
// COMPARE_DROP_CACHES=0 leaves the cache alone.
const DROP_CACHES = '/proc/sys/vm/drop_caches';
const dropCaches = process.env.COMPARE_DROP_CACHES !== '0' && canWrite(DROP_CACHES);

function canWrite(path) {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function settle(input) {
  execFileSync('sync');
  if (!dropCaches) return;
  writeFileSync(DROP_CACHES, '3');
  const fd = openSync(input, 'r');
  const buffer = Buffer.allocUnsafe(8 << 20);
  while (readSync(fd, buffer, 0, buffer.length, null) > 0);
  closeSync(fd);
}

/** One timed run of a command on `input`: wall seconds and peak RSS (MiB) by GNU time. */
function timed(command, args, outDir, input) {
  clearOutput(outDir);
  settle(input);
  const result = spawnSync('/usr/bin/time', ['-f', '@@ %e %M', command, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const m = /@@ ([\d.]+) (\d+)\s*$/.exec(result.stderr ?? '');
  if (result.status !== 0 || !m) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.status}): ${(result.stderr ?? '').slice(-800)}`,
    );
  }
  return { seconds: Number(m[1]), rssMb: Number(m[2]) / 1024 };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** RUNS runs, alternating with the other side's by the caller; median seconds, highest RSS. */
function summary(runs) {
  return { seconds: median(runs.map((r) => r.seconds)), rssMb: Math.max(...runs.map((r) => r.rssMb)) };
}

const rows = [];
for (const format of FORMATS) {
  const data = await dataset(PROFILE_OF[format] ?? 'mixed');
  const out = join(outRoot, `compare-${format}`);
  const lsconvArgs = (extra) => [
    cli,
    'export',
    '-i',
    data.file,
    '-c',
    data.config,
    '-f',
    format,
    '-o',
    out,
    '--force',
    ...extra,
  ];
  const runs = { lsconv: [], threads1: [], python: [], floor: [] };
  for (let i = 0; i < RUNS; i++) {
    // Alternate the sides so a slow moment of the machine does not fall on one only.
    if (REFERENCE) {
      const [command, ...rest] = REFERENCE;
      runs.python.push(
        timed(
          command,
          [...rest, '--input', data.file, '--config', data.config, '--format', format, '--out', out],
          out,
          data.file,
        ),
      );
    }
    runs.lsconv.push(timed(process.execPath, lsconvArgs([]), out, data.file));
    runs.threads1.push(timed(process.execPath, lsconvArgs(['--threads', '1']), out, data.file));
    const floor = JSON.parse(
      execFileSync(process.execPath, [join(here, 'floor2.mjs'), data.file], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .pop(),
    );
    runs.floor.push({ seconds: floor.seconds, rssMb: floor.peakRssMb });
  }
  clearOutput(out);
  const lsconv = summary(runs.lsconv);
  const python = REFERENCE ? summary(runs.python) : undefined;
  const floor = summary(runs.floor);
  rows.push({
    format,
    'input MB': data.mb.toFixed(0),
    'python s': python ? python.seconds.toFixed(1) : '',
    'lsconv s': lsconv.seconds.toFixed(1),
    '× python': python ? (python.seconds / lsconv.seconds).toFixed(1) : '',
    'floor2 s': floor.seconds.toFixed(1),
    '× floor2': (lsconv.seconds / floor.seconds).toFixed(2),
    'RSS MB': lsconv.rssMb.toFixed(0),
    'RSS -t1 MB': summary(runs.threads1).rssMb.toFixed(0),
    'python RSS MB': python ? python.rssMb.toFixed(0) : '',
  });
  process.stderr.write(`${format} done\n`);
}
rmSync(trash, { recursive: true, force: true });
console.log(
  `${TASKS} tasks, ${RUNS} run(s) each, page cache ${dropCaches ? 'dropped before each run' : 'left alone'}, load average ${loadavg()[0].toFixed(2)} at the end`,
);
console.table(rows);
