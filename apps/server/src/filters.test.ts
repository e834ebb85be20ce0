import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BOX_CONFIG,
  box,
  removeDir,
  startTestServer,
  type TestServer,
  waitForSnapshot,
} from './test-helpers.js';

// Label Studio's §3 semantics, over six tasks that tell the filters apart:
// T1 usual · T2 ground truth (imported with is_labeled false) · T3 skipped only ·
// T4 usual + skipped · T5 no annotation · T6 usual + ground truth.
const user = { id: 42, email: 'lee@example.com', first_name: 'Lee', last_name: 'Park' };
const usual = (id: number) => ({
  id,
  completed_by: user,
  result: [box('Car')],
  history: [{ action: 'submitted' }],
});
const gt = (id: number) => ({ id, completed_by: 42, ground_truth: true, result: [box('Plane')] });
const skipped = (id: number) => ({ id, completed_by: 42, was_cancelled: true, result: [] });
const TASKS = [
  {
    data: { image: 'T1' },
    annotations: [usual(11)],
    drafts: [{ id: 71, user: 'lee@example.com', result: [] }],
    predictions: [{ id: 81, result: [] }],
  },
  { data: { image: 'T2' }, annotations: [gt(21)], is_labeled: false },
  { data: { image: 'T3' }, annotations: [skipped(31)] },
  { data: { image: 'T4' }, annotations: [usual(41), skipped(42)] },
  { data: { image: 'T5' } },
  { data: { image: 'T6' }, annotations: [usual(61), gt(62)] },
];

let t: TestServer;
let pid: number;

async function snapshot(body: Record<string, unknown>): Promise<Record<string, any>[]> {
  const created = await t.api(`/api/projects/${pid}/exports`, { method: 'POST', json: body });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: number };
  const done = await waitForSnapshot(t, pid, id);
  expect(done.status).toBe('completed');
  const tasks = (await (await t.api(`/api/projects/${pid}/exports/${id}/download`)).json()) as Record<
    string,
    any
  >[];
  expect(done.counters).toEqual({ task_number: tasks.length });
  return tasks;
}
const names = (tasks: Record<string, any>[]) => tasks.map((x) => x.data.image);
const annotationIds = (tasks: Record<string, any>[]) =>
  Object.fromEntries(tasks.map((x) => [x.data.image, x.annotations.map((a: { id: number }) => a.id)]));

beforeAll(async () => {
  t = await startTestServer();
  pid = (
    (await (
      await t.api('/api/projects', { method: 'POST', json: { title: 'Filters', label_config: BOX_CONFIG } })
    ).json()) as { id: number }
  ).id;
  expect((await t.api(`/api/projects/${pid}/import`, { method: 'POST', json: TASKS })).status).toBe(201);
});
afterAll(async () => {
  await t.stop();
  removeDir(t.dataDir);
});

describe('task filters (§3.1)', () => {
  const cases: [Record<string, unknown> | null, string[]][] = [
    [null, ['T1', 'T2', 'T3', 'T4', 'T5', 'T6']],
    [{}, ['T1', 'T2', 'T3', 'T4', 'T5', 'T6']],
    [{ skipped: 'only' }, ['T3', 'T4']],
    [{ skipped: 'exclude' }, ['T1', 'T2', 'T5', 'T6']],
    [{ annotated: 'only' }, ['T1', 'T2', 'T4', 'T6']],
    [{ annotated: 'exclude' }, ['T3', 'T5']],
    [{ finished: 'only' }, ['T1', 'T4', 'T6']],
    [{ finished: 'exclude' }, ['T2', 'T3', 'T5']],
    [{ skipped: 'exclude', annotated: 'only' }, ['T1', 'T2', 'T6']],
    [{ skipped: 'only', finished: 'only' }, ['T4']],
    [{ skipped: null, finished: null, annotated: null, view: 12 }, ['T1', 'T2', 'T3', 'T4', 'T5', 'T6']],
  ];
  for (const [filter, expected] of cases) {
    it(`task_filter_options ${JSON.stringify(filter)}`, async () => {
      expect(names(await snapshot({ task_filter_options: filter }))).toEqual(expected);
    });
  }
});

