import { promises as fs, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConversionReport, type FormatDefinition, resolveOptions, type Task } from '@lsconv/core';
import { loadConformanceCases, pngHeader, runFormat } from '@lsconv/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { yolo, yoloObb } from './index.js';
import { yoloImporter } from './yolo-import.js';

const tmp: string[] = [];
afterAll(async () => {
  for (const dir of tmp) await fs.rm(dir, { recursive: true, force: true });
});

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

/** Imports a YOLO folder (images of the given sizes beside its labels). */
async function importFolder(
  dir: string,
  given: Record<string, unknown> = {},
): Promise<{ tasks: Task[]; labelConfig: string }> {
  const options = resolveOptions('yolo', yoloImporter.options, given);
  const imported = await yoloImporter.run({
    input: dir,
    options,
    report: new ConversionReport('import yolo'),
    compat: 'default',
    signal: new AbortController().signal,
  });
  return { tasks: [...(imported.tasks as Task[])], labelConfig: imported.labelConfig };
}

/** Copies a folder's files into a new temporary folder. */
async function copyTree(files: Iterable<[string, Uint8Array]>): Promise<string> {
  const dir = await fs.mkdtemp(join(tmpdir(), 'lsconv-yolo-rt-'));
  tmp.push(dir);
  for (const [path, bytes] of files) {
    await fs.mkdir(join(dir, path, '..'), { recursive: true });
    await fs.writeFile(join(dir, path), bytes);
  }
  return dir;
}

/** Every file under a folder, by relative path. */
function readTree(dir: string, sub = ''): [string, Uint8Array][] {
  return readdirSync(join(dir, sub), { withFileTypes: true }).flatMap((e) => {
    const rel = sub ? `${sub}/${e.name}` : e.name;
    return e.isDirectory()
      ? readTree(dir, rel)
      : [[rel, readFileSync(join(dir, rel))] as [string, Uint8Array]];
  });
}

/**
 * Imports the Python converter's YOLO folder (an input lsconv did not write; a 100×100
 * image beside each label file, since label coordinates are relative) and exports it
 * again with `--compat python`: the same classes and the same label lines, file by file
 * (matched by content, since file names follow the imported image URLs).
 */
async function referenceRoundTrip(
  format: FormatDefinition<any>,
  reference: string,
  pose: boolean,
): Promise<void> {
  const files = readTree(reference);
  const labels = files.filter(([p]) => p.startsWith('labels/'));
  const dir = await copyTree([
    ...files,
    ...labels.map(([p]) => [`images/${p.slice(7, -4)}.png`, pngHeader(100, 100)] as [string, Uint8Array]),
  ]);
  // Images named by their own URLs, so no two label files share a name on the way back. The
  // Python converter writes no data.yaml, so a pose folder's keypoint count is given, as a
  // user would (--kpt-shape): the values after the box, three per keypoint.
  const first = labels
    .map(([, bytes]) => Buffer.from(bytes).toString().trim().split('\n')[0]!)
    .find((l) => l !== '');
  const keypoints = pose && first ? (first.split(/\s+/).length - 5) / 3 : 0;
  const { tasks, labelConfig } = await importFolder(dir, {
    imageRootUrl: 'https://example.com/images/',
    ...(keypoints ? { kptShape: `${keypoints},3` } : {}),
  });
  const again = await runFormat(format, tasks, labelConfig, 'python');
  expect(again.text('classes.txt').trim()).toBe(readFileSync(join(reference, 'classes.txt'), 'utf8').trim());
  const lines = labels.map(([, bytes]) => Buffer.from(bytes).toString('utf8'));
  const written = [...again.sink.files.keys()].filter((p) => p.startsWith('labels/'));
  expect(written.length).toBe(labels.length);
  const contents = written.map((p) => again.text(p));
  for (const [i, text] of lines.entries()) {
    const match = contents.some((c) => sameLines(text, c));
    expect(match, `${labels[i]![0]}:\n${text}\nnot found again in\n${contents.join('\n--\n')}`).toBe(true);
  }
}

/**
 * Exports generated tasks, imports the export, and compares the imported regions with the
 * generated ones (the independent input): type, label and coordinates within 1e-6 %.
 */
