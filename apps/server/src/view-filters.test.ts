// Snapshots of a Data Manager view hold exactly the tasks its filter selects: every
// filter type and operator, against a table of expected tasks written out by hand
// from the data below (task numbers are positions in TASKS, 1-based).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BOX_CONFIG,
  box,
  removeDir,
  startTestServer,
  type TestServer,
  waitForSnapshot,
} from './test-helpers.js';

const TASKS = [
  /* 1 */ {
    data: { text: 'Alpha cat', score: 5, when: '2024-01-10T00:00:00.000000Z', flag: true },
    annotations: [{ completed_by: 7, result: [box('Car')] }],
    predictions: [{ model_version: 'v1', score: 0.9, result: [box('Plane')] }],
  },
  /* 2 */ {
    data: { text: 'beta dog', score: 12, when: '2024-03-01T12:00:00.000000Z', flag: false },
    annotations: [
      { completed_by: 8, result: [box('Plane')] },
      { completed_by: 7, was_cancelled: true, result: [] },
    ],
  },
  /* 3 */ {
    data: { text: '', score: '7', when: '2023-12-31T23:00:00.000000Z', flag: true },
    predictions: [{ model_version: 'v2', result: [] }],
  },
  /* 4 */ {
    data: { text: 'Gamma CAT', score: 20, flag: false },
    annotations: [{ completed_by: 8, was_cancelled: true, result: [] }],
  },
  /* 5 */ {
    data: { text: 'delta', score: null },
    annotations: [
      { completed_by: 9, result: [box('Car')] },
      { completed_by: 7, result: [box('Car', 'r2')] },
    ],
  },
  /* 6 */ { data: { text: 'epsilon cat', score: 3.5 }, drafts: [{ result: [box('Car')] }] },
];

