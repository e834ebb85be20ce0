// The server with the real formats (as it discovers them): lsconv's output by default,
// the Python converter's on request, the format's own options honoured, an empty export
// refused with its reasons, and requests answered while a conversion runs.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import {
  directorySink,
  loadRegistry,
  openTaskSource,
  parseLabelConfig,
  type Registry,
  runExport,
} from '@lsconv/core';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BOX_CONFIG,
  box,
  removeDir,
  startTestServer,
  type TestServer,
  waitForSnapshot,
} from './test-helpers.js';

const repoRoot = resolve(import.meta.dirname, '..', '..', '..');
let registry: Registry;
let t: TestServer;
const scratch = mkdtempSync(join(tmpdir(), 'lsconv-real-formats-'));

const rotated = {
  ...box('Car'),
  value: { x: 10, y: 20, width: 30, height: 40, rotation: 30, rectanglelabels: ['Car'] },
};
const TASKS = [
  {
    data: { image: 'https://example.com/a.jpg' },
    annotations: [
      { id: 1, created_at: '2024-01-01T00:00:00Z', result: [box('Car')] },
      { id: 2, created_at: '2024-02-01T00:00:00Z', result: [box('Plane', 'r2'), box('Car', 'r3')] },
    ],
  },
  { data: { image: 'https://example.com/b.jpg' }, annotations: [{ id: 3, result: [rotated] }] },
];

async function project(config: string, tasks: unknown[]): Promise<number> {
  const id = (
    (await (await t.api('/api/projects', { method: 'POST', json: { label_config: config } })).json()) as any
  ).id;
  expect((await t.api(`/api/projects/${id}/import`, { method: 'POST', json: tasks })).status).toBe(201);
  return id;
}

const unzip = async (res: Response) => unzipSync(new Uint8Array(await res.arrayBuffer()));
const texts = (files: Record<string, Uint8Array>) =>
  Object.fromEntries(Object.entries(files).map(([k, v]) => [k, new TextDecoder().decode(v)]));

beforeAll(async () => {
  registry = await loadRegistry({ cwd: repoRoot });
  if (!registry.formats.has('YOLO') || !registry.formats.has('COCO'))
    throw new Error('the YOLO and COCO formats are not built; run pnpm build');
  t = await startTestServer({ registry });
});
afterAll(async () => {
  await t.stop();
  removeDir(t.dataDir);
  removeDir(scratch);
});

