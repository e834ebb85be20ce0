import { snapshotJson } from '../views.js';
import { common, defineRoutes, sendJson, snapshotParams, snapshotSchema } from './route.js';

type Params = { id: string; export_pk: string };

/** `/api/projects/{id}/exports/{export_pk}`: a snapshot's status, and its deletion with its files. */
export default defineRoutes((app, ctx) => {
  const { store } = ctx;
  app.get<{ Params: Params }>(
    '/api/projects/:id/exports/:export_pk',
    {
      schema: {
        summary: 'Snapshot status',
        params: snapshotParams,
        response: { 200: { description: 'OK', ...snapshotSchema }, ...common },
      },
    },
    async (request, reply) => {
      const project = await ctx.projectOr404(request.params.id);
      return sendJson(
        reply,
        200,
        await snapshotJson(store, await ctx.snapshotOr404(project, request.params.export_pk)),
      );
    },
  );

  app.delete<{ Params: Params }>(
    '/api/projects/:id/exports/:export_pk',
    {
      schema: {
        summary: 'Delete a snapshot and its conversions',
        params: snapshotParams,
        response: { 204: { description: 'Deleted', type: 'null' }, ...common },
      },
    },
    async (request, reply) => {
      const project = await ctx.projectOr404(request.params.id);
      const snapshot = await ctx.snapshotOr404(project, request.params.export_pk);
      const files = [snapshot.file, ...(await store.listConversions(snapshot.id)).map((c) => c.file)].filter(
        (f): f is string => !!f,
      );
      await store.deleteSnapshot(snapshot.id);
      for (const f of files) await ctx.storage.remove(f);
      return reply.code(204).send();
    },
  );
});
