import { parseBool, validationError } from '../http.js';
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
            preannotated_from_fields: { type: 'string', description: 'Not supported: answered 400' },
            commit_to_project: { type: 'boolean', description: 'Only true is supported (false: 400)' },
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
      const project = await ctx.projectOr404(request.params.id);
      const started = Date.now();
      const q = queryOf(request.url);
      const returnIds = parseBool('return_task_ids', q.get('return_task_ids') ?? undefined, false);
      // What Label Studio's import can do and this server cannot is refused, never ignored.
      if (q.get('preannotated_from_fields'))
        throw validationError({
          preannotated_from_fields: [
            'This server does not turn task fields into predictions; import predictions in the tasks.',
          ],
        });
      if (!parseBool('commit_to_project', q.get('commit_to_project') ?? undefined, true))
        throw validationError({
          commit_to_project: [
            'This server imports into the project at once (commit_to_project=false is not supported).',
          ],
        });
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
