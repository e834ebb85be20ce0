import { SERVER_VERSION } from './http.js';

const id = (name: string, description: string) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'integer' },
});
const project = id('id', 'Project id');
const exportPk = id('export_pk', 'Snapshot id');
const json = (schema: unknown) => ({ 'application/json': { schema } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const error = (description: string) => ({ description, content: json(ref('Error')) });
const common = {
  '401': error('Missing or invalid `Authorization: Token <key>`'),
  '404': error('Unknown project or snapshot'),
};
const choice = { type: 'string', enum: ['only', 'exclude'], nullable: true };
const onlyId = { type: 'object', properties: { only_id: { type: 'boolean', default: false } } };

/** The OpenAPI 3.0 description served at `/api/docs`. */
export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: {
      title: 'lsconv-server',
      version: SERVER_VERSION,
      description:
        "Label Studio-compatible projects, import and export endpoints. Every /api route except this document needs `Authorization: Token <key>`. Errors use Label Studio's envelope.",
    },
    components: {
      securitySchemes: {
        token: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'Token <key>' },
      },
      schemas: {
        Error: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            status_code: { type: 'integer' },
            version: { type: 'string' },
            detail: { type: 'string' },
            exc_info: { type: 'string', nullable: true },
            validation_errors: { type: 'object', additionalProperties: true },
          },
        },
        Project: {
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
        },
        ProjectInput: {
          type: 'object',
          properties: {
            title: { type: 'string', maxLength: 50 },
            description: { type: 'string' },
            label_config: { type: 'string' },
          },
        },
        Format: {
          type: 'object',
          properties: {
            title: { type: 'string' },
            description: { type: 'string' },
            link: { type: 'string' },
            tags: { type: 'array', items: { type: 'string' } },
            name: { type: 'string' },
            disabled: { type: 'boolean' },
          },
        },
        Snapshot: {
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
                },
              },
            },
          },
        },
        SnapshotCreate: {
          type: 'object',
          properties: {
            title: { type: 'string', maxLength: 2048 },
            task_filter_options: {
              type: 'object',
              nullable: true,
              properties: {
                view: { type: 'integer' },
                skipped: choice,
                finished: choice,
                annotated: choice,
                only_with_annotations: { type: 'boolean' },
              },
            },
            annotation_filter_options: {
              type: 'object',
              nullable: true,
              properties: {
                usual: { type: 'boolean', nullable: true, default: true },
                ground_truth: { type: 'boolean', nullable: true },
                skipped: { type: 'boolean', nullable: true },
              },
            },
            serialization_options: {
              type: 'object',
              nullable: true,
              properties: {
                drafts: onlyId,
                predictions: onlyId,
                annotations__completed_by: onlyId,
                include_annotation_history: { type: 'boolean' },
                interpolate_key_frames: { type: 'boolean' },
              },
            },
          },
        },
      },
    },
    security: [{ token: [] }],
    paths: {
      '/api/projects': {
        get: {
          summary: 'List projects (paginated)',
          parameters: [
            { name: 'page', in: 'query', schema: { type: 'integer' } },
            { name: 'page_size', in: 'query', schema: { type: 'integer' } },
          ],
          responses: { '200': { description: '{count, next, previous, results}' }, '401': common['401'] },
        },
        post: {
          summary: 'Create a project; label_config is validated',
          requestBody: { content: json(ref('ProjectInput')) },
          responses: {
            '201': { description: 'Created', content: json(ref('Project')) },
            '400': error('Invalid label_config'),
            '401': common['401'],
          },
        },
      },
      '/api/projects/{id}': {
        parameters: [project],
        get: {
          summary: 'Get a project with its counts',
          responses: { '200': { description: 'OK', content: json(ref('Project')) }, ...common },
        },
        patch: {
          summary: 'Update title, description or label_config',
          requestBody: { content: json(ref('ProjectInput')) },
          responses: {
            '200': { description: 'OK', content: json(ref('Project')) },
            '400': error('Invalid label_config'),
            ...common,
          },
        },
        delete: {
          summary: 'Delete a project, its tasks and exports',
          responses: { '204': { description: 'Deleted' }, ...common },
        },
      },
      '/api/projects/{id}/import': {
        parameters: [project],
        post: {
          summary: 'Import tasks (JSON list, JSON Lines, or multipart file uploads), streamed',
          requestBody: {
            content: {
              'application/json': { schema: { type: 'array', items: { type: 'object' } } },
              'application/x-ndjson': { schema: { type: 'string' } },
              'multipart/form-data': {
                schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } },
              },
            },
          },
          responses: {
            '201': { description: '{task_count, annotation_count, prediction_count, duration}' },
            '400': error('Not tasks'),
            '413': error('Too large'),
            ...common,
          },
        },
      },
      '/api/projects/{id}/export': {
        parameters: [
          project,
          { name: 'exportType', in: 'query', schema: { type: 'string', default: 'JSON' } },
          { name: 'export_type', in: 'query', schema: { type: 'string' }, deprecated: true },
          { name: 'download_all_tasks', in: 'query', schema: { type: 'boolean', default: false } },
          { name: 'download_resources', in: 'query', schema: { type: 'boolean', default: false } },
          {
            name: 'ids[]',
            in: 'query',
            schema: { type: 'array', items: { type: 'integer' } },
            style: 'form',
            explode: true,
          },
          {
            name: 'ids',
            in: 'query',
            schema: { type: 'array', items: { type: 'integer' } },
            style: 'form',
            explode: true,
          },
        ],
        get: {
          summary: 'Easy export: the file itself, or a zip when the format writes several files',
          responses: {
            '200': {
              description: 'The export; headers Content-Disposition and filename',
              content: { 'application/octet-stream': {} },
            },
            '400': error('Unknown format or unsupported config'),
            '503': error('Too many exports running'),
            ...common,
          },
        },
      },
      '/api/projects/{id}/export/formats': {
        parameters: [
          project,
          {
            name: 'details',
            in: 'query',
            schema: { type: 'boolean' },
            description: 'lsconv: add reason, options, output',
          },
        ],
        get: {
          summary: 'Formats, enabled first; those the config cannot use are disabled',
          responses: {
            '200': { description: 'OK', content: json({ type: 'array', items: ref('Format') }) },
            ...common,
          },
        },
      },
      '/api/projects/{id}/export/files': {
        parameters: [project],
        get: {
          summary: 'Legacy list (always empty, as in Label Studio)',
          responses: { '200': { description: '{export_files: []}' }, ...common },
        },
      },
      '/api/projects/{id}/exports': {
        parameters: [project],
        get: {
          summary: 'Snapshots, newest first (100 at most)',
          responses: {
            '200': { description: 'OK', content: json({ type: 'array', items: ref('Snapshot') }) },
            ...common,
          },
        },
        post: {
          summary: 'Create a snapshot (runs as a background job)',
          requestBody: { content: json(ref('SnapshotCreate')) },
          responses: {
            '201': { description: 'Created', content: json(ref('Snapshot')) },
            '400': error('Invalid options'),
            ...common,
          },
        },
      },
      '/api/projects/{id}/exports/{export_pk}': {
        parameters: [project, exportPk],
        get: {
          summary: 'Snapshot status',
          responses: { '200': { description: 'OK', content: json(ref('Snapshot')) }, ...common },
        },
        delete: {
          summary: 'Delete a snapshot and its conversions',
          responses: { '204': { description: 'Deleted' }, ...common },
        },
      },
      '/api/projects/{id}/exports/{export_pk}/convert': {
        parameters: [project, exportPk],
        post: {
          summary: 'Convert a snapshot to another format (background job)',
          requestBody: {
            content: json({
              type: 'object',
              required: ['export_type'],
              properties: {
                export_type: { type: 'string' },
                download_resources: { type: 'boolean' },
                options: { type: 'object' },
              },
            }),
          },
          responses: {
            '200': { description: '{export_type, converted_format}' },
            '400': error('Unknown format or already started'),
            ...common,
          },
        },
      },
      '/api/projects/{id}/exports/{export_pk}/download': {
        parameters: [
          project,
          exportPk,
          { name: 'exportType', in: 'query', schema: { type: 'string', default: 'JSON' } },
        ],
        get: {
          summary: 'Download a snapshot or one of its conversions',
          responses: {
            '200': { description: 'The file', content: { 'application/octet-stream': {} } },
            '404': {
              description:
                '"Export is not completed" (text), or "<X> format is not converted yet" (envelope)',
            },
            '401': common['401'],
          },
        },
      },
    },
  };
}
