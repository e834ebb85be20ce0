import { parseLabelConfig } from '@lsconv/core';
import type { ServerContext } from '../context.js';
import { formatRank } from '../format-hosting.js';
import { parseBool } from '../http.js';
import type { ProjectRow } from '../store/types.js';
import { common, defineRoutes, projectParams, queryOf, sendJson } from './route.js';

const formatSchema = {
  type: 'object',
  properties: {
    title: { type: 'string' },
    description: { type: 'string' },
    link: { type: 'string' },
    tags: { type: 'array', items: { type: 'string' } },
    name: { type: 'string' },
    disabled: { type: 'boolean' },
  },
} as const;

/** `export/formats` (what the Label Studio UI lists) and the legacy `export/files`. */
export default defineRoutes((app, ctx) => {
  app.get<{ Params: { id: string } }>(
    '/api/projects/:id/export/formats',
    {
      schema: {
        summary: 'Formats, enabled first; those the config cannot use are disabled',
        params: projectParams,
        querystring: {
          type: 'object',
          properties: { details: { type: 'boolean', description: 'lsconv: add reason, options, output' } },
        },
        response: { 200: { description: 'OK', type: 'array', items: formatSchema }, ...common },
      },
    },
    async (request, reply) => {
      const project = await ctx.projectOr404(request.params.id);
      const details = parseBool('details', queryOf(request.url).get('details') ?? undefined, false);
      return sendJson(reply, 200, formatList(ctx, project, details));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/projects/:id/export/files',
    {
      schema: {
        summary: 'Legacy list (always empty, as in Label Studio)',
        params: projectParams,
        response: {
          200: {
            description: '{export_files: []}',
            type: 'object',
            properties: { export_files: { type: 'array', items: {} } },
          },
          ...common,
        },
      },
    },
    async (request, reply) => {
      await ctx.projectOr404(request.params.id);
      return sendJson(reply, 200, { export_files: [] });
    },
  );
});

/** Every served format in Label Studio's item shape: enabled first, each group in converter order. */
function formatList(ctx: ServerContext, project: ProjectRow, details: boolean) {
  let config: ReturnType<typeof parseLabelConfig> | undefined;
  try {
    config = parseLabelConfig(project.labelConfig);
  } catch {
    config = undefined;
  }
  const items = [...ctx.registry.formats.values()]
    .map(({ format }, index) => {
      const support = config
        ? format.supports(config)
        : ({ ok: false, reason: 'the labeling config does not parse' } as const);
      const item: Record<string, unknown> = {
        title: format.title,
        description: format.description,
        link: format.link ?? '',
        tags: [...format.tags],
        name: format.id,
      };
      if (!support.ok) item.disabled = true;
      if (details) {
        item.output = format.output;
        item.options = format.options;
        if (!support.ok) item.reason = support.reason;
      }
      return { item, key: formatRank(format) * 10_000 + index };
    })
    .sort((a, b) => a.key - b.key)
    .map((x) => x.item);
  return [...items.filter((i) => !i.disabled), ...items.filter((i) => i.disabled)];
}
