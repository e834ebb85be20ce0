import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BOX_CONFIG,
  box,
  removeDir,
  startTestServer,
  TEXT_CONFIG,
  type TestServer,
  waitForSnapshot,
} from './test-helpers.js';

let t: TestServer;
let projectId: number;

const TASKS = [
  {
    data: { image: 'https://example.com/a.jpg' },
    annotations: [
      {
        id: 501,
        completed_by: { id: 7, email: 'ann@example.com', first_name: 'Ann', last_name: 'Lee' },
        result: [box('Car')],
      },
    ],
    predictions: [{ id: 900, model_version: 'v1', result: [box('Plane')] }],
  },
  {
    data: { image: 'https://example.com/b.jpg' },
    drafts: [{ id: 300, user: 'ann@example.com', result: [box('Plane')] }],
  },
  {
    data: { image: 'https://example.com/c.jpg' },
    annotations: [{ completed_by: 7, was_cancelled: true, result: [] }],
  },
];

beforeAll(async () => {
  t = await startTestServer({ maxBodyBytes: 64 * 1024 });
  const res = await t.api('/api/projects', {
    method: 'POST',
    json: { title: 'Cars and planes', label_config: BOX_CONFIG },
  });
  expect(res.status).toBe(201);
  projectId = ((await res.json()) as { id: number }).id;
  const imported = await t.api(`/api/projects/${projectId}/import`, { method: 'POST', json: TASKS });
  expect(imported.status).toBe(201);
});

afterAll(async () => {
  await t.stop();
  removeDir(t.dataDir);
});

describe('auth and errors', () => {
  it('refuses a request without a token with the Label Studio envelope', async () => {
    const res = await fetch(`${t.base}/api/projects`);
    expect(res.status).toBe(401);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      status_code: 401,
      detail: 'Authentication credentials were not provided.',
      exc_info: null,
    });
    expect(typeof body.id).toBe('string');
    expect(body).not.toHaveProperty('validation_errors');
  });

  it('refuses a wrong token, on every kind of route', async () => {
    for (const path of [
      '/api/projects',
      `/api/projects/${projectId}/export`,
      `/api/projects/${projectId}/exports/`,
      `/api/projects/${projectId}/export/formats`,
    ]) {
      const res = await fetch(`${t.base}${path}`, { headers: { authorization: 'Token nope' } });
      expect(res.status, path).toBe(401);
      expect(((await res.json()) as { detail: string }).detail).toBe('Invalid token.');
    }
  });

  it('accepts Bearer as well as Token', async () => {
    const res = await fetch(`${t.base}/api/projects`, { headers: { authorization: `Bearer ${t.key}` } });
    expect(res.status).toBe(200);
  });

  it('answers 404 in the envelope for an unknown project and route', async () => {
    const res = await t.api('/api/projects/99999');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { detail: string }).detail).toBe('Not found.');
    expect((await t.api('/api/nothing-here')).status).toBe(404);
  });

  it('refuses a body over the limit with 413', async () => {
    const res = await t.api('/api/projects', {
      method: 'POST',
      json: { title: 'x', description: 'y'.repeat(100_000) },
    });
    expect(res.status).toBe(413);
  });

  it('serves the OpenAPI description and the page', async () => {
    const docs = (await (await fetch(`${t.base}/api/docs`)).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(docs.openapi).toMatch(/^3\./);
    expect(Object.keys(docs.paths)).toEqual(
      expect.arrayContaining([
        '/api/projects/{id}/export',
        '/api/projects/{id}/exports/{export_pk}/download',
      ]),
    );
    const page = await fetch(`${t.base}/`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<select id="project"');
  });
});

