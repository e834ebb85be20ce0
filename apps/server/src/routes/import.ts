import { parseBool } from '../http.js';
import { common, defineRoutes, error, projectParams, queryOf, sendJson } from './route.js';

/** `POST /api/projects/{id}/import`: tasks streamed from the body into the store, whole or not at all. */
export default defineRoutes((app, ctx) => {
  // The body is read by the importer as it arrives (never buffered): no parser reads it here.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));

  app.post<{ Params: { id: string } }>(
    '/api/projects/:id/import',
    {
      schema: {
        summary: 'Import tasks (JSON list, JSON Lines, CSV/TSV, or multipart file uploads), streamed',
        params: projectParams,
        querystring: {
          type: 'object',
          properties: {
            return_task_ids: { type: 'boolean', description: 'Answer the new task ids in `task_ids`' },
          },
        },
        body: {
          content: {
            'application/json': { schema: { type: 'array', items: { type: 'object' } } },
            'application/x-ndjson': { schema: { type: 'string' } },
            'multipart/form-data': {
              schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } },
            },
          },
        },
        response: {
          201: {
            description: '{task_count, annotation_count, prediction_count, duration}',
            type: 'object',
            properties: {
              task_count: { type: 'integer' },
              annotation_count: { type: 'integer' },
              predictions_count: { type: 'integer' },
              prediction_count: { type: 'integer' },
              duration: { type: 'number' },
              task_ids: { type: 'array', items: { type: 'integer' } },
            },
          },
          400: error('Not tasks'),
          413: error('Too large'),
          ...common,
        },
      },
    },
    async (request, reply) => {
      const project = ctx.projectOr404(request.params.id);
      const started = Date.now();
      const q = queryOf(request.url);
      const returnIds = parseBool('return_task_ids', q.get('return_task_ids') ?? undefined, false);
      const result = await ctx.imports.importRequest(request.raw, project.id);
      return sendJson(reply, 201, {
        ...(returnIds ? { task_ids: result.taskIds } : {}),
        task_count: result.tasks,
        annotation_count: result.annotations,
        predictions_count: result.predictions,
        prediction_count: result.predictions,
        duration: (Date.now() - started) / 1000,
        file_upload_ids: [],
        could_be_tasks_list: false,
        found_formats: [],
        data_columns: [],
      });
    },
  );
});
