import {
  columnValue,
  compareValues,
  orderingKey,
  parseFilters,
  parseOrdering,
  parseSelectedItems,
  type TaskSelection,
} from '../dm-filters.js';
import { dmTaskJson, viewSelection } from '../dm-views.js';
import { HttpError, validationError } from '../http.js';
import type { ProjectRow, TaskRow } from '../store/types.js';
import { storedTask } from '../tasks.js';
import { parseIds } from '../views.js';
import { bodyOf, common, defineRoutes, error, queryOf, sendJson } from './route.js';

const taskSchema = { type: 'object', additionalProperties: true } as const;
const taskParams = {
  type: 'object',
  properties: { id: { type: 'integer', description: 'Task id' } },
  required: ['id'],
} as const;

/** What `/api/tasks` lists: the project, the selection (a view's or the `query`'s), the ordering. */
type Ctx = Parameters<Parameters<typeof defineRoutes>[0]>[1];

async function listPlan(ctx: Ctx, q: URLSearchParams) {
  let project: ProjectRow | undefined;
  let selection: TaskSelection = {};
  let ordering: string[] = [];
  const viewId = q.get('view');
  if (viewId) {
    const view = await ctx.store.getView(Number(viewId));
    if (!view) throw new HttpError(404, 'Not found.');
    project = await ctx.projectOr404(view.projectId);
    selection = viewSelection(view);
    ordering = parseOrdering(view.data.ordering, 'ordering');
  }
  const projectId = q.get('project');
  if (projectId) project = await ctx.projectOr404(projectId);
  if (!project) throw validationError({ project: ['This field is required.'] });
  const rawQuery = q.get('query');
  if (rawQuery && !viewId) {
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(rawQuery);
    } catch (e) {
      throw new HttpError(400, `JSON parse error - ${(e as Error).message}`);
    }
    selection = {
      filters: parseFilters(parsed.filters, 'filters'),
      selectedItems: parseSelectedItems(parsed.selectedItems, 'selectedItems'),
    };
    ordering = parseOrdering(parsed.ordering, 'ordering');
  }
  const ids = parseIds([...q.getAll('ids'), ...q.getAll('ids[]')]);
  return { project, selection, ordering, ids };
}