async function generatedRoundTrip(
  format: FormatDefinition<any>,
  tasks: Task[],
  config: string,
): Promise<void> {
  const first = await runFormat(format, tasks, config, 'default');
  const dir = await copyTree(first.sink.files);
  await fs.mkdir(join(dir, 'images'), { recursive: true });
  // One image per label file, of the size its task's regions give (each task exported alone to learn its file).
  for (const task of tasks) {
    const alone = await runFormat(format, [task], config, 'default');
    const size = sizeOf(task) ?? { width: 100, height: 100 };
    for (const path of alone.sink.files.keys())
      if (path.startsWith('labels/'))
        await fs.writeFile(
          join(dir, 'images', `${path.slice(7, -4)}.png`),
          pngHeader(size.width, size.height),
        );
  }
  const { tasks: imported } = await importFolder(dir);
  const regions = (list: Task[]) =>
    list
      .flatMap((t) => (t.annotations ?? []).flatMap((a) => a.result ?? []))
      .map((r) => regionKey(r as Record<string, unknown>))
      .sort();
  const want = regions(tasks);
  expect(want.length).toBeGreaterThan(0);
  const got = regions(imported);
  expect(got.length).toBe(want.length);
  for (const [i, key] of want.entries()) expect(sameNumbers(got[i]!, key), `${got[i]} ≠ ${key}`).toBe(true);
}

/**
 * A region as a comparable line: its type, its first label, its coordinates in percent.
 * Keypoints go without their names: a YOLO pose file holds positions in a fixed order only.
 */
function regionKey(r: Record<string, unknown>): string {
  const v = r.value as Record<string, unknown>;
  const label = ((v.rectanglelabels ?? v.polygonlabels ?? v.keypointlabels ?? []) as string[])[0];
  const coords =
    r.type === 'polygonlabels'
      ? (v.points as number[][]).flat()
      : r.type === 'keypointlabels'
        ? [v.x, v.y]
        : [v.x, v.y, v.width, v.height, v.rotation ?? 0];
  const name = r.type === 'keypointlabels' ? '' : label;
  return [r.type, name, ...(coords as number[]).map((n) => n.toFixed(6))].join(' ');
}

/** Two region keys with the same words and numbers within 1e-4 (percent). */
function sameNumbers(a: string, b: string): boolean {
  const ta = a.split(' ');
  const tb = b.split(' ');
  return (
    ta.length === tb.length && ta.every((t, k) => t === tb[k] || Math.abs(Number(t) - Number(tb[k])) <= 1e-4)
  );
}

describe('YOLO: the reference output → import → export', () => {
  // Only reference folders with label lines: an empty one carries nothing to compare.
  const hasLines = (dir: string | undefined) =>
    dir !== undefined &&
    readTree(dir).some(
      ([p, bytes]) => p.startsWith('labels/') && Buffer.from(bytes).toString().trim() !== '',
    );
  const cases = loadConformanceCases().filter(
    (c) => hasLines(c.outputs.YOLO) || hasLines(c.outputs.YOLO_OBB),
  );
  it('has vision cases', () => expect(cases.length).toBeGreaterThan(5));
  for (const c of cases) {
    const pose = readFileSync(c.configFile!, 'utf8').includes('<KeyPointLabels');
    if (hasLines(c.outputs.YOLO))
      it(`${c.name} (YOLO)`, () => referenceRoundTrip(yolo, c.outputs.YOLO!, pose));
    if (hasLines(c.outputs.YOLO_OBB))
      it(`${c.name} (YOLO_OBB)`, () => referenceRoundTrip(yoloObb, c.outputs.YOLO_OBB!, pose));
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

describe('YOLO round trip on generated datasets: the imported regions are the generated ones', () => {
  it('polygons (YOLO segmentation)', async () => {
    const { tasks, config } = generated('polygons');
    await generatedRoundTrip(yolo, tasks, config);
  });
  it('oriented boxes (YOLO_OBB)', async () => {
    const { tasks, config } = generated('obb');
    await generatedRoundTrip(yoloObb, tasks, config);
  });
  it('pose (YOLO with keypoints)', async () => {
    const { tasks, config } = generated('pose');
    await generatedRoundTrip(yolo, tasks, config);
  });
  it('the region comparison notices a moved point', () => {
    expect(sameNumbers('polygonlabels car 1.000000 2.000000', 'polygonlabels car 1.000000 2.000050')).toBe(
      true,
    );
    expect(sameNumbers('polygonlabels car 1.000000 2.000000', 'polygonlabels car 1.000000 2.001000')).toBe(
      false,
    );
    expect(sameNumbers('polygonlabels car 1.000000', 'polygonlabels Tree 1.000000')).toBe(false);
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
