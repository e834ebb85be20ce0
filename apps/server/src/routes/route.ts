import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ServerContext } from '../context.js';

/**
 * A route module: registers one route or a small group, each with its schema (which
 * the OpenAPI document is generated from) next to its handler. It runs in its own
 * Fastify scope, so it may add its own body parsers.
 */
export type RouteModule = (app: FastifyInstance, ctx: ServerContext) => void | Promise<void>;

/** Declares a route module (typed identity). */
export function defineRoutes(module: RouteModule): RouteModule {
  return module;
}

/** Answers JSON with a status (`application/json`, as Label Studio). */
export function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).type('application/json').send(body);
}

/** The query string of a request, as URLSearchParams (repeated keys kept, `ids[]` as is). */
export function queryOf(url: string): URLSearchParams {
  return new URL(url, 'http://localhost').searchParams;
}

/** The JSON object body Fastify parsed (`{}` when there was none). */
export function bodyOf(body: unknown): Record<string, unknown> {
  return (body ?? {}) as Record<string, unknown>;
}

// ---- schema pieces shared by the route modules -----------------------------------------

const errorSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    status_code: { type: 'integer' },
    version: { type: 'string' },
    detail: { type: 'string' },
    exc_info: { type: 'string', nullable: true },
    validation_errors: { type: 'object', additionalProperties: true },
  },
} as const;

/** An error answer in Label Studio's envelope. */
export const error = (description: string) => ({ description, ...errorSchema });

/** The answers every project route may give. */
export const common = {
  401: error('Missing or invalid `Authorization: Token <key>`'),
  404: error('Unknown project or snapshot'),
};

/** Path parameters `{id}` (and `{export_pk}`). */
export const projectParams = {
  type: 'object',
  properties: { id: { type: 'integer', description: 'Project id' } },
  required: ['id'],
} as const;
export const snapshotParams = {
  type: 'object',
  properties: {
    id: { type: 'integer', description: 'Project id' },
    export_pk: { type: 'integer', description: 'Snapshot id' },
  },
  required: ['id', 'export_pk'],
} as const;

/** A file download (or a zip). */
export const fileAnswer = (description: string) => ({
  description,
  content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
});

export const projectSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    title: { type: 'string' },
    description: { type: 'string' },
    label_config: { type: 'string' },
    created_at: { type: 'string', format: 'date-time' },
    task_number: { type: 'integer' },
    num_tasks_with_annotations: { type: 'integer' },
    total_annotations_number: { type: 'integer' },
    skipped_annotations_number: { type: 'integer' },
    total_predictions_number: { type: 'integer' },
  },
} as const;

export const projectInputSchema = {
  type: 'object',
  properties: {
    title: { type: 'string', maxLength: 50 },
    description: { type: 'string' },
    label_config: { type: 'string' },
  },
} as const;

export const snapshotSchema = {
  type: 'object',
  properties: {
    title: { type: 'string' },
    id: { type: 'integer' },
    created_by: { type: 'object' },
    created_at: { type: 'string', format: 'date-time' },
    finished_at: { type: 'string', format: 'date-time', nullable: true },
    status: { type: 'string', enum: ['created', 'in_progress', 'completed', 'failed'] },
    md5: { type: 'string' },
    counters: { type: 'object', properties: { task_number: { type: 'integer' } } },
    converted_formats: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'integer' },
          status: { type: 'string' },
          export_type: { type: 'string' },
          traceback: { type: 'string', nullable: true },
          report: {
            type: 'object',
            nullable: true,
            additionalProperties: true,
            description:
              'lsconv: tasksRead, itemsWritten, regionsWritten, skipped [{code, reason, count, examples}]',
          },
        },
      },
    },
  },
} as const;
