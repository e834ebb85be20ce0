// The server driven the way Label Studio's classic SDK client drives Label Studio
// (`label_studio_sdk._legacy` client.py and project.py): the same requests, paths,
// query parameters and bodies, and the response fields those methods read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOX_CONFIG, box, removeDir, startTestServer, type TestServer } from './test-helpers.js';

let t: TestServer;

/** The SDK's `make_request`: the key in `Authorization: Token`, raising on >= 400 unless told not to. */
async function request(
  method: string,
  path: string,
  init: { params?: Record<string, unknown>; json?: unknown; raise?: boolean; form?: FormData } = {},
) {
  const url = new URL(`${t.base}/${path.replace(/^\//, '')}`);
  for (const [k, v] of Object.entries(init.params ?? {}))
    if (v !== undefined && v !== null)
      url.searchParams.set(k, typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v));
  const headers: Record<string, string> = { Authorization: `Token ${t.key}` };
  let body: RequestInit['body'];
  if (init.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(init.json);
  } else if (init.form) body = init.form;
  const res = await fetch(url, { method, headers, ...(body ? { body } : {}) });
  if (init.raise !== false && res.status >= 400)
    throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res;
}

/** `Project.get_paginated_tasks` then `get_tasks`: pages of 100 until a 404 ends the list. */
async function getTasks(
  projectId: number,
  opts: { filters?: unknown; ordering?: string[]; viewId?: number; onlyIds?: boolean } = {},
) {
  const result: any[] = [];
  for (let page = 1; ; page++) {
    const query = {
      filters: opts.filters ?? null,
      ordering: opts.ordering ?? [],
      selectedItems: { all: true, excluded: [] },
    };
    const res = await request('GET', '/api/tasks', {
      raise: false,
      params: {
        project: projectId,
        page,
        page_size: 100,
        view: opts.viewId,
        query: JSON.stringify(query),
        fields: 'all',
        resolve_uri: true,
        ...(opts.onlyIds ? { include: 'id' } : {}),
      },
    });
    if (res.status === 404) return result;
    expect(res.status).toBe(200);
    const data = (await res.json()) as any;
    expect(data).toHaveProperty('total');
    result.push(...(opts.onlyIds ? data.tasks.map((x: any) => x.id) : data.tasks));
  }
}

