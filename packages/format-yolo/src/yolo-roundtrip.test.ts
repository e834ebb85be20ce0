import { promises as fs, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConversionReport, type FormatDefinition, resolveOptions, type Task } from '@lsconv/core';
import { loadConformanceCases, runFormat } from '@lsconv/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { yolo, yoloObb } from './index.js';
import { yoloImporter } from './yolo-import.js';

const tmp: string[] = [];
afterAll(async () => {
  for (const dir of tmp) await fs.rm(dir, { recursive: true, force: true });
});

/** A PNG with only its header: enough for the size reader. */
function pngHeader(width: number, height: number): Buffer {
  const b = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  b[24] = 8;
  b[25] = 6;
  return b;
}

function sizeOf(task: Task): { width: number; height: number } | undefined {
  for (const a of [...(task.annotations ?? []), ...(task.completions ?? [])]) {
    for (const r of a.result ?? []) {
      if (typeof r.original_width === 'number' && typeof r.original_height === 'number') {
        return { width: r.original_width, height: r.original_height };
      }
    }
  }
  return undefined;
}

/** Label lines as token lists; numbers compared within 1e-6 by `sameLines`. */
function lines(text: string): string[][] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => l.split(/\s+/));
}

function sameLines(a: string, b: string): boolean {
  const la = lines(a);
  const lb = lines(b);
  if (la.length !== lb.length) return false;
  return la.every((ta, i) => {
    const tb = lb[i]!;
    return (
      ta.length === tb.length &&
      ta.every((t, k) => t === tb[k] || Math.abs(Number(t) - Number(tb[k])) <= 1e-6)
    );
  });
}

/** Exports, imports the export, exports again: the label files must match (file names follow the image URLs, so contents are matched). */
async function roundTrip(format: FormatDefinition<any>, tasks: Task[], config: string): Promise<void> {
  const first = await runFormat(format, tasks, config, 'default');
  const dir = await fs.mkdtemp(join(tmpdir(), 'lsconv-yolo-rt-'));
  tmp.push(dir);
  for (const [path, bytes] of first.sink.files) {
    await fs.mkdir(join(dir, path, '..'), { recursive: true });
    await fs.writeFile(join(dir, path), bytes);
  }
  // One image per label file, of the size its task's regions give (each task exported alone to learn its file).
  await fs.mkdir(join(dir, 'images'), { recursive: true });
  for (const task of tasks) {
    const alone = await runFormat(format, [task], config, 'default');
    const size = sizeOf(task) ?? { width: 100, height: 100 };
    for (const path of alone.sink.files.keys()) {
      if (!path.startsWith('labels/')) continue;
      await fs.writeFile(join(dir, 'images', `${path.slice(7, -4)}.png`), pngHeader(size.width, size.height));
    }
  }
  const report = new ConversionReport('import yolo');
  const options = resolveOptions('yolo', yoloImporter.options, {});
  const imported = await yoloImporter.run({
    input: dir,
    options,
    report,
    compat: 'default',
    signal: new AbortController().signal,
  });
  const second = await runFormat(format, [...(imported.tasks as Task[])], imported.labelConfig, 'default');
  expect(second.text('classes.txt')).toBe(first.text('classes.txt'));
  const labels1 = [...first.sink.files.keys()].filter((p) => p.startsWith('labels/')).sort();
  const labels2 = [...second.sink.files.keys()].filter((p) => p.startsWith('labels/')).sort();
  expect(labels2.length).toBe(labels1.length);
  const contents2 = labels2.map((p) => second.text(p));
  for (const path of labels1) {
    const text = first.text(path);
    const twin = labels2.find((p) => p.split('/').pop()!.endsWith(path.split('/').pop()!));
    const match = twin ? sameLines(text, second.text(twin)) : contents2.some((c) => sameLines(text, c));
    expect(match, `${path}:\n${text}\nnot found again in\n${contents2.join('\n--\n')}`).toBe(true);
  }
}

describe('YOLO export → import → export', () => {
  const cases = loadConformanceCases().filter(
    (c) => c.tasksFile && c.configFile && (c.outputs.YOLO || c.outputs.YOLO_OBB),
  );
  it('has vision cases', () => expect(cases.length).toBeGreaterThan(5));
  for (const c of cases) {
    const tasks = JSON.parse(readFileSync(c.tasksFile!, 'utf8')) as Task[];
    const config = readFileSync(c.configFile!, 'utf8');
    if (c.outputs.YOLO) it(`${c.name} (YOLO)`, () => roundTrip(yolo, tasks, config));
    if (c.outputs.YOLO_OBB) it(`${c.name} (YOLO_OBB)`, () => roundTrip(yoloObb, tasks, config));
  }
});