const jan1 = '2024-01-01T00:00:00.000000Z';
const feb1 = '2024-02-01T00:00:00.000000Z';
type Row = [column: string, operator: string, type: string, value: unknown, expected: number[]];
const TABLE: Row[] = [
  ['id', 'equal', 'Number', '#3', [3]],
  ['id', 'not_equal', 'Number', '#3', [1, 2, 4, 5, 6]],
  ['id', 'less', 'Number', '#3', [1, 2]],
  ['id', 'greater', 'Number', '#4', [5, 6]],
  ['id', 'less_or_equal', 'Number', '#2', [1, 2]],
  ['id', 'greater_or_equal', 'Number', '#5', [5, 6]],
  ['id', 'in', 'Number', { min: '#2', max: '#4' }, [2, 3, 4]],
  ['id', 'not_in', 'Number', { min: '#2', max: '#4' }, [1, 5, 6]],
  ['inner_id', 'equal', 'Number', 2, [2]],
  ['total_annotations', 'equal', 'Number', 1, [1, 2]],
  ['total_annotations', 'greater', 'Number', 0, [1, 2, 5]],
  ['total_annotations', 'empty', 'Number', true, [3, 4, 6]],
  ['total_annotations', 'empty', 'Number', false, [1, 2, 5]],
  ['cancelled_annotations', 'greater', 'Number', 0, [2, 4]],
  ['total_predictions', 'equal', 'Number', 0, [2, 4, 5, 6]],
  ['data.score', 'greater', 'Number', 6, [2, 3, 4]],
  ['data.score', 'less', 'Number', 5, [6]],
  ['data.score', 'less_or_equal', 'Number', 5, [1, 6]],
  ['data.score', 'greater_or_equal', 'Number', 12, [2, 4]],
  ['data.score', 'equal', 'Number', 7, [3]],
  ['data.score', 'not_equal', 'Number', 5, [2, 3, 4, 5, 6]],
  ['data.score', 'in', 'Number', { min: 4, max: 12 }, [1, 2, 3]],
  ['data.score', 'not_in', 'Number', { min: 4, max: 12 }, [4, 5, 6]],
  ['data.score', 'empty', 'Number', true, [5]],
  ['data.score', 'empty', 'Number', false, [1, 2, 3, 4, 6]],
  ['data.text', 'contains', 'String', 'cat', [1, 4, 6]],
  ['data.text', 'not_contains', 'String', 'cat', [2, 3, 5]],
  ['data.text', 'equal', 'String', 'delta', [5]],
  ['data.text', 'not_equal', 'String', 'delta', [1, 2, 3, 4, 6]],
  ['data.text', 'regex', 'String', '^[A-Z]', [1, 4]],
  ['data.text', 'empty', 'String', true, [3]],
  ['data.text', 'empty', 'String', false, [1, 2, 4, 5, 6]],
  ['data.when', 'greater', 'Datetime', jan1, [1, 2]],
  ['data.when', 'less', 'Datetime', jan1, [3]],
  ['data.when', 'in', 'Datetime', { min: jan1, max: feb1 }, [1]],
  ['data.when', 'not_in', 'Datetime', { min: jan1, max: feb1 }, [2, 3, 4, 5, 6]],
  ['data.when', 'empty', 'Datetime', true, [4, 5, 6]],
  ['data.flag', 'equal', 'Boolean', true, [1, 3]],
  ['data.flag', 'equal', 'Boolean', 'false', [2, 4]],
  ['data.flag', 'not_equal', 'Boolean', true, [2, 4, 5, 6]],
  ['data.flag', 'empty', 'Boolean', true, [5, 6]],
  ['annotators', 'contains', 'List', 8, [2, 4]],
  ['annotators', 'not_contains', 'List', 7, [3, 4, 6]],
  ['annotators', 'empty', 'List', true, [3, 6]],
  ['annotations_results', 'contains', 'String', '"Plane"', [2]],
  ['annotations_results', 'not_contains', 'String', 'Car', [2, 3, 4, 6]],
  ['annotations_results', 'empty', 'String', true, [2, 3, 4, 6]],
  ['annotations_results', 'empty', 'String', false, [1, 2, 5]],
  ['predictions_results', 'contains', 'String', 'Plane', [1]],
  ['predictions_model_versions', 'contains', 'List', 'v2', [3]],
  ['completed_at', 'empty', 'Datetime', false, [1, 2, 5]],
  ['draft_exists', 'equal', 'Boolean', true, [6]],
];

let t: TestServer;
let pid: number;
let ids: number[];
const idOf = (v: unknown): unknown =>
  typeof v === 'string' && v.startsWith('#')
    ? ids[Number(v.slice(1)) - 1]
    : v && typeof v === 'object'
      ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, idOf(x)]))
      : v;

beforeAll(async () => {
  t = await startTestServer();
  pid = (
    (await (
      await t.api('/api/projects', { method: 'POST', json: { label_config: BOX_CONFIG } })
    ).json()) as any
  ).id;
  const res = await t.api(`/api/projects/${pid}/import?return_task_ids=true`, {
    method: 'POST',
    json: TASKS,
  });
  ids = ((await res.json()) as any).task_ids;
});
afterAll(async () => {
  await t.stop();
  removeDir(t.dataDir);
});

/** The task numbers (1-based) of a snapshot of a view with these filters. */
async function snapshotOf(filters: unknown, selectedItems?: unknown): Promise<number[]> {
  const view = (await (
    await t.api('/api/dm/views', {
      method: 'POST',
      json: { project: pid, data: { filters, ...(selectedItems ? { selectedItems } : {}) } },
    })
  ).json()) as any;
  expect(view.id, JSON.stringify(view)).toBeGreaterThan(0);
  const created = (await (
    await t.api(`/api/projects/${pid}/exports`, {
      method: 'POST',
      json: { task_filter_options: { view: view.id } },
    })
  ).json()) as any;
  const done = await waitForSnapshot(t, pid, created.id);
  expect(done.status).toBe('completed');
  const tasks = (await (await t.api(`/api/projects/${pid}/exports/${created.id}/download`)).json()) as any[];
  return tasks.map((task) => ids.indexOf(task.id) + 1);
}

