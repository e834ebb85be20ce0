import { HttpError, parseBool, validationError } from '../http.js';
import { formatOptionsFrom, parseCompat } from '../views.js';
import { bodyOf, common, defineRoutes, error, sendJson, snapshotParams } from './route.js';

/** `POST /api/projects/{id}/exports/{export_pk}/convert`: converts a snapshot to a format (a background job). */
export default defineRoutes((app, ctx) => {
  const { store } = ctx;
  app.post<{ Params: { id: string; export_pk: string } }>(
    '/api/projects/:id/exports/:export_pk/convert',
    {
      schema: {
        summary: 'Convert a snapshot to another format (background job)',
        params: snapshotParams,
        body: {
          type: 'object',
          required: ['export_type'],
          properties: {
            export_type: { type: 'string' },
            download_resources: { type: 'boolean' },
            options: { type: 'object', description: "The format's options by name" },
            compat: {
              type: 'string',
              enum: ['default', 'python'],
              description: "lsconv: `python` for Label Studio's converter's output",
            },
          },
        },
        response: {
          200: {
            description: '{export_type, converted_format}',
            type: 'object',
            properties: { export_type: { type: 'string' }, converted_format: { type: 'integer' } },
          },
          400: error('Unknown format or already started'),
          ...common,
        },
      },
    },
    async (request, reply) => {
      const project = await ctx.projectOr404(request.params.id);
      const snapshot = await ctx.snapshotOr404(project, request.params.export_pk);
      const body = bodyOf(request.body);
      const typeName = body.export_type;
      if (typeof typeName !== 'string' || typeName === '')
        throw validationError({ export_type: ['This field is required.'] });
      const format = ctx.findFormat(typeName);
      if (!format) throw validationError({ export_type: [`${typeName} is not supported export format`] });
      const download = parseBool('download_resources', body.download_resources, ctx.downloadDefault);
      const extra = body.options;
      const formatOptions =
        typeof extra === 'object' && extra !== null && !Array.isArray(extra)
          ? formatOptionsFrom(format, extra as Record<string, unknown>)
          : {};
      const compat = parseCompat(body.compat, ctx.compat);
      const existing = (await store.listConversions(snapshot.id)).find(
        (c) => c.exportType === format.id && c.status !== 'failed',
      );
      if (existing)
        throw validationError({ non_field_errors: [`Conversion to ${format.id} already started`] });
      const conversion = await store.createConversion({
        exportId: snapshot.id,
        projectId: project.id,
        exportType: format.id,
        downloadResources: download,
        plan: { formatOptions, compat },
      });
      if (!(await ctx.jobs.addConversion(conversion)))
        throw new HttpError(503, 'The server is shutting down');
      return sendJson(reply, 200, { export_type: format.id, converted_format: conversion.id });
    },
  );
});