describe('compatibility mode', () => {
  it("writes lsconv's YOLO (data.yaml) by default and the Python converter's with compat=python", async () => {
    const id = await project(BOX_CONFIG, TASKS);
    const ours = texts(await unzip(await t.api(`/api/projects/${id}/export?exportType=YOLO`)));
    expect(Object.keys(ours)).toContain('data.yaml');
    const python = texts(
      await unzip(await t.api(`/api/projects/${id}/export?exportType=YOLO&compat=python`)),
    );
    expect(Object.keys(python)).not.toContain('data.yaml');

    // The Python path of the same format, run directly on the same export, writes the same files.
    const input = join(scratch, 'tasks.json');
    const json = await t.api(`/api/projects/${id}/export?exportType=JSON`);
    expect(json.status, await json.clone().text()).toBe(200);
    writeFileSync(input, await json.text());
    const out = join(scratch, 'python');
    await runExport({
      format: registry.format('YOLO'),
      tasks: openTaskSource(input, { keepRaw: true }),
      config: parseLabelConfig(BOX_CONFIG),
      sink: directorySink(out),
      compat: 'python',
      input: 'export',
    });
    const direct: Record<string, string> = {};
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else direct[relative(out, p)] = readFileSync(p, 'utf8');
      }
    };
    walk(out);
    const files = (x: Record<string, string>) =>
      Object.fromEntries(Object.entries(x).filter(([k]) => !k.endsWith('/')));
    expect(files(python)).toEqual(direct);
  });

  it("honours the format's annotation option (latest, first, all give different labels)", async () => {
    const id = await project(BOX_CONFIG, TASKS.slice(0, 1));
    const label = async (annotation: string) => {
      const files = texts(
        await unzip(await t.api(`/api/projects/${id}/export?exportType=YOLO&annotation=${annotation}`)),
      );
      return Object.entries(files)
        .find(([k]) => k.startsWith('labels/') && k.endsWith('.txt'))![1]
        .trim()
        .split('\n');
    };
    const [latest, first, all] = [await label('latest'), await label('first'), await label('all')];
    expect(latest).toHaveLength(2);
    expect(first).toHaveLength(1);
    expect(all).toHaveLength(3);
  });

  it('takes the dataset options as export parameters: splits, a class map, and refuses a bad one', async () => {
    const tasks = Array.from({ length: 12 }, (_, i) => ({
      data: { image: `https://example.com/${i}.jpg` },
      annotations: [{ id: 100 + i, result: [box(i % 2 ? 'Car' : 'Plane', `s${i}`)] }],
    }));
    const id = await project(BOX_CONFIG, tasks);
    const q = new URLSearchParams({
      exportType: 'YOLO',
      split: 'train=0.5,val=0.5',
      classMap: 'Plane\nCar\n',
    });
    const files = texts(await unzip(await t.api(`/api/projects/${id}/export?${q}`)));
    expect(files['data.yaml']).toContain('train: images/train\nval: images/val\n');
    expect(files['classes.txt']).toBe('Plane\nCar\n');
    const labels = Object.keys(files).filter((k) => /^labels\/(train|val)\/.+\.txt$/.test(k));
    expect(labels).toHaveLength(12);
    // A field name: every task then needs the field, and one without it is named.
    const unrecorded = await t.api(`/api/projects/${id}/export?exportType=YOLO&split=fold`);
    expect(unrecorded.status).toBe(400);
    expect(await unrecorded.text()).toContain('no recorded split (data.fold)');
    const refused = await t.api(`/api/projects/${id}/export?exportType=YOLO&split=train%3D-1`);
    expect(refused.status).toBe(400);
    expect(JSON.stringify(((await refused.json()) as any).validation_errors)).toContain('--split must be');
  });

  it('converts a snapshot with the dataset options given with the format options', async () => {
    const tasks = Array.from({ length: 10 }, (_, i) => ({
      data: { image: `https://example.com/s${i}.jpg` },
      annotations: [{ id: 300 + i, result: [box('Car', `c${i}`)] }],
    }));
    const id = await project(BOX_CONFIG, tasks);
    const snap = (await (
      await t.api(`/api/projects/${id}/exports`, { method: 'POST', json: {} })
    ).json()) as any;
    await waitForSnapshot(t, id, snap.id);
    const convert = await t.api(`/api/projects/${id}/exports/${snap.id}/convert`, {
      method: 'POST',
      json: { export_type: 'VOC', options: { split: 'train=0.6,test=0.4', splitSeed: '3' } },
    });
    expect(convert.status).toBe(200);
    const done = await waitForSnapshot(t, id, snap.id);
    expect(done.converted_formats[0].status).toBe('completed');
    const files = texts(
      await unzip(await t.api(`/api/projects/${id}/exports/${snap.id}/download?exportType=VOC`)),
    );
    const listed = ['train', 'test'].flatMap((s) => files[`ImageSets/Main/${s}.txt`]!.trim().split('\n'));
    expect(listed).toHaveLength(10);
  });

  it('refuses an unknown compat', async () => {
    const id = await project(BOX_CONFIG, []);
    const res = await t.api(`/api/projects/${id}/export?exportType=YOLO&compat=perl`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).validation_errors).toHaveProperty('compat');
  });
});

describe('reports', () => {
  const REPEATER =
    '<View><Repeater on="$images" indexFlag="{{idx}}"><Image name="page_{{idx}}" value="$images[{{idx}}].url"/>' +
    '<RectangleLabels name="labels_{{idx}}" toName="page_{{idx}}"><Label value="Car"/></RectangleLabels></Repeater></View>';
  const repeaterTask = {
    data: { images: [{ url: 'https://example.com/p1.jpg' }] },
    annotations: [{ result: [{ ...box('Car'), from_name: 'labels_0', to_name: 'page_0' }] }],
  };

  it('an easy export that wrote nothing from annotated tasks fails with the reasons', async () => {
    const id = await project(REPEATER, [repeaterTask]);
    const res = await t.api(`/api/projects/${id}/export?exportType=COCO`);
    const body = (await res.json()) as any;
    expect(res.status, JSON.stringify(body)).toBe(400);
    expect(body.detail).toMatch(/COCO wrote no region from 1 task/);
  });

  it('an easy export carries its counts and a link to the full report', async () => {
    const id = await project(BOX_CONFIG, TASKS);
    const res = await t.api(`/api/projects/${id}/export?exportType=COCO`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-lsconv-report')).toMatch(/^tasks=2; items=2; regions=\d+; skipped=\d+$/);
    const report = (await (await t.api(res.headers.get('x-lsconv-report-url')!)).json()) as any;
    expect(report).toMatchObject({ format: 'COCO', tasksRead: 2 });
  });
});