describe('annotation filters (§3.2)', () => {
  const all = { T1: [11], T2: [21], T3: [31], T4: [41, 42], T5: [], T6: [61, 62] };
  const cases: [Record<string, unknown> | null, Record<string, number[]>][] = [
    [null, all],
    [{}, { T1: [11], T2: [], T3: [], T4: [41], T5: [], T6: [61] }],
    [{ usual: true }, { T1: [11], T2: [], T3: [], T4: [41], T5: [], T6: [61] }],
    [
      { usual: false, ground_truth: true },
      { T1: [], T2: [21], T3: [], T4: [], T5: [], T6: [62] },
    ],
    [
      { usual: false, skipped: true },
      { T1: [], T2: [], T3: [31], T4: [42], T5: [], T6: [] },
    ],
    [{ usual: true, ground_truth: true, skipped: true }, all],
    [{ usual: false, ground_truth: false, skipped: false }, all],
    [{ usual: null }, all],
  ];
  for (const [filter, expected] of cases) {
    it(`annotation_filter_options ${JSON.stringify(filter)} keeps every task`, async () => {
      expect(annotationIds(await snapshot({ annotation_filter_options: filter }))).toEqual(expected);
    });
  }

  it('only_with_annotations drops the tasks the annotation filter emptied', async () => {
    const tasks = await snapshot({
      task_filter_options: { only_with_annotations: true },
      annotation_filter_options: { usual: false, ground_truth: true },
    });
    expect(annotationIds(tasks)).toEqual({ T2: [21], T6: [62] });
    const usualOnly = await snapshot({
      task_filter_options: { only_with_annotations: true },
      annotation_filter_options: {},
    });
    expect(names(usualOnly)).toEqual(['T1', 'T4', 'T6']);
    const combined = await snapshot({
      task_filter_options: { skipped: 'exclude', only_with_annotations: true },
      annotation_filter_options: { usual: true },
    });
    expect(names(combined)).toEqual(['T1', 'T6']);
  });
});

describe('serialization options (§3.3)', () => {
  it('without options: drafts, predictions and completed_by are ids, history kept', async () => {
    const [t1] = await snapshot({});
    expect(t1!.drafts).toEqual([71]);
    expect(t1!.predictions).toEqual([81]);
    expect(t1!.annotations[0].completed_by).toBe(42);
    expect(t1!.annotations[0].history).toEqual([{ action: 'submitted' }]);
  });

  it('complete drafts and predictions, user details, history', async () => {
    const [t1] = await snapshot({
      serialization_options: {
        drafts: { only_id: false },
        predictions: { only_id: false },
        annotations__completed_by: { only_id: false },
        include_annotation_history: true,
      },
    });
    expect(t1!.drafts).toEqual([expect.objectContaining({ id: 71, user: 'lee@example.com', task: t1!.id })]);
    expect(t1!.predictions).toEqual([expect.objectContaining({ id: 81, task: t1!.id })]);
    expect(t1!.annotations[0].completed_by).toEqual({
      id: 42,
      email: 'lee@example.com',
      first_name: 'Lee',
      last_name: 'Park',
    });
    expect(t1!.annotations[0].history).toHaveLength(1);
  });

  it('only ids and remove user details; history omitted unless asked', async () => {
    const [t1] = await snapshot({
      serialization_options: {
        drafts: { only_id: true },
        predictions: { only_id: true },
        annotations__completed_by: { only_id: true },
      },
    });
    expect(t1!.drafts).toEqual([71]);
    expect(t1!.predictions).toEqual([81]);
    expect(t1!.annotations[0].completed_by).toBe(42);
    expect(t1!.annotations[0]).not.toHaveProperty('history');
  });
});
