// Brush masks: regions per second and peak RSS for BRUSH_TO_PNG and BRUSH_TO_NUMPY on
// generated 1024 × 768 masks (default 10,000; BRUSH_BENCH_SIZE sets another size), written to
// a temp folder (TMPDIR) and removed.
// Each format runs in a fresh process, so its peak RSS is its own.
// Environment: BRUSH_BENCH_MASKS (default 10000), BRUSH_BENCH_FORMATS (default BRUSH_TO_PNG,BRUSH_TO_NUMPY),
// BRUSH_BENCH_COMPAT (python = one file per region, the default; default = image-named layout),
// BRUSH_BENCH_SIZE (WxH, default 1024x768).
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { peakRssMb } from './peak-rss.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const core = await import(join(root, 'packages/core/dist/index.js'));
const brush = await import(join(root, 'packages/format-brush/dist/index.js'));
const kit = await import(join(root, 'packages/format-kit/dist/index.js'));

// BRUSH_BENCH_SIZE=WxH (default 1024x768): smaller masks make a million of them fit on a disk.
const [WIDTH, HEIGHT] = (process.env.BRUSH_BENCH_SIZE ?? '1024x768').split('x').map(Number);
if (!(WIDTH >= 1 && HEIGHT >= 1)) throw new Error('BRUSH_BENCH_SIZE must look like 1024x768');
const CONFIG = `<View>
  <Image name="image" value="$image"/>
  <BrushLabels name="tag" toName="image">
    <Label value="Car" background="#0000ff"/>
    <Label value="Road" background="#ff0000"/>
  </BrushLabels>
</View>`;

if (process.argv[2] === '--child') {
  // node brush.mjs --child <FORMAT> <tasks.json> <outDir> <compat>
  core.limitHeapGrowth(); // as the lsconv command does
  const [, , , formatId, input, outDir, compat] = process.argv;
  const format = formatId === 'BRUSH_TO_PNG' ? brush.brushToPng : brush.brushToNumpy;
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  const started = process.hrtime.bigint();
  const report = await core.runExport({
    format,
    config: core.parseLabelConfig(CONFIG),
    tasks: core.openTaskSource(input),
    sink: core.directorySink(outDir),
    compat,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(timer);
  console.log(
    JSON.stringify({
      regions: report.regionsWritten,
      files: report.filesWritten,
      bytes: report.bytesWritten,
      seconds,
      peakRssMb: Math.max(peak / 1024 / 1024, peakRssMb()),
    }),
  );
  process.exit(0);
}

/** A deterministic generator, so every run measures the same masks. */
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

/** A mask with one to three filled ellipses, as a brush stroke region looks. */
function makeMask(seed) {
  const next = rng(seed);
  const mask = new Uint8Array(WIDTH * HEIGHT);
  const blobs = 1 + Math.floor(next() * 3);
  for (let b = 0; b < blobs; b++) {
    const cx = next() * WIDTH;
    const cy = next() * HEIGHT;
    const rx = ((20 + next() * 200) * WIDTH) / 1024;
    const ry = ((20 + next() * 150) * HEIGHT) / 768;
    for (let y = Math.max(0, Math.floor(cy - ry)); y < Math.min(HEIGHT, cy + ry); y++) {
      const dy = (y - cy) / ry;
      const half = rx * Math.sqrt(Math.max(0, 1 - dy * dy));
      mask.fill(
        255,
        Math.max(0, Math.round(cx - half)) + y * WIDTH,
        Math.min(WIDTH, Math.round(cx + half)) + y * WIDTH,
      );
    }
  }
  return mask;
}

async function generate(file, count) {
  // 32 distinct masks, reused: encoding is not what is measured.
  const rles = Array.from({ length: 32 }, (_, i) =>
    JSON.stringify([...kit.encodeBrushMask(makeMask(i + 1))]),
  );
  const out = createWriteStream(file);
  const write = (s) => (out.write(s) ? undefined : new Promise((r) => out.once('drain', r)));
  await write('[');
  for (let i = 0; i < count; i++) {
    const task = {
      id: i + 1,
      data: { image: `/data/upload/1/image-${i + 1}.jpg` },
      annotations: [
        {
          id: i + 1,
          completed_by: 1,
          created_at: '2024-01-01T00:00:00Z',
          result: [
            {
              id: `r${i}`,
              from_name: 'tag',
              to_name: 'image',
              type: 'brushlabels',
              original_width: WIDTH,
              original_height: HEIGHT,
              value: { format: 'rle', rle: '@RLE@', brushlabels: [i % 2 ? 'Car' : 'Road'] },
            },
          ],
        },
      ],
    };
    await write((i ? ',\n' : '') + JSON.stringify(task).replace('"@RLE@"', rles[i % rles.length]));
  }
  await write(']\n');
  await new Promise((resolve) => out.end(resolve));
}

const count = Number(process.env.BRUSH_BENCH_MASKS ?? 10_000);
const formats = (process.env.BRUSH_BENCH_FORMATS ?? 'BRUSH_TO_PNG,BRUSH_TO_NUMPY').split(',').filter(Boolean);
const compat = process.env.BRUSH_BENCH_COMPAT ?? 'python';
const dir = mkdtempSync(join(tmpdir(), 'lsconv-bench-brush-'));
try {
  const input = join(dir, 'tasks.json');
  const t = Date.now();
  process.stderr.write(`brush bench: generating ${count} masks of ${WIDTH}x${HEIGHT}… `);
  await generate(input, count);
  const mb = statSync(input).size / 1e6;
  process.stderr.write(`${mb.toFixed(0)} MB in ${((Date.now() - t) / 1000).toFixed(1)} s\n`);
  writeFileSync(join(dir, 'config.xml'), CONFIG);
  const rows = [];
  for (const formatId of formats) {
    const outDir = join(dir, `out-${formatId}`);
    const text = execFileSync(
      process.execPath,
      // With the V8 flags the lsconv command starts a large export with (memoryFlags in core).
      [...core.memoryFlags(), fileURLToPath(import.meta.url), '--child', formatId, input, outDir, compat],
      {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      },
    );
    const m = JSON.parse(text.trim().split('\n').pop());
    rows.push({
      format: formatId,
      compat,
      regions: m.regions,
      seconds: m.seconds.toFixed(2),
      'regions/s': Math.round(m.regions / m.seconds),
      'output MB': (m.bytes / 1e6).toFixed(0),
      'input MB': mb.toFixed(0),
      'peak RSS MB': m.peakRssMb.toFixed(0),
    });
    await rm(outDir, { recursive: true, force: true });
  }
  console.table(rows);
} finally {
  await rm(dir, { recursive: true, force: true });
}
