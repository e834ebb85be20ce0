import { HttpError } from '../http.js';
import { projectJson, stringField, validateConfig } from '../views.js';
import {
  bodyOf,
  common,
  defineRoutes,
  error,
  projectInputSchema,
  projectSchema,
  queryOf,
  sendJson,
} from './route.js';

/** `/api/projects`: the list (paginated) and creation. */
export default defineRoutes((app, { store }) => {
  app.get(
    '/api/projects',
    {
      schema: {
        summary: 'List projects (paginated)',
        querystring: {
          type: 'object',
          properties: { page: { type: 'integer' }, page_size: { type: 'integer' } },
        },
        response: {
          200: {
            description: '{count, next, previous, results}',
            type: 'object',
            properties: {
              count: { type: 'integer' },
              next: { type: 'string', nullable: true },
              previous: { type: 'string', nullable: true },
              results: { type: 'array', items: projectSchema },
            },
          },
          401: common[401],
        },
      },
    },
    async (request, reply) => {
      const url = new URL(request.url, 'http://localhost');
      const q = queryOf(request.url);
      const page = Number(q.get('page') ?? 1);
      // As Label Studio's paginator: a page that is not a whole number from 1 is not found.
      if (!Number.isSafeInteger(page) || page < 1) throw new HttpError(404, 'Invalid page.');
      const pageSize = Math.min(1000, Math.max(1, Number(q.get('page_size') ?? 100) || 100));
      const { total, rows } = await store.listProjects((page - 1) * pageSize, pageSize);
      const link = (p: number) => {
        url.searchParams.set('page', String(p));
        return `${url.pathname}${url.search}`;
      };
      return sendJson(reply, 200, {
        count: total,
        next: page * pageSize < total ? link(page + 1) : null,
        previous: page > 1 ? link(page - 1) : null,
        results: await Promise.all(rows.map((p) => projectJson(store, p))),
      });
    },
  );

  app.post(
    '/api/projects',
    {
      schema: {
        summary: 'Create a project; label_config is validated',
        body: projectInputSchema,
        response: {
          201: { description: 'Created', ...projectSchema },
          400: error('Invalid label_config'),
          401: common[401],
        },
      },
    },
    async (request, reply) => {
      const body = bodyOf(request.body);
      const title = stringField(body, 'title', 50) ?? '';
      const description = stringField(body, 'description', 100_000) ?? '';
      const labelConfig =
        body.label_config === undefined ? '<View></View>' : validateConfig(body.label_config);
      return sendJson(
        reply,
        201,
        await projectJson(store, await store.createProject({ title, description, labelConfig })),
      );
    },
  );
});