/** `Project.export`: a temporary view with the filters, a snapshot of it, the download, the view deleted. */
async function sdkExport(projectId: number, filters: unknown, exportType = 'JSON') {
  const view = (await (
    await request('POST', '/api/dm/views', {
      json: { project: projectId, data: { title: 'Temp SDK export', ordering: null, filters } },
    })
  ).json()) as any;
  const created = (await (
    await request('POST', `/api/projects/${projectId}/exports?interpolate_key_frames=False`, {
      json: {
        title: 'SDK Export',
        serialization_options: {
          drafts: { only_id: false },
          predictions: { only_id: false },
          annotations__completed_by: { only_id: false },
          interpolate_key_frames: false,
        },
        task_filter_options: { view: view.id },
        annotation_filter_options: { usual: true, ground_truth: null, skipped: null },
      },
    })
  ).json()) as any;
  for (;;) {
    const status = (await (
      await request('GET', `/api/projects/${projectId}/exports/${created.id}`)
    ).json()) as any;
    if (status.status !== 'in_progress' && status.status !== 'created') break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const res = await request(
    'GET',
    `/api/projects/${projectId}/exports/${created.id}/download?exportType=${exportType}`,
  );
  // export_snapshot_download: the name is what follows the last `filename=`, quotes stripped.
  const filename = String(res.headers.get('Content-Disposition'))
    .split('filename=')
    .at(-1)!
    .replace(/^["']+|["']+$/g, '');
  const body = await res.text();
  await request('DELETE', `/api/dm/views/${view.id}`);
  return { filename, body, exportId: created.id as number };
}

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.stop();
  removeDir(t.dataDir);
});

describe('Client', () => {
  it('Client(url, api_key) reads /api/version; check_connection reads /health', async () => {
    const versions = (await (await request('GET', '/api/version')).json()) as any;
    expect(typeof versions.release).toBe('string');
    expect('label-studio-enterprise-backend' in versions).toBe(false);
    expect(await (await request('GET', '/health')).json()).toEqual({ status: 'UP' });
  });

  it('start_project, list_projects (page_size=10000000), get_project, set_params, delete_project', async () => {
    const created = (await (
      await request('POST', '/api/projects', { json: { title: 'SDK', label_config: BOX_CONFIG } })
    ).json()) as any;
    expect(created.id).toBeGreaterThan(0);
    const list = (await (
      await request('GET', '/api/projects', { params: { page_size: 10000000 } })
    ).json()) as any;
    expect(list.results.map((p: any) => p.id)).toContain(created.id);
    const got = (await (await request('GET', `/api/projects/${created.id}`)).json()) as any;
    expect(got).toMatchObject({ id: created.id, title: 'SDK', label_config: BOX_CONFIG, task_number: 0 });
    const patched = (await (
      await request('PATCH', `/api/projects/${created.id}`, { json: { title: 'Renamed' } })
    ).json()) as any;
    expect(patched.title).toBe('Renamed');
    expect((await request('DELETE', `/api/projects/${created.id}/`)).status).toBe(204);
    expect((await request('GET', `/api/projects/${created.id}`, { raise: false })).status).toBe(404);
  });
});

describe('Project', () => {
  let pid: number;
  let ids: number[];
  beforeAll(async () => {
    const created = (await (
      await request('POST', '/api/projects', { json: { title: 'Tasks', label_config: BOX_CONFIG } })
    ).json()) as any;
    pid = created.id;
  });

  it('import_tasks(list) posts with return_task_ids=1 and reads task_ids', async () => {
    const tasks = [
      { image: 'https://example.com/1.jpg' },
      { data: { image: 'https://example.com/2.jpg' }, annotations: [{ result: [box('Car')] }] },
      {
        data: { image: 'https://example.com/3.jpg' },
        predictions: [{ model_version: 'm', result: [box('Plane')] }],
      },
    ];
    const res = await request('POST', `/api/projects/${pid}/import`, {
      params: { return_task_ids: '1' },
      json: tasks,
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as any;
    expect(body).toMatchObject({ task_count: 3, annotation_count: 1, prediction_count: 1 });
    expect(body.task_ids).toHaveLength(3);
    ids = body.task_ids;
  });

  it('import_tasks(preannotated_from_fields=…) is refused, not ignored', async () => {
    const res = await request('POST', `/api/projects/${pid}/import`, {
      raise: false,
      params: { return_task_ids: '1', preannotated_from_fields: 'pred' },
      json: [{ image: 'x.jpg', pred: [] }],
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).validation_errors).toHaveProperty('preannotated_from_fields');
    const list = (await (await request('GET', '/api/tasks', { params: { project: pid } })).json()) as any;
    expect(list.total).toBe(3);
  });

  it('import_tasks(path) sends the file as multipart `file`', async () => {
    const form = new FormData();
    form.append('file', new Blob([JSON.stringify([{ image: 'https://example.com/4.jpg' }])]), 'tasks.json');
    const body = (await (
      await request('POST', `/api/projects/${pid}/import`, { params: { return_task_ids: '1' }, form })
    ).json()) as any;
    expect(body.task_ids).toHaveLength(1);
    ids.push(...body.task_ids);
  });

  it('imports CSV and TSV files: one task a row, the header naming the data fields', async () => {
    const other = (
      (await (
        await request('POST', '/api/projects', { json: { title: 'Table', label_config: BOX_CONFIG } })
      ).json()) as any
    ).id;
    const form = new FormData();
    form.append(
      'file',
      new Blob([
        '\uFEFFimage,caption\r\nhttps://example.com/a.jpg,"a ""quoted"", multi\nline"\r\nhttps://example.com/b.jpg,\r\n',
      ]),
      'rows.csv',
    );
    form.append('file', new Blob(['image\tcaption\nhttps://example.com/c.jpg\tc, with comma\n']), 'rows.tsv');
    const body = (await (
      await request('POST', `/api/projects/${other}/import`, { params: { return_task_ids: 1 }, form })
    ).json()) as any;
    expect(body.task_count).toBe(3);
    const tasks = await getTasks(other);
    expect(tasks.map((x) => x.data)).toEqual([
      { image: 'https://example.com/a.jpg', caption: 'a "quoted", multi\nline' },
      { image: 'https://example.com/b.jpg', caption: '' },
      { image: 'https://example.com/c.jpg', caption: 'c, with comma' },
    ]);
    const plain = await fetch(`${t.base}/api/projects/${other}/import`, {
      method: 'POST',
      headers: { Authorization: `Token ${t.key}`, 'Content-Type': 'text/csv' },
      body: 'image\nhttps://example.com/d.jpg\n',
    });
    expect(((await plain.json()) as any).task_count).toBe(1);
    const bad = new FormData();
    bad.append('file', new Blob(['image\na,b\n']), 'bad.csv');
    const refused = await request('POST', `/api/projects/${other}/import`, { raise: false, form: bad });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(await refused.json())).toContain('bad.csv: line 2');
    expect((await getTasks(other)).length).toBe(4);
  });

  it('get_tasks pages /api/tasks until 404; get_tasks_ids; total and totals', async () => {
    const tasks = await getTasks(pid);
    expect(tasks.map((x) => x.id)).toEqual(ids);
    expect(tasks[1].annotations).toHaveLength(1);
    expect(tasks[2].predictions).toHaveLength(1);
    expect(tasks[0].data).toEqual({ image: 'https://example.com/1.jpg' });
    expect(await getTasks(pid, { onlyIds: true })).toEqual(ids);
    const page = (await (
      await request('GET', '/api/tasks', { params: { project: pid, page: 1, page_size: 2 } })
    ).json()) as any;
    expect(page).toMatchObject({ total: 4, total_annotations: 1, total_predictions: 1 });
    expect(page.tasks).toHaveLength(2);
    const only = (await (
      await request('GET', '/api/tasks', { params: { project: pid, ids: `${ids[0]},${ids[2]}` } })
    ).json()) as any;
    expect(only.tasks.map((x: any) => x.id)).toEqual([ids[0], ids[2]]);
    const taskOnly = (await (
      await request('GET', '/api/tasks', { params: { project: pid, fields: 'task_only' } })
    ).json()) as any;
    expect(taskOnly.tasks[1]).not.toHaveProperty('annotations');
  });

  it('get_tasks with filters and ordering', async () => {
    const filters = {
      conjunction: 'and',
      items: [{ filter: 'filter:tasks:total_annotations', operator: 'greater', type: 'Number', value: 0 }],
    };
    expect((await getTasks(pid, { filters })).map((x) => x.id)).toEqual([ids[1]]);
    const desc = await getTasks(pid, { ordering: ['-tasks:id'] });
    expect(desc.map((x) => x.id)).toEqual([...ids].reverse());
  });

  it('get_task, update_task, delete_task', async () => {
    const task = (await (await request('GET', `/api/tasks/${ids[1]}`)).json()) as any;
    expect(task).toMatchObject({ id: ids[1], project: pid, total_annotations: 1 });
    const updated = (await (
      await request('PATCH', `/api/tasks/${ids[0]}`, {
        json: { data: { image: 'https://example.com/new.jpg' } },
      })
    ).json()) as any;
    expect(updated.data.image).toBe('https://example.com/new.jpg');
    expect((await request('DELETE', `/api/tasks/${ids[3]}`)).status).toBe(204);
    expect((await request('GET', `/api/tasks/${ids[3]}`, { raise: false })).status).toBe(404);
    ids.pop();
  });

  it('get_views, create_view, delete_view; get_tasks(view_id=…)', async () => {
    const filters = {
      conjunction: 'or',
      items: [{ filter: 'filter:tasks:total_predictions', operator: 'greater', type: 'Number', value: 0 }],
    };
    const view = (await (
      await request('POST', '/api/dm/views', {
        json: { project: pid, data: { title: 'Preds', ordering: ['-tasks:id'], filters } },
      })
    ).json()) as any;
    expect(view).toMatchObject({ project: pid, data: { title: 'Preds', filters } });
    const views = (await (await request('GET', `/api/dm/views?project=${pid}`)).json()) as any[];
    expect(views.map((v) => v.id)).toContain(view.id);
    expect((await getTasks(pid, { viewId: view.id })).map((x) => x.id)).toEqual([ids[2]]);
    const patched = (await (
      await request('PATCH', `/api/dm/views/${view.id}`, { json: { data: { title: 'All' } } })
    ).json()) as any;
    expect(patched.data).toEqual({ title: 'All' });
    expect((await request('DELETE', `/api/dm/views/${view.id}`)).status).toBe(204);
    expect((await request('GET', `/api/dm/views/${view.id}`, { raise: false })).status).toBe(404);
  });

  it('a view with a filter the server cannot apply is refused, naming it', async () => {
    const res = await request('POST', '/api/dm/views', {
      raise: false,
      json: {
        project: pid,
        data: {
          filters: {
            conjunction: 'and',
            items: [{ filter: 'filter:tasks:agreement', operator: 'greater', type: 'Number', value: 1 }],
          },
        },
      },
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('agreement');
  });

  it('export(filters=…): view, snapshot with task_filter_options.view, download named from Content-Disposition', async () => {
    const filters = {
      conjunction: 'and',
      items: [{ filter: 'filter:tasks:id', operator: 'equal', type: 'Number', value: ids[1] }],
    };
    const { filename, body } = await sdkExport(pid, filters);
    expect(filename).toMatch(/^sdk-export-[0-9a-f]{8}\.json$/);
    expect((JSON.parse(body) as any[]).map((x) => x.id)).toEqual([ids[1]]);
    expect((await request('GET', `/api/dm/views?project=${pid}`)).ok).toBe(true);
  });

  it('export_snapshot_list, export_snapshot_status, export_snapshot_delete', async () => {
    const list = (await (await request('GET', `/api/projects/${pid}/exports`)).json()) as any[];
    expect(list.length).toBeGreaterThan(0);
    const status = (await (await request('GET', `/api/projects/${pid}/exports/${list[0].id}`)).json()) as any;
    expect(status.status).toBe('completed');
    expect((await request('DELETE', `/api/projects/${pid}/exports/${list[0].id}`)).status).toBe(204);
  });

  it('a snapshot of a view that does not exist holds every task, as in Label Studio', async () => {
    const res = await request('POST', `/api/projects/${pid}/exports`, {
      json: { task_filter_options: { view: 99999 } },
    });
    expect(res.status).toBe(201);
  });

  it('export_tasks: easy export with export_type and download_all_tasks', async () => {
    const res = await request('GET', `/api/projects/${pid}/export`, {
      params: { export_type: 'JSON', download_all_tasks: 'true' },
    });
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="project-\d+-at-[\d-]+-[0-9a-f]{8}\.json"$/,
    );
    expect((await res.json()) as any[]).toHaveLength(3);
  });
});
