import { viewSelection } from '../dm-views.js';
import { HttpError } from '../http.js';
import { defaultSnapshotTitle, parseSnapshotOptions } from '../snapshot-options.js';
import type { SnapshotOptions } from '../store/types.js';
import { snapshotJson, stringField } from '../views.js';
import { bodyOf, common, defineRoutes, error, projectParams, sendJson, snapshotSchema } from './route.js';

const choice = { type: 'string', enum: ['only', 'exclude'], nullable: true } as const;
const onlyId = { type: 'object', properties: { only_id: { type: 'boolean', default: false } } } as const;

const snapshotCreateSchema = {
  type: 'object',
  properties: {
    title: { type: 'string', maxLength: 2048 },
    task_filter_options: {
      type: 'object',
      nullable: true,
      properties: {
        view: { type: 'integer', description: 'A Data Manager view: its filters and selected items' },
        reviewed: choice,
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
} as const;

/** `/api/projects/{id}/exports`: the snapshots of a project, and a new one (a background job). */
export default defineRoutes((app, ctx) => {
  const { store } = ctx;
  app.get<{ Params: { id: string } }>(
    '/api/projects/:id/exports',
    {
      schema: {
        summary: 'Snapshots, newest first (100 at most)',
        params: projectParams,
        response: { 200: { description: 'OK', type: 'array', items: snapshotSchema }, ...common },
      },
    },
    async (request, reply) => {
      const project = await ctx.projectOr404(request.params.id);
      return sendJson(
        reply,
        200,
        await Promise.all((await store.listSnapshots(project.id, 100)).map((s) => snapshotJson(store, s))),
      );
    },
  );

  app.post<{ Params: { id: string } }>(
    '/api/projects/:id/exports',
    {
      schema: {
        summary: 'Create a snapshot (runs as a background job)',
        params: projectParams,
        body: snapshotCreateSchema,
        response: {
          201: { description: 'Created', ...snapshotSchema },
          400: error('Invalid options'),
          ...common,
        },
      },
    },
    async (request, reply) => {
      const project = await ctx.projectOr404(request.params.id);
      const body = bodyOf(request.body);
      const title = stringField(body, 'title', 2048) ?? '';
      const options = parseSnapshotOptions(body);
      const viewId = options.task_filter_options?.view;
      let viewSelectionOf: SnapshotOptions['view_selection'] = null;
      if (typeof viewId === 'number') {
        const view = await store.getView(viewId);
        // As Label Studio: a view that does not exist (or is another project's) filters nothing.
        if (view && view.projectId === project.id) viewSelectionOf = viewSelection(view);
      }
      const snapshot = await store.createSnapshot({
        projectId: project.id,
        title: title || defaultSnapshotTitle(project.title),
        options: { ...options, view_selection: viewSelectionOf },
      });
      if (!(await ctx.jobs.addSnapshot(snapshot.id))) throw new HttpError(503, 'The server is shutting down');
      return sendJson(reply, 201, {
        ...(await snapshotJson(store, (await store.getSnapshot(snapshot.id))!)),
        ...options,
      });
    },
  );
});
