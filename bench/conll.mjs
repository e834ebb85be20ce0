// CONLL2003: tasks per second and peak RSS on generated NER text tasks (default 100,000),
// each a sentence or two with labelled spans, in both compat modes. Each run is a fresh
// process, so its peak RSS is its own. Data and output go to a temp folder, removed after.
// Environment: CONLL_BENCH_TASKS (default 100000), CONLL_BENCH_COMPAT (default "python,default").
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { peakRssMb } from './peak-rss.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

const CONFIG = `<View>
  <Labels name="label" toName="text">
    <Label value="PER"/><Label value="ORG"/><Label value="LOC"/><Label value="MISC"/>
  </Labels>
  <Text name="text" value="$text"/>
</View>`;

if (process.argv[2] === '--child') {
  // node conll.mjs --child <tasks.json> <config.xml> <outDir> <compat>
  const [, , , input, configFile, outDir, compat] = process.argv;
  const core = await import(join(root, 'packages/core/dist/index.js'));
  core.limitHeapGrowth(); // as the lsconv command does
  const { conll2003 } = await import(join(root, 'packages/format-conll/dist/index.js'));
  const { readFile } = await import('node:fs/promises');
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  const started = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const report = await core.runExport({
    format: conll2003,
    config: core.parseLabelConfig(await readFile(configFile, 'utf8')),
    tasks: core.openTaskSource(input),
    sink: core.directorySink(outDir),
    compat,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  clearInterval(timer);
  console.log(
    JSON.stringify({
      tasks: report.tasksRead,
      regions: report.regionsWritten,
      bytes: report.bytesWritten,
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      peakRssMb: Math.max(peak / 1024 / 1024, peakRssMb()),
    }),
  );
  process.exit(0);
}

/** A deterministic generator, so every run measures the same texts. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ENTITIES = [
  ['Peter Blackburn', 'PER'],
  ['Angela Merkel', 'PER'],
  ['European Commission', 'ORG'],
  ['Acme Corp.', 'ORG'],
  ['New York City', 'LOC'],
  ['Paris', 'LOC'],
  ['Zürich', 'LOC'],
  ['World Cup', 'MISC'],
];
const FILLERS = [
  "said on Thursday it didn't agree with",
  'visited',
  ', according to a report by',
  'met (briefly) with',
  'announced a $3.5 billion deal with',
  '— "quite unexpectedly" — praised',
  'will travel to',
  "can't wait to see",
];

/** One task: "<entity> <filler> <entity> <filler> <entity>." with spans on the entities. */
function makeTask(id, next) {
  let text = '';
  const result = [];
  const parts = 2 + Math.floor(next() * 3);
  for (let p = 0; p < parts; p++) {
    const [name, label] = ENTITIES[Math.floor(next() * ENTITIES.length)];
    const start = text.length;
    text += name;
    result.push({
      id: `r${p}`,
      from_name: 'label',
      to_name: 'text',
      type: 'labels',
      value: { start, end: text.length, text: name, labels: [label] },
    });
    text += p < parts - 1 ? ` ${FILLERS[Math.floor(next() * FILLERS.length)]} ` : '.';
  }
  return {
    id,
    data: { text },
    annotations: [{ id, completed_by: 1, created_at: '2024-01-01T00:00:00Z', result }],
  };
}

async function generate(file, count) {
  const next = rng(42);
  const out = createWriteStream(file);
  const write = (s) => (out.write(s) ? undefined : new Promise((r) => out.once('drain', r)));
  await write('[\n');
  for (let i = 0; i < count; i++) await write(`${i ? ',\n' : ''}${JSON.stringify(makeTask(i + 1, next))}`);
  await write('\n]\n');
  await new Promise((r) => out.end(r));
}

const COUNT = Number(process.env.CONLL_BENCH_TASKS ?? 100_000);
const MODES = (process.env.CONLL_BENCH_COMPAT ?? 'python,default').split(',').filter(Boolean);
const dir = mkdtempSync(join(tmpdir(), 'lsconv-conll-bench-'));
try {
  const input = join(dir, 'tasks.json');
  const configFile = join(dir, 'config.xml');
  writeFileSync(configFile, CONFIG);
  await generate(input, COUNT);
  const mb = statSync(input).size / 1e6;
  const rows = [];
  for (const compat of MODES) {
    const outDir = join(dir, `out-${compat}`);
    const out = execFileSync(
      process.execPath,
      // With the V8 flags the lsconv command starts a large export with (memoryFlags in core).
      [
        ...(await import(join(root, 'packages/core/dist/index.js'))).memoryFlags(),
        fileURLToPath(import.meta.url),
        '--child',
        input,
        configFile,
        outDir,
        compat,
      ],
      {
        encoding: 'utf8',
      },
    );
    const m = JSON.parse(out.trim().split('\n').pop());
    await rm(outDir, { recursive: true, force: true });
    rows.push({
      run: `CONLL2003 ${compat}`,
      tasks: m.tasks,
      'input MB': mb.toFixed(1),
      seconds: m.seconds.toFixed(2),
      'tasks/s': Math.round(m.tasks / m.seconds),
      'CPU s': m.cpuSeconds.toFixed(2),
      'tasks per CPU s': Math.round(m.tasks / m.cpuSeconds),
      'spans written': m.regions,
      'output MB': (m.bytes / 1e6).toFixed(1),
      'peak RSS MB': m.peakRssMb.toFixed(0),
    });
  }
  console.log(`CONLL2003 bench — ${COUNT} text tasks — node ${process.version}`);
  console.table(rows);
} finally {
  await rm(dir, { recursive: true, force: true });
}
