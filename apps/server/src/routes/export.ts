import { createEasyExporter } from '../easy-export.js';
import { JSON_EXPORT_TYPE } from '../format-hosting.js';
import { HttpError, parseBool, validationError } from '../http.js';
import type { TaskQuery } from '../store/types.js';
import { EASY_EXPORT_SERIALIZATION } from '../tasks.js';
import { formatOptionsFrom, parseCompat, parseIds } from '../views.js';
import { common, defineRoutes, error, fileAnswer, projectParams, queryOf } from './route.js';

const ids = { type: 'array', items: { type: 'integer' } } as const;

/** `GET /api/projects/{id}/export`: easy export, streamed. */
export default defineRoutes((app, ctx) => {
  const easyExport = createEasyExporter(ctx);
  app.get<{ Params: { id: string } }>(
    '/api/projects/:id/export',
    {
      schema: {
        summary: 'Easy export: the file itself, or a zip when the format writes several files',
        description: 'Format options are taken from the query by name (see export/formats?details=true).',
        params: projectParams,
        querystring: {
          type: 'object',
          properties: {
            exportType: { type: 'string', default: JSON_EXPORT_TYPE },
            export_type: { type: 'string', description: 'Same as exportType (older clients)' },
            download_all_tasks: { type: 'boolean', default: false },
            download_resources: { type: 'boolean', default: false },
            'ids[]': ids,
            ids,
            compat: {
              type: 'string',
              enum: ['default', 'python'],
              description:
                "lsconv: `python` writes what Label Studio's converter writes; default: the server's mode",
            },
          },
        },
        response: {
          200: fileAnswer(
            'The export; headers Content-Disposition, filename, x-lsconv-report (counts) and x-lsconv-report-url (the full report)',
          ),
          400: error(
            'Unknown format, unsupported config, or nothing written from annotated tasks (with the reasons)',
          ),
          503: error('Too many exports running'),
          ...common,
        },
      },
    },
    async (request, reply) => {
      const project = await ctx.projectOr404(request.params.id);
      const q = queryOf(request.url);
      const typeName = q.get('exportType') ?? q.get('export_type') ?? JSON_EXPORT_TYPE;
      const format = ctx.findFormat(typeName);
      if (!format) throw validationError({ export_type: [`${typeName} is not supported export format`] });
      const downloadAll = parseBool('download_all_tasks', q.get('download_all_tasks') ?? undefined, false);
      const download = parseBool(
        'download_resources',
        q.get('download_resources') ?? undefined,
        ctx.downloadDefault,
      );
      const taskIds = parseIds([...q.getAll('ids[]'), ...q.getAll('ids')]);
      const formatOptions = formatOptionsFrom(format, Object.fromEntries(q));
      const query: TaskQuery = {
        ...(taskIds.length ? { ids: taskIds } : {}),
        ...(downloadAll ? {} : { anyAnnotation: true }),
      };
      await easyExport(request, reply, {
        project,
        format,
        query,
        serialize: EASY_EXPORT_SERIALIZATION,
        download,
        formatOptions,
        compat: parseCompat(q.get('compat'), ctx.compat),
      });
      return reply;
    },
  );

  app.get<{ Params: { id: string; report_id: string } }>(
    '/api/projects/:id/export/reports/:report_id',
    {
      schema: {
        summary: 'lsconv: the full report of a recent easy export (x-lsconv-report-url)',
        params: {
          type: 'object',
          properties: { id: { type: 'integer' }, report_id: { type: 'string' } },
          required: ['id', 'report_id'],
        },
        response: {
          200: {
            description: 'The report: counts, every skip with its reason',
            type: 'object',
            additionalProperties: true,
          },
          ...common,
        },
      },
    },
    async (request, reply) => {
      const project = await ctx.projectOr404(request.params.id);
      const report = ctx.reports.get(project.id, request.params.report_id);
      if (!report) throw new HttpError(404, 'Not found.');
      return reply.code(200).type('application/json').send(report);
    },
  );
});