/** `/api/tasks` (the Data Manager's paginated list) and `/api/tasks/{id}`. */
export default defineRoutes((app, ctx) => {
  const { store } = ctx;
  const taskOr404 = async (id: string): Promise<TaskRow> => {
    const row = Number.isSafeInteger(Number(id)) ? await store.getTask(Number(id)) : undefined;
    if (!row) throw new HttpError(404, 'Not found.');
    return row;
  };

  app.get(
    '/api/tasks',
    {
      schema: {
        summary: "A project's tasks, paginated, through a view's or the query's filters and ordering",
        querystring: {
          type: 'object',
          properties: {
            project: { type: 'integer' },
            view: { type: 'integer' },
            page: { type: 'integer', default: 1 },
            page_size: { type: 'integer', default: 100 },
            query: { type: 'string', description: 'JSON: {filters, ordering, selectedItems}' },
            fields: { type: 'string', enum: ['all', 'task_only'] },
            include: { type: 'string', description: '`id`: ids only' },
            ids: { type: 'array', items: { type: 'integer' } },
            resolve_uri: { type: 'boolean' },
          },
        },
        response: {
          200: {
            description: '{tasks, total, total_annotations, total_predictions}',
            type: 'object',
            properties: {
              tasks: { type: 'array', items: taskSchema },
              total: { type: 'integer' },
              total_annotations: { type: 'integer' },
              total_predictions: { type: 'integer' },
            },
          },
          400: error('Invalid filters'),
          ...common,
        },
      },
    },
    async (request, reply) => sendJson(reply, 200, await listTasks(ctx, queryOf(request.url))),
  );

  app.get<{ Params: { id: string } }>(
    '/api/tasks/:id',
    {
      schema: {
        summary: 'A task with its annotations, predictions and drafts',
        params: taskParams,
        response: { 200: { description: 'OK', ...taskSchema }, ...common },
      },
    },
    async (request, reply) => sendJson(reply, 200, dmTaskJson(await taskOr404(request.params.id), true)),
  );
  app.patch<{ Params: { id: string } }>(
    '/api/tasks/:id',
    {
      schema: {
        summary: 'Update a task: data, meta, is_labeled, overlap',
        params: taskParams,
        body: {
          type: 'object',
          properties: {
            data: { type: 'object' },
            meta: { type: 'object' },
            is_labeled: { type: 'boolean' },
            overlap: { type: 'integer' },
          },
        },
        response: { 200: { description: 'OK', ...taskSchema }, 400: error('Invalid field'), ...common },
      },
    },
    async (request, reply) => {
      const row = await taskOr404(request.params.id);
      const body = bodyOf(request.body);
      const task = JSON.parse(row.json) as Record<string, unknown>;
      const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
      for (const key of ['data', 'meta'] as const) {
        if (body[key] === undefined) continue;
        if (!isObject(body[key])) throw validationError({ [key]: ['Value must be valid JSON.'] });
        task[key] = body[key];
      }
      if (body.is_labeled !== undefined) {
        if (typeof body.is_labeled !== 'boolean')
          throw validationError({ is_labeled: ['Must be a valid boolean.'] });
        task.is_labeled = body.is_labeled;
      }
      if (body.overlap !== undefined) {
        if (!Number.isSafeInteger(body.overlap))
          throw validationError({ overlap: ['A valid integer is required.'] });
        task.overlap = body.overlap;
      }
      task.updated_at = new Date().toISOString();
      await store.updateTask(row.id, storedTask(task));
      return sendJson(reply, 200, dmTaskJson((await store.getTask(row.id))!, true));
    },
  );
  app.delete<{ Params: { id: string } }>(
    '/api/tasks/:id',
    {
      schema: {
        summary: 'Delete a task',
        params: taskParams,
        response: { 204: { description: 'Deleted', type: 'null' }, ...common },
      },
    },
    async (request, reply) => {
      await store.deleteTask((await taskOr404(request.params.id)).id);
      return reply.code(204).send();
    },
  );
});

/** One page of `/api/tasks`: the selected tasks in the asked order, with the totals over all of them. */
async function listTasks(ctx: Ctx, q: URLSearchParams) {
  const { store } = ctx;
  const { project, selection, ordering, ids } = await listPlan(ctx, q);
  const page = Number(q.get('page') ?? 1);
  const pageSize = Number(q.get('page_size') ?? 100);
  if (!Number.isSafeInteger(page) || page < 1) throw new HttpError(404, 'Invalid page.');
  if (!Number.isSafeInteger(pageSize) || pageSize < 1)
    throw validationError({ page_size: ['A valid positive integer is required.'] });
  const query = { ...(ids.length ? { ids } : {}), selection };
  const summary = await store.taskSummary(project.id, query);
  let order = summary.ids;
  const key = orderingKey(ordering);
  if (key && !(key.column === 'id' && !key.descending)) {
    const rows = await store.taskPage(project.id, { ids: order }, 0, order.length || 1);
    const values = new Map(rows.map((r) => [r.id, columnValue(r.id, JSON.parse(r.json), key.column)]));
    order = [...order].sort((a, b) => compareValues(values.get(a), values.get(b), key.descending) || a - b);
  }
  const start = (page - 1) * pageSize;
  if (start > 0 && start >= order.length) throw new HttpError(404, 'Invalid page.');
  const pageIds = order.slice(start, start + pageSize);
  const onlyIds = q.get('include') === 'id';
  const rows = pageIds.length ? await store.taskPage(project.id, { ids: pageIds }, 0, pageIds.length) : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const withAnnotations = q.get('fields') !== 'task_only';
  const tasks = pageIds
    .map((id) => byId.get(id))
    .filter((r): r is TaskRow => !!r)
    .map((r) => (onlyIds ? { id: r.id } : dmTaskJson(r, withAnnotations)));
  return {
    total_annotations: summary.annotations,
    total_predictions: summary.predictions,
    total: order.length,
    tasks,
  };
}