describe('snapshots of a view', () => {
  it.each(TABLE)('%s %s (%s) %j', async (column, operator, type, value, expected) => {
    const filters = {
      conjunction: 'and',
      items: [{ filter: `filter:tasks:${column}`, operator, type, value: idOf(value) }],
    };
    expect(await snapshotOf(filters)).toEqual(expected);
  });

  it('joins items with or and with and', async () => {
    const item = (column: string, operator: string, type: string, value: unknown) => ({
      filter: `filter:tasks:${column}`,
      operator,
      type,
      value,
    });
    expect(
      await snapshotOf({
        conjunction: 'or',
        items: [item('data.score', 'greater', 'Number', 15), item('data.text', 'contains', 'String', 'beta')],
      }),
    ).toEqual([2, 4]);
    expect(
      await snapshotOf({
        conjunction: 'and',
        items: [
          item('total_annotations', 'greater', 'Number', 0),
          item('data.text', 'contains', 'String', 'cat'),
        ],
      }),
    ).toEqual([1]);
    // An item without a value is skipped, as in the Data Manager.
    expect(
      await snapshotOf({ conjunction: 'and', items: [item('data.text', 'contains', 'String', null)] }),
    ).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("applies the view's selected items", async () => {
    const filters = {
      conjunction: 'and',
      items: [{ filter: 'filter:tasks:id', operator: 'greater', type: 'Number', value: ids[0] }],
    };
    expect(await snapshotOf(filters, { all: false, included: [ids[0], ids[1], ids[2]] })).toEqual([2, 3]);
    expect(await snapshotOf(null, { all: true, excluded: [ids[0]] })).toEqual([2, 3, 4, 5, 6]);
  });

  it('the same filters list the same tasks through /api/tasks', async () => {
    const filters = {
      conjunction: 'and',
      items: [{ filter: 'filter:tasks:data.text', operator: 'contains', type: 'String', value: 'cat' }],
    };
    const res = (await (
      await t.api(
        `/api/tasks?project=${pid}&query=${encodeURIComponent(JSON.stringify({ filters, ordering: ['-tasks:data.score'] }))}`,
      )
    ).json()) as any;
    expect(res.tasks.map((task: any) => ids.indexOf(task.id) + 1)).toEqual([4, 1, 6]);
  });

  it('task_filter_options.reviewed picks the tasks whose annotations carry reviews', async () => {
    const other = (
      (await (
        await t.api('/api/projects', { method: 'POST', json: { label_config: BOX_CONFIG } })
      ).json()) as any
    ).id;
    const reviewed = [
      { data: { n: 1 }, annotations: [{ result: [box('Car')], reviews: [{ accepted: true }] }] },
      { data: { n: 2 }, annotations: [{ result: [box('Car')], reviews: [] }] },
      { data: { n: 3 } },
    ];
    const ids2 = (
      (await (
        await t.api(`/api/projects/${other}/import?return_task_ids=1`, { method: 'POST', json: reviewed })
      ).json()) as any
    ).task_ids;
    const snap = async (choice: string) => {
      const created = (await (
        await t.api(`/api/projects/${other}/exports`, {
          method: 'POST',
          json: { task_filter_options: { reviewed: choice } },
        })
      ).json()) as any;
      expect(created.task_filter_options.reviewed).toBe(choice);
      await waitForSnapshot(t, other, created.id);
      const tasks = (await (
        await t.api(`/api/projects/${other}/exports/${created.id}/download`)
      ).json()) as any[];
      return tasks.map((task) => ids2.indexOf(task.id) + 1);
    };
    expect(await snap('only')).toEqual([1]);
    expect(await snap('exclude')).toEqual([2, 3]);
    const bad = await t.api(`/api/projects/${other}/exports`, {
      method: 'POST',
      json: { task_filter_options: { reviewed: 'yes' } },
    });
    expect(bad.status).toBe(400);
  });
});
