// Two builds of lsconv side by side on the same generated inputs: for each format, three
// runs of each build alternating (A B, B A, A B) so drift on a shared machine falls on both,
// each in a fresh process through that build's own bench/measure.mjs; prints medians of wall
// and CPU seconds and the highest peak RSS. Used to compare a checkout on another Node.js
// release, or before and after a change.
//
//   AB_A=/path/to/old/checkout AB_A_NODE=/usr/bin/node AB_B=. node bench/ab.mjs
//
// Environment: AB_A / AB_B (checkout roots, built), AB_A_NODE / AB_B_NODE (the node binary of
// each; default this one), AB_JOBS (FORMAT:profile list, default every format family on its
// profile), AB_OUT (where outputs go; /dev/shm measures the converter rather than the disk),
// BENCH_DATA_DIR (the generated inputs, as bench/run.mjs makes them: <profile>-100000.json).
// Each build runs with the V8 flags its own core says the lsconv command starts with, if any.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const dataDir = process.env.BENCH_DATA_DIR ?? join(tmpdir(), 'lsconv-bench');
const out = process.env.AB_OUT ?? join(tmpdir(), 'lsconv-ab-out');
const jobs = (
  process.env.AB_JOBS ??
  'JSON_MIN:image,CSV:image,TSV:image,JSON:image,COCO:image,VOC:image,YOLO:image,YOLO_OBB:image,CONLL2003:text,ASR_MANIFEST:audio'
).split(',');

async function build(name) {
  const root = resolve(process.env[`AB_${name}`] ?? '.');
  const node = process.env[`AB_${name}_NODE`] ?? process.execPath;
  const core = await import(join(root, 'packages/core/dist/index.js'));
  return { name, root, node, flags: typeof core.memoryFlags === 'function' ? core.memoryFlags() : [] };
}
const builds = [await build('A'), await build('B')];
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];

for (const job of jobs) {
  const [format, profile] = job.split(':');
  const input = join(dataDir, `${profile}-100000.json`);
  if (!existsSync(input))
    throw new Error(`${input} is missing: run BENCH_PROFILE=${profile} pnpm bench first`);
  const runs = { A: [], B: [] };
  for (let i = 0; i < 3; i++) {
    for (const b of i % 2 ? [...builds].reverse() : builds) {
      rmSync(out, { recursive: true, force: true });
      execFileSync('sync');
      const args = [...b.flags, join(b.root, 'bench/measure.mjs'), 'export', format, input];
      const text = execFileSync(b.node, [...args, join(dataDir, `${profile}.xml`), out, ''], {
        encoding: 'utf8',
      });
      runs[b.name].push(JSON.parse(text.trim().split('\n').pop()));
    }
  }
  const sum = (r) =>
    `${median(r.map((x) => x.seconds)).toFixed(2)} s (CPU ${median(r.map((x) => x.cpuSeconds)).toFixed(1)} s, ` +
    `${Math.max(...r.map((x) => x.peakRssMb)).toFixed(0)} MB; runs ${r.map((x) => x.seconds.toFixed(2)).join('/')})`;
  const ratio = median(runs.B.map((x) => x.seconds)) / median(runs.A.map((x) => x.seconds));
  console.log(`${format} ${profile} | A ${sum(runs.A)} | B ${sum(runs.B)} | B/A ${ratio.toFixed(2)}`);
}
rmSync(out, { recursive: true, force: true });