describe('projects', () => {
  it('creates, reads, lists, updates and deletes', async () => {
    const created = await t.api('/api/projects', {
      method: 'POST',
      json: { title: 'Temp', label_config: TEXT_CONFIG },
    });
    expect(created.status).toBe(201);
    const p = (await created.json()) as { id: number; title: string; task_number: number };
    expect(p).toMatchObject({ title: 'Temp', task_number: 0 });
    const list = (await (await t.api('/api/projects')).json()) as {
      count: number;
      results: { id: number }[];
    };
    expect(list.results.map((r) => r.id)).toContain(p.id);
    const patched = await t.api(`/api/projects/${p.id}`, { method: 'PATCH', json: { title: 'Renamed' } });
    expect(((await patched.json()) as { title: string }).title).toBe('Renamed');
    expect((await t.api(`/api/projects/${p.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await t.api(`/api/projects/${p.id}`)).status).toBe(404);
  });

  it('refuses a labeling config that does not parse, on create and on update', async () => {
    const bad = '<View><Image name="i" value="$i"></View>';
    const res = await t.api('/api/projects', { method: 'POST', json: { title: 'Bad', label_config: bad } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { detail: string; validation_errors: Record<string, string[]> };
    expect(body.detail).toBe('Validation error');
    expect(body.validation_errors.label_config?.[0]).toMatch(/not well-formed/);
    const patched = await t.api(`/api/projects/${projectId}`, {
      method: 'PATCH',
      json: { label_config: bad },
    });
    expect(patched.status).toBe(400);
    const still = (await (await t.api(`/api/projects/${projectId}`)).json()) as { label_config: string };
    expect(still.label_config).toBe(BOX_CONFIG);
  });

  it('shows task and annotation counts', async () => {
    const p = (await (await t.api(`/api/projects/${projectId}`)).json()) as Record<string, number>;
    expect(p).toMatchObject({
      task_number: 3,
      num_tasks_with_annotations: 2,
      total_annotations_number: 1,
      skipped_annotations_number: 1,
      total_predictions_number: 1,
    });
  });
});

describe('import', () => {
  const newProject = async () =>
    (
      (await (
        await t.api('/api/projects', { method: 'POST', json: { title: 'Import', label_config: TEXT_CONFIG } })
      ).json()) as { id: number }
    ).id;

  it('takes JSON Lines and bare data objects', async () => {
    const id = await newProject();
    const body = '{"text": "one"}\n{"data": {"text": "two"}, "annotations": [{"result": []}]}\n';
    const res = await t.api(`/api/projects/${id}/import`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ task_count: 2, annotation_count: 1 });
    const exported = (await (await t.api(`/api/projects/${id}/export?download_all_tasks=true`)).json()) as {
      data: unknown;
    }[];
    expect(exported.map((x) => x.data)).toEqual([{ text: 'one' }, { text: 'two' }]);
  });

  it('takes multipart file uploads', async () => {
    const id = await newProject();
    const form = new FormData();
    form.append(
      'file',
      new Blob([JSON.stringify([{ data: { text: 'a' } }, { data: { text: 'b' } }])]),
      'tasks.json',
    );
    form.append('file', new Blob(['{"data":{"text":"c"}}\n']), 'more.jsonl');
    const res = await t.api(`/api/projects/${id}/import`, { method: 'POST', body: form });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { task_count: number }).task_count).toBe(3);
  });

  it('imports nothing when the body is broken half way', async () => {
    const id = await newProject();
    const res = await t.api(`/api/projects/${id}/import`, {
      method: 'POST',
      body: '[{"data": {"text": "ok"}}, {"data": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toBe('Validation error');
    const p = (await (await t.api(`/api/projects/${id}`)).json()) as { task_number: number };
    expect(p.task_number).toBe(0);
  });

  it('refuses an import over the limit with 413 and keeps nothing', async () => {
    const small = await startTestServer({ maxImportBytes: 200 });
    try {
      const id = (
        (await (await small.api('/api/projects', { method: 'POST', json: { title: 'L' } })).json()) as {
          id: number;
        }
      ).id;
      const tasks = Array.from({ length: 20 }, (_, i) => ({ data: { text: `task ${i}` } }));
      // Streamed without a length, so the limit is enforced while reading.
      const body = new Blob([JSON.stringify(tasks)]).stream();
      const res = await small.api(`/api/projects/${id}/import`, {
        method: 'POST',
        body,
        duplex: 'half',
        headers: { 'content-type': 'application/json' },
      } as RequestInit);
      expect(res.status).toBe(413);
      const p = (await (await small.api(`/api/projects/${id}`)).json()) as { task_number: number };
      expect(p.task_number).toBe(0);
    } finally {
      await small.stop();
      removeDir(small.dataDir);
    }
  });

  it('keeps annotations, predictions and drafts', async () => {
    const res = await t.api(`/api/projects/${projectId}/export?download_all_tasks=true`);
    const tasks = (await res.json()) as Record<string, any>[];
    expect(tasks).toHaveLength(3);
    expect(tasks[0]!.annotations[0]).toMatchObject({
      id: 501,
      completed_by: 7,
      task: tasks[0]!.id,
      project: projectId,
    });
    expect(tasks[0]!.predictions).toEqual([900]);
    expect(tasks[1]!.drafts[0]).toMatchObject({ id: 300, user: 'ann@example.com' });
  });
});

describe('easy export', () => {
  it('defaults to JSON of the tasks with any annotation, skipped ones included', async () => {
    const res = await t.api(`/api/projects/${projectId}/export`);
    expect(res.status).toBe(200);
    const name = res.headers.get('filename')!;
    expect(name).toMatch(
      new RegExp(`^project-${projectId}-at-\\d{4}-\\d\\d-\\d\\d-\\d\\d-\\d\\d-[0-9a-f]{8}\\.json$`),
    );
    expect(res.headers.get('content-disposition')).toContain(`filename="${name}"`);
    const tasks = (await res.json()) as { data: { image: string } }[];
    expect(tasks.map((x) => x.data.image)).toEqual([
      'https://example.com/a.jpg',
      'https://example.com/c.jpg',
    ]);
  });

  it('takes ids[] and ids, exportType and export_type', async () => {
    const all = (await (await t.api(`/api/projects/${projectId}/export?download_all_tasks=true`)).json()) as {
      id: number;
    }[];
    const [a, b] = all.map((x) => x.id);
    const viaBrackets = (await (
      await t.api(`/api/projects/${projectId}/export?download_all_tasks=1&ids[]=${b}`)
    ).json()) as { id: number }[];
    expect(viaBrackets.map((x) => x.id)).toEqual([b]);
    const viaIds = (
      await (
        await t.api(
          `/api/projects/${projectId}/export?export_type=TEST_IDS&download_all_tasks=true&ids=${a}&ids=${b}`,
        )
      ).text()
    ).trim();
    expect(viaIds.split('\n')).toEqual([String(a), String(b)]);
  });

  it('answers a single-file format with the file and a multi-file one with a zip', async () => {
    const single = await t.api(`/api/projects/${projectId}/export?exportType=TEST_IDS`);
    expect(single.headers.get('filename')).toMatch(/\.txt$/);
    const zip = await t.api(`/api/projects/${projectId}/export?exportType=TEST_BOXES&prefix=%3E`);
    expect(zip.headers.get('content-type')).toBe('application/zip');
    expect(zip.headers.get('filename')).toMatch(/\.zip$/);
    const files = unzipSync(new Uint8Array(await zip.arrayBuffer()));
    expect(Object.keys(files)).toContain('classes.txt');
    expect(new TextDecoder().decode(files['classes.txt'])).toBe('Car');
    const labelFiles = Object.keys(files).filter((f) => f.startsWith('labels/task-'));
    expect(labelFiles).toHaveLength(2);
    expect(labelFiles.map((f) => new TextDecoder().decode(files[f]))).toContain('>Car');
  });

  it('refuses an unknown format, a bad boolean and a disabled format', async () => {
    const unknown = await t.api(`/api/projects/${projectId}/export?exportType=NOPE`);
    expect(unknown.status).toBe(400);
    expect(
      ((await unknown.json()) as { validation_errors: Record<string, string[]> }).validation_errors
        .export_type,
    ).toEqual(['NOPE is not supported export format']);
    const bool = await t.api(`/api/projects/${projectId}/export?download_all_tasks=maybe`);
    expect(
      ((await bool.json()) as { validation_errors: Record<string, string[]> }).validation_errors,
    ).toEqual({ download_all_tasks: ['Must be a valid boolean.'] });
    const text = (
      (await (
        await t.api('/api/projects', { method: 'POST', json: { title: 'T', label_config: TEXT_CONFIG } })
      ).json()) as { id: number }
    ).id;
    const disabled = await t.api(`/api/projects/${text}/export?exportType=TEST_BOXES`);
    expect(disabled.status).toBe(400);
    expect(((await disabled.json()) as { detail: string }).detail).toMatch(
      /needs an Image and RectangleLabels/,
    );
  });
});

describe('formats', () => {
  it('lists every format, enabled first, disabled marked, in Label Studio item shape', async () => {
    const text = (
      (await (
        await t.api('/api/projects', { method: 'POST', json: { title: 'T', label_config: TEXT_CONFIG } })
      ).json()) as { id: number }
    ).id;
    const list = (await (await t.api(`/api/projects/${text}/export/formats`)).json()) as Record<
      string,
      unknown
    >[];
    expect(list.map((f) => f.name)).toEqual(['JSON', 'TEST_IDS', 'TEST_EMPTY', 'TEST_FETCH', 'TEST_BOXES']);
    expect(list.at(-1)).toMatchObject({
      name: 'TEST_BOXES',
      disabled: true,
      title: 'Test boxes',
      tags: ['object detection'],
    });
    expect(Object.keys(list[0]!)).toEqual(['title', 'description', 'link', 'tags', 'name']);
    const boxes = (await (await t.api(`/api/projects/${projectId}/export/formats/`)).json()) as Record<
      string,
      unknown
    >[];
    expect(boxes.every((f) => !f.disabled)).toBe(true);
    const details = (await (
      await t.api(`/api/projects/${text}/export/formats?details=true`)
    ).json()) as Record<string, unknown>[];
    expect(details.at(-1)).toMatchObject({ reason: 'needs an Image and RectangleLabels' });
  });

  it('answers the legacy export/files with an empty list', async () => {
    expect(await (await t.api(`/api/projects/${projectId}/export/files`)).json()).toEqual({
      export_files: [],
    });
  });
});

describe('snapshots', () => {
  it('creates, polls, converts and downloads, with Label Studio names', async () => {
    const created = await t.api(`/api/projects/${projectId}/exports`, {
      method: 'POST',
      json: { title: 'Alec is cool' },
    });
    expect(created.status).toBe(201);
    const snap = (await created.json()) as Record<string, any>;
    expect(Object.keys(snap).slice(0, 9)).toEqual([
      'title',
      'id',
      'created_by',
      'created_at',
      'finished_at',
      'status',
      'md5',
      'counters',
      'converted_formats',
    ]);
    const done = await waitForSnapshot(t, projectId, snap.id);
    expect(done).toMatchObject({ status: 'completed', counters: { task_number: 3 } });
    expect(done.md5).toMatch(/^[0-9a-f]{32}$/);

    const raw = await t.api(`/api/projects/${projectId}/exports/${snap.id}/download`);
    expect(raw.headers.get('filename')).toBe(`alec-is-cool-${done.md5.slice(0, 8)}.json`);
    expect(raw.headers.get('content-type')).toBe('application/json');
    expect(((await raw.json()) as unknown[]).length).toBe(3);

    const notYet = await t.api(
      `/api/projects/${projectId}/exports/${snap.id}/download?exportType=TEST_BOXES`,
    );
    expect(notYet.status).toBe(404);
    expect(((await notYet.json()) as { detail: string }).detail).toBe(
      'TEST_BOXES format is not converted yet',
    );

    const convert = await t.api(`/api/projects/${projectId}/exports/${snap.id}/convert`, {
      method: 'POST',
      json: { export_type: 'TEST_BOXES' },
    });
    expect(convert.status).toBe(200);
    expect(await convert.json()).toMatchObject({
      export_type: 'TEST_BOXES',
      converted_format: expect.any(Number),
    });
    const again = await t.api(`/api/projects/${projectId}/exports/${snap.id}/convert`, {
      method: 'POST',
      json: { export_type: 'TEST_BOXES' },
    });
    expect(again.status).toBe(400);
    expect(((await again.json()) as { validation_errors: unknown }).validation_errors).toEqual({
      non_field_errors: ['Conversion to TEST_BOXES already started'],
    });
    const unknown = await t.api(`/api/projects/${projectId}/exports/${snap.id}/convert`, {
      method: 'POST',
      json: { export_type: 'NOPE' },
    });
    expect(((await unknown.json()) as { validation_errors: unknown }).validation_errors).toEqual({
      export_type: ['NOPE is not supported export format'],
    });

    const converted = await waitForSnapshot(t, projectId, snap.id);
    expect(converted.converted_formats).toEqual([
      {
        id: expect.any(Number),
        status: 'completed',
        export_type: 'TEST_BOXES',
        traceback: null,
        // lsconv's addition: the conversion's report.
        report: expect.objectContaining({ format: 'TEST_BOXES', tasksRead: 3, itemsWritten: 3 }),
      },
    ]);
    const zip = await t.api(`/api/projects/${projectId}/exports/${snap.id}/download?exportType=TEST_BOXES`);
    expect(zip.status).toBe(200);
    expect(zip.headers.get('filename')).toMatch(/^alec-is-cool-[0-9a-f]{8}\.zip$/);
    expect(Object.keys(unzipSync(new Uint8Array(await zip.arrayBuffer())))).toContain('classes.txt');

    const list = (await (await t.api(`/api/projects/${projectId}/exports`)).json()) as { id: number }[];
    expect(list.map((s) => s.id)).toContain(snap.id);
    expect((await t.api(`/api/projects/${projectId}/exports/${snap.id}`, { method: 'DELETE' })).status).toBe(
      204,
    );
    expect((await t.api(`/api/projects/${projectId}/exports/${snap.id}`)).status).toBe(404);
  });

  it('marks a conversion with no output failed with a traceback', async () => {
    const snap = (await (
      await t.api(`/api/projects/${projectId}/exports/`, { method: 'POST', json: {} })
    ).json()) as { id: number; title: string };
    expect(snap.title).toMatch(/^Cars-and-planes-at-\d{4}-\d\d-\d\d-\d\d-\d\d$/);
    await t.api(`/api/projects/${projectId}/exports/${snap.id}/convert`, {
      method: 'POST',
      json: { export_type: 'TEST_EMPTY' },
    });
    const done = await waitForSnapshot(t, projectId, snap.id);
    expect(done.converted_formats[0]).toMatchObject({
      status: 'failed',
      traceback: expect.stringMatching(/No converted file found/),
    });
    // A failed conversion may be retried.
    expect(
      (
        await t.api(`/api/projects/${projectId}/exports/${snap.id}/convert`, {
          method: 'POST',
          json: { export_type: 'TEST_EMPTY' },
        })
      ).status,
    ).toBe(200);
  });

  it('answers a download before completion with the plain-text 404', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const slow = await startTestServer({ beforeSnapshotPage: () => gate });
    try {
      const p = (
        (await (
          await slow.api('/api/projects', { method: 'POST', json: { title: 'S', label_config: BOX_CONFIG } })
        ).json()) as { id: number }
      ).id;
      await slow.api(`/api/projects/${p}/import`, { method: 'POST', json: TASKS });
      const snap = (await (
        await slow.api(`/api/projects/${p}/exports`, { method: 'POST', json: {} })
      ).json()) as { id: number; status: string };
      expect(['created', 'in_progress']).toContain(snap.status);
      const early = await slow.api(`/api/projects/${p}/exports/${snap.id}/download`);
      expect(early.status).toBe(404);
      expect(await early.text()).toBe('Export is not completed');
      // A conversion asked for now waits for the snapshot, then runs.
      const convert = await slow.api(`/api/projects/${p}/exports/${snap.id}/convert`, {
        method: 'POST',
        json: { export_type: 'TEST_IDS' },
      });
      expect(convert.status).toBe(200);
      release();
      const done = await waitForSnapshot(slow, p, snap.id);
      expect(done.status).toBe('completed');
      expect(done.converted_formats).toEqual([
        expect.objectContaining({ export_type: 'TEST_IDS', status: 'completed' }),
      ]);
      expect((await slow.api(`/api/projects/${p}/exports/${snap.id}/download`)).status).toBe(200);
    } finally {
      release();
      await slow.stop();
      removeDir(slow.dataDir);
    }
  });

  it('keeps two snapshots of the same data apart', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 2; i++) {
      const snap = (await (
        await t.api(`/api/projects/${projectId}/exports`, { method: 'POST', json: { title: 'twin' } })
      ).json()) as { id: number };
      await waitForSnapshot(t, projectId, snap.id);
      ids.push(snap.id);
    }
    const first = await (await t.api(`/api/projects/${projectId}/exports/${ids[0]}/download`)).text();
    expect((await t.api(`/api/projects/${projectId}/exports/${ids[0]}`, { method: 'DELETE' })).status).toBe(
      204,
    );
    const second = await t.api(`/api/projects/${projectId}/exports/${ids[1]}/download`);
    expect(second.status).toBe(200);
    expect(await second.text()).toBe(first);
  });

  it('validates the snapshot options', async () => {
    const res = await t.api(`/api/projects/${projectId}/exports`, {
      method: 'POST',
      json: { task_filter_options: { skipped: 'sometimes' }, annotation_filter_options: { usual: 'x' } },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { validation_errors: unknown }).validation_errors).toEqual({
      task_filter_options: { skipped: ['"sometimes" is not a valid choice.'] },
      annotation_filter_options: { usual: ['Must be a valid boolean.'] },
    });
  });
});