/** A small deterministic generator (no Math.random: the test must be reproducible). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function generated(kind: 'polygons' | 'obb' | 'pose', count = 6): { tasks: Task[]; config: string } {
  const rnd = lcg(kind.length * 7919);
  const labels = ['car', 'person', 'Tree'];
  const kp = ['head', 'left', 'right'];
  const tasks: Task[] = [];
  for (let t = 0; t < count; t++) {
    const size = { original_width: 320 + t * 37, original_height: 200 + t * 23 };
    const result: Record<string, unknown>[] = [];
    for (let r = 0; r < 3; r++) {
      const label = labels[Math.floor(rnd() * labels.length)]!;
      const x = 5 + rnd() * 40;
      const y = 5 + rnd() * 40;
      const w = 5 + rnd() * 30;
      const h = 5 + rnd() * 30;
      const id = `t${t}r${r}`;
      if (kind === 'polygons') {
        const n = 3 + Math.floor(rnd() * 5);
        const points = Array.from({ length: n }, (_, i) => {
          const a = (2 * Math.PI * i) / n;
          return [x + w / 2 + (w / 2) * Math.cos(a), y + h / 2 + (h / 2) * Math.sin(a)];
        });
        result.push({
          id,
          type: 'polygonlabels',
          from_name: 'poly',
          to_name: 'image',
          ...size,
          value: { points, polygonlabels: [label] },
        });
      } else if (kind === 'obb') {
        // Rotations that keep the box inside the image, so nothing is clipped.
        const rotation = rnd() * 40;
        result.push({
          id,
          type: 'rectanglelabels',
          from_name: 'box',
          to_name: 'image',
          ...size,
          value: { x: x + 10, y, width: w, height: h, rotation, rectanglelabels: [label] },
        });
      } else {
        result.push({
          id,
          type: 'rectanglelabels',
          from_name: 'box',
          to_name: 'image',
          ...size,
          value: { x, y, width: w, height: h, rectanglelabels: [label] },
        });
        kp.forEach((name, k) => {
          if (rnd() < 0.25) return;
          result.push({
            id: `${id}k${k}`,
            type: 'keypointlabels',
            from_name: 'kp',
            to_name: 'image',
            parentID: id,
            ...size,
            value: { x: x + rnd() * w, y: y + rnd() * h, width: 1, keypointlabels: [name] },
          });
        });
      }
    }
    tasks.push({
      id: t + 1,
      data: { image: `https://example.com/img/${t}.jpg` },
      annotations: [{ id: t + 1, result: result as never }],
    });
  }
  const labelTags = labels.map((l) => `<Label value="${l}"/>`).join('');
  const config =
    kind === 'polygons'
      ? `<View><Image name="image" value="$image"/><PolygonLabels name="poly" toName="image">${labelTags}</PolygonLabels></View>`
      : kind === 'obb'
        ? `<View><Image name="image" value="$image"/><RectangleLabels name="box" toName="image">${labelTags}</RectangleLabels></View>`
        : `<View><Image name="image" value="$image"/><RectangleLabels name="box" toName="image">${labelTags}</RectangleLabels><KeyPointLabels name="kp" toName="image">${kp
            .map((k, i) => `<Label value="${k}" model_index="${i}"/>`)
            .join('')}</KeyPointLabels></View>`;
  return { tasks, config };
}

describe('YOLO round trip on generated datasets', () => {
  it('polygons (YOLO segmentation)', async () => {
    const { tasks, config } = generated('polygons');
    await roundTrip(yolo, tasks, config);
  });
  it('oriented boxes (YOLO_OBB)', async () => {
    const { tasks, config } = generated('obb');
    await roundTrip(yoloObb, tasks, config);
  });
  it('pose (YOLO with keypoints)', async () => {
    const { tasks, config } = generated('pose');
    await roundTrip(yolo, tasks, config);
  });
  it('a changed coordinate is noticed (the comparison can fail)', async () => {
    const { tasks, config } = generated('polygons', 1);
    const first = await runFormat(yolo, tasks, config, 'default');
    const path = [...first.sink.files.keys()].find((p) => p.startsWith('labels/'))!;
    const text = first.text(path);
    expect(sameLines(text, text)).toBe(true);
    expect(sameLines(text, text.replace(/ 0\.(\d)/, ' 0.9$1'))).toBe(false);
  });
});
