import { basename } from 'node:path';
import { downloadName } from '../exporter.js';
import { isSnapshotJson, JSON_EXPORT_TYPE } from '../format-hosting.js';
import { HttpError, sendStored } from '../http.js';
import { common, defineRoutes, fileAnswer, queryOf, snapshotParams } from './route.js';

/** `GET /api/projects/{id}/exports/{export_pk}/download`: the snapshot file or one of its conversions. */
export default defineRoutes((app, ctx) => {
  app.get<{ Params: { id: string; export_pk: string } }>(
    '/api/projects/:id/exports/:export_pk/download',
    {
      schema: {
        summary: 'Download a snapshot or one of its conversions',
        params: snapshotParams,
        querystring: {
          type: 'object',
          properties: { exportType: { type: 'string', default: JSON_EXPORT_TYPE } },
        },
        response: {
          200: fileAnswer('The file'),
          404: {
            description: '"Export is not completed" (text), or "<X> format is not converted yet" (envelope)',
            content: {
              'text/html': { schema: { type: 'string' } },
              'application/json': { schema: common[404] },
            },
          },
          401: common[401],
        },
      },
    },
    async (request, reply) => {
      const project = await ctx.projectOr404(request.params.id);
      const snapshot = await ctx.snapshotOr404(project, request.params.export_pk);
      // Label Studio answers these two 404s as plain text.
      const text404 = (text: string) => reply.code(404).type('text/html; charset=utf-8').send(text);
      if (snapshot.status !== 'completed' || !snapshot.file) return text404('Export is not completed');
      const q = queryOf(request.url);
      const typeName = q.get('exportType') ?? q.get('export_type');
      let file = snapshot.file;
      if (!isSnapshotJson(typeName)) {
        const id = ctx.findFormat(typeName!)?.id ?? typeName;
        const conversion = (await ctx.store.listConversions(snapshot.id)).find((c) => c.exportType === id);
        if (conversion?.status !== 'completed' || !conversion.file) {
          throw new HttpError(404, `${typeName} format is not converted yet`);
        }
        file = conversion.file;
      }
      const stored = await ctx.storage.open(file);
      if (!stored) return text404("Can't get file");
      const name = downloadName(snapshot.title, basename(file));
      const ext = (name.split('.').pop() ?? 'octet-stream').toLowerCase();
      try {
        await sendStored(request.raw, reply.raw, stored, name, `application/${ext}`, () => reply.hijack());
      } catch (error) {
        if (!reply.sent) throw error;
        // Once the headers are out, the answer can only be cut short.
        ctx.log(
          `lsconv-server: download ${file} failed while streaming: ${String((error as Error)?.message ?? error)}`,
        );
        reply.raw.destroy();
      }
      return reply;
    },
  );
});
