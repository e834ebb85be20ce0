import { checkViewData, viewJson } from '../dm-views.js';
import { HttpError, validationError } from '../http.js';
import type { ViewRow } from '../store/types.js';
import { bodyOf, common, defineRoutes, error, queryOf, sendJson } from './route.js';

const viewSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    project: { type: 'integer' },
    data: {
      type: 'object',
      description:
        'title, filters {conjunction, items: [{filter, operator, type, value}]}, ordering, selectedItems',
      additionalProperties: true,
    },
    order: { type: 'integer' },
    user: { type: 'integer' },
    selected_items: { type: 'object', nullable: true },
  },
} as const;
const viewInput = {
  type: 'object',
  properties: { project: { type: 'integer' }, data: viewSchema.properties.data },
} as const;
const viewParams = {
  type: 'object',
  properties: { id: { type: 'integer', description: 'View id' } },
  required: ['id'],
} as const;

/** `/api/dm/views`: Data Manager views (tabs) with Label Studio's filter JSON. */
export default defineRoutes((app, ctx) => {
  const { store } = ctx;
  const viewOr404 = async (id: string): Promise<ViewRow> => {
    const view = await store.getView(Number(id));
    if (!view || !(await store.getProject(view.projectId))) throw new HttpError(404, 'Not found.');
    return view;
  };
  const projectField = async (raw: unknown): Promise<number> => {
    if (raw === undefined || raw === null || raw === '')
      throw validationError({ project: ['This field is required.'] });
    const id = Number(raw);
    if (!Number.isSafeInteger(id) || !(await store.getProject(id)))
      throw validationError({ project: [`Invalid pk "${String(raw)}" - object does not exist.`] });
    return id;
  };

  app.get(
    '/api/dm/views',
    {
      schema: {
        summary: 'Views of a project (`?project=`), in tab order',
        querystring: { type: 'object', properties: { project: { type: 'integer' } } },
        response: { 200: { description: 'OK', type: 'array', items: viewSchema }, 401: common[401] },
      },
    },
    async (request, reply) => {
      const project = queryOf(request.url).get('project');
      const views = await store.listViews(project ? await projectField(project) : undefined);
      return sendJson(reply, 200, views.map(viewJson));
    },
  );
  app.post(
    '/api/dm/views',
    {
      schema: {
        summary: 'Create a view: `{project, data: {title, filters, ordering}}`',
        body: viewInput,
        response: {
          201: { description: 'Created', ...viewSchema },
          400: error('Invalid filters'),
          401: common[401],
        },
      },
    },
    async (request, reply) => {
      const body = bodyOf(request.body);
      const projectId = await projectField(body.project);
      const data = checkViewData(body.data);
      return sendJson(reply, 201, viewJson(await store.createView({ projectId, data })));
    },
  );
  app.get<{ Params: { id: string } }>(
    '/api/dm/views/:id',
    {
      schema: {
        summary: 'A view',
        params: viewParams,
        response: { 200: { description: 'OK', ...viewSchema }, ...common },
      },
    },
    async (request, reply) => sendJson(reply, 200, viewJson(await viewOr404(request.params.id))),
  );
  for (const method of ['patch', 'put'] as const) {
    app[method]<{ Params: { id: string } }>(
      '/api/dm/views/:id',
      {
        schema: {
          summary: method === 'put' ? 'Replace a view' : 'Update a view (`data` replaces the stored data)',
          params: viewParams,
          body: viewInput,
          response: { 200: { description: 'OK', ...viewSchema }, 400: error('Invalid filters'), ...common },
        },
      },
      async (request, reply) => {
        const view = await viewOr404(request.params.id);
        const body = bodyOf(request.body);
        if (body.project !== undefined && (await projectField(body.project)) !== view.projectId)
          throw validationError({ project: ['A view cannot move to another project.'] });
        const data = body.data === undefined ? view.data : checkViewData(body.data);
        return sendJson(reply, 200, viewJson((await store.updateView(view.id, data))!));
      },
    );
  }
  app.delete<{ Params: { id: string } }>(
    '/api/dm/views/:id',
    {
      schema: {
        summary: 'Delete a view',
        params: viewParams,
        response: { 204: { description: 'Deleted', type: 'null' }, ...common },
      },
    },
    async (request, reply) => {
      await store.deleteView((await viewOr404(request.params.id)).id);
      return reply.code(204).send();
    },
  );
});
