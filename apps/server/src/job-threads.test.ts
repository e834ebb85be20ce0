import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isLsconvError, loadRegistry, type Registry } from '@lsconv/core';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConvertRequest } from './jobs/protocol.js';
import { convertInWorker } from './jobs/threads.js';
import {
  BOX_CONFIG,
  box,
  removeDir,
  startTestServer,
  type TestServer,
  waitForSnapshot,
} from './test-helpers.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const fixtureModule = pathToFileURL(
  join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'worker-formats', 'index.mjs'),
).href;

const tasks = Array.from({ length: 40 }, (_, i) => ({
  data: { image: `/data/upload/1/img-${i}.jpg` },
  annotations: [
    {
      completed_by: 1,
      result: i % 7 === 3 ? [] : [box(i % 2 ? 'Car' : 'Plane', `a${i}`), box('Car', `b${i}`)],
      created_at: `2024-01-0${(i % 9) + 1}T10:00:00Z`,
    },
  ],
}));

/** What a download holds, comparable across runs: a file's text, or a zip's entries; export dates masked. */
async function contents(res: Response): Promise<Record<string, string>> {
  const bytes = new Uint8Array(await res.arrayBuffer());
  const mask = (text: string) =>
    text.replace(/"(date_created|created_at|updated_at)": ?"[^"]*"/g, '"$1": "…"');
  if (res.headers.get('content-type') === 'application/zip') {
    const entries = unzipSync(bytes);
    return Object.fromEntries(
      Object.entries(entries).map(([name, data]) => [name, mask(Buffer.from(data).toString('utf8'))]),
    );
  }
  return { file: mask(Buffer.from(bytes).toString('utf8')) };
}

async function convertAll(t: TestServer, formats: readonly string[]): Promise<Record<string, unknown>> {
  const project = (await (
    await t.api('/api/projects', { method: 'POST', json: { title: 'P', label_config: BOX_CONFIG } })
  ).json()) as { id: number };
  expect((await t.api(`/api/projects/${project.id}/import`, { method: 'POST', json: tasks })).status).toBe(
    201,
  );
  const snap = (await (
    await t.api(`/api/projects/${project.id}/exports`, { method: 'POST', json: {} })
  ).json()) as { id: number };
  for (const export_type of formats) {
    const res = await t.api(`/api/projects/${project.id}/exports/${snap.id}/convert`, {
      method: 'POST',
      json: { export_type },
    });
    expect(res.status).toBe(200);
  }
  const done = await waitForSnapshot(t, project.id, snap.id);
  expect(done).toMatchObject({ status: 'completed', counters: { task_number: tasks.length } });
  const out: Record<string, unknown> = {
    snapshot: await contents(await t.api(`/api/projects/${project.id}/exports/${snap.id}/download`)),
  };
  for (const c of done.converted_formats as { export_type: string; status: string; traceback?: string }[]) {
    expect(c, `${c.export_type}: ${c.traceback}`).toMatchObject({ status: 'completed' });
    out[c.export_type] = await contents(
      await t.api(`/api/projects/${project.id}/exports/${snap.id}/download?exportType=${c.export_type}`),
    );
  }
  return out;
}

describe('snapshots and conversions in worker threads', () => {
  let registry: Registry;
  beforeAll(async () => {
    registry = await loadRegistry({ cwd: root });
  });
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const t of servers) {
      await t.stop();
      removeDir(t.dataDir);
    }
  });

  it('give the same files as converting in the server thread, for file and folder formats', async () => {
    const formats = ['JSON_MIN', 'CSV', 'COCO', 'VOC', 'YOLO', 'YOLO_OBB'].filter((id) =>
      registry.formats.has(id),
    );
    expect(formats.length).toBeGreaterThanOrEqual(4);
    for (const id of formats) expect(registry.formats.get(id)?.origin.entry).toBeTruthy();
    const threaded = await startTestServer({ registry });
    servers.push(threaded);
    const inline = await startTestServer({ registry, jobWorkers: false });
    servers.push(inline);
    const a = await convertAll(threaded, formats);
    const b = await convertAll(inline, formats);
    expect(Object.keys(a).sort()).toEqual([...formats, 'snapshot'].sort());
    expect(JSON.parse((a.snapshot as { file: string }).file)).toHaveLength(tasks.length);
    expect(a).toEqual(b);
    // The folder formats came out as zips with one label file per annotated image.
    expect(Object.keys(a.YOLO as object).filter((n) => n.startsWith('labels/')).length).toBeGreaterThan(30);
  });
});

describe('convertInWorker', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const setUp = async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsconv-convert-worker-'));
    dirs.push(dir);
    const input = join(dir, 'tasks.json');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      input,
      JSON.stringify([
        { id: 5, data: {} },
        { id: 6, data: {} },
        { id: 7, data: {} },
      ]),
    );
    return { dir, input };
  };
  /** A request for one of the fixture formats over a three-task export. */
  const request = async (formatId: string): Promise<ConvertRequest> => {
    const { dir, input } = await setUp();
    return {
      moduleUrl: fixtureModule,
      formatId,
      labelConfig: '<View/>',
      input,
      workDir: join(dir, 'work'),
      zipPath: join(dir, 'result.zip'),
      formatOptions: {},
      compat: 'default',
      resources: {},
    };
  };

  it('brings an LsconvError back with its code, reason and location', async () => {
    const req = await request('TEST_FAILING');
    const dir = dirname(req.input);
    const error = await convertInWorker(req).catch((e: unknown) => e);
    expect(isLsconvError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'INVALID_TASK', reason: 'this task cannot be converted' });
    expect((error as Error).message).toMatch(/task #1.*id 6.*field data\.image/);
    expect(readdirSync(dir).sort()).toEqual(['tasks.json']);
  });

  it('stops a running conversion when the signal aborts, leaving no zip behind', async () => {
    const req = await request('TEST_ENDLESS');
    const dir = dirname(req.input);
    const controller = new AbortController();
    const running = convertInWorker(req, controller.signal);
    setTimeout(() => controller.abort(), 300);
    await expect(running).rejects.toMatchObject({ code: 'ABORTED' });
    // The format's own clean-up ran in the worker: its sink removed the partial zip.
    expect(readdirSync(dir).filter((n) => n.includes('result.zip'))).toEqual([]);
  });

  it('fails with a message when the thread dies without answering', async () => {
    await expect(convertInWorker(await request('TEST_CRASHING'))).rejects.toThrow(
      /the conversion worker stopped \(exit code 7\) before answering/,
    );
  });

  it('reports a module without the format', async () => {
    await expect(convertInWorker(await request('NOPE'))).rejects.toThrow(/exports no format NOPE/);
  });
});
