import { join } from 'node:path';
import type { Store } from '../store/types.js';
import { projectJson, stringField, validateConfig } from '../views.js';
import {
  bodyOf,
  common,
  defineRoutes,
  error,
  projectInputSchema,
  projectParams,
  projectSchema,
  sendJson,
} from './route.js';

/** `/api/projects/{id}`: read, update, delete. */
export default defineRoutes((app, ctx) => {
  const { store } = ctx;
  type Params = { id: string };

  app.get<{ Params: Params }>(
    '/api/projects/:id',
    {
      schema: {
        summary: 'Get a project with its counts',
        params: projectParams,
        response: { 200: { description: 'OK', ...projectSchema }, ...common },
      },
    },
    async (request, reply) =>
      sendJson(reply, 200, await projectJson(store, await ctx.projectOr404(request.params.id))),
  );

  app.patch<{ Params: Params }>(
    '/api/projects/:id',
    {
      schema: {
        summary: 'Update title, description or label_config',
        params: projectParams,
        body: projectInputSchema,
        response: {
          200: { description: 'OK', ...projectSchema },
          400: error('Invalid label_config'),
          ...common,
        },
      },
    },
    async (request, reply) => {
      const project = await ctx.projectOr404(request.params.id);
      const body = bodyOf(request.body);
      const patch: Parameters<Store['updateProject']>[1] = {};
      const title = stringField(body, 'title', 50);
      if (title !== undefined) patch.title = title;
      const description = stringField(body, 'description', 100_000);
      if (description !== undefined) patch.description = description;
      if (body.label_config !== undefined) patch.labelConfig = validateConfig(body.label_config);
      return sendJson(reply, 200, await projectJson(store, (await store.updateProject(project.id, patch))!));
    },
  );

  app.delete<{ Params: Params }>(
    '/api/projects/:id',
    {
      schema: {
        summary: 'Delete a project, its tasks and exports',
        params: projectParams,
        response: { 204: { description: 'Deleted', type: 'null' }, ...common },
      },
    },
    async (request, reply) => {
      const project = await ctx.projectOr404(request.params.id);
      await store.deleteProject(project.id);
      await ctx.storage.removeAll(join('export', String(project.id)));
      return reply.code(204).send();
    },
  );
});
