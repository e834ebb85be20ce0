import { ClipCounter, locateImage, sizeFromRegions } from '@lsconv/format-kit';
import { type CocoTaskBody, taskBody } from './coco-body.js';
import type { PreparedCoco } from './coco-prepare.js';
import {
  type CocoContext,
  type CocoRegion,
  type CocoRun,
  type CocoState,
  categoryFor,
  defaultCategories,
  nextFreeId,
} from './coco-shared.js';

/** COCO's default export path: prepared bodies numbered and written, sizes read from the file when missing. */

/** The default mode's state: the config's categories, sorted by id when written. */
export function defaultState(ctx: CocoContext): CocoState {
  return { ...defaultCategories(ctx.config, ctx.report), clips: new ClipCounter() };
}

/** One prepared task in default mode. */
export async function defaultTask(run: CocoRun, prepared: NonNullable<PreparedCoco>): Promise<void> {
  const { body, regions } = prepared;
  const task = { taskId: prepared.taskId, taskIndex: prepared.taskIndex, url: prepared.url! };
  if (body) await writeTask(run, task, body);
  else if (regions) await sizelessTask(run, task, regions);
}

type TaskRef = { taskId: unknown; taskIndex: number; url: string };

/** A prepared default-mode task: its image entry, then its annotations. */
async function writeTask(
  run: CocoRun,
  task: TaskRef,
  body: CocoTaskBody & { width: number; height: number },
): Promise<void> {
  const { ctx, state, images } = run;
  const { taskId, taskIndex } = task;
  const image = await locateImage(ctx, task.url, {
    imageDir: run.imageDir,
    copy: run.withImages,
    resolve: false,
    taskId,
    taskIndex,
    field: `data.${state.dataKey}`,
  });
  const imageId = images.count;
  await images.push({ width: body.width, height: body.height, id: imageId, file_name: image.fileName });
  await writeBody(run, body, imageId);
}

/** A default-mode task whose image size is not in its results: looked up in the file first. */
async function sizelessTask(run: CocoRun, task: TaskRef, regions: readonly CocoRegion[]): Promise<void> {
  const { ctx, state, images } = run;
  const { url, taskId, taskIndex } = task;
  const field = `data.${state.dataKey}`;
  let size = sizeFromRegions(regions.map((r) => r.value));
  // Only look for the image file when the results do not give its size.
  const image = await locateImage(ctx, url, {
    imageDir: run.imageDir,
    copy: run.withImages,
    resolve: !size,
    taskId,
    taskIndex,
    field,
  });
  if (!size && (image.localPath || image.copied)) {
    const info = await ctx.resources.imageInfo(url, { taskId, taskIndex, field });
    if (info) size = { width: info.width, height: info.height };
  }
  const imageId = images.count;
  await images.push({
    width: size?.width ?? null,
    height: size?.height ?? null,
    id: imageId,
    file_name: image.fileName,
  });
  if (!size) {
    ctx.report.skip({
      taskIndex,
      taskId,
      kind: 'resource',
      code: 'missing-image-size',
      reason:
        'image size unknown (no original_width/height in the results and the image could not be read); width and height are null',
      field,
    });
  }
  const body = taskBody({ taskId, taskIndex, regions, size, statics: state, skips: ctx.report });
  await writeBody(run, body, imageId);
}

/** Numbers a task's categories and annotations, and writes them. */
async function writeBody(run: CocoRun, body: CocoTaskBody, imageId: number): Promise<void> {
  const { ctx, state, annotations } = run;
  ctx.report.regionsWritten += body.keypointRegions;
  if (body.clips > 0) {
    state.clips.add(body.clipTaskId, body.clipRegionId);
    state.clips.count += body.clips - 1;
  }
  const { categoryIds, tails, unknown } = body;
  for (let i = 0; i < unknown.length; i += 2) {
    const id = categoryFor(state, unknown[i] as string, ctx);
    const at = unknown[i + 1] as number;
    if (at >= 0) categoryIds[at] = id;
  }
  if (body.orphans >= 0) categoryIds[body.orphans] = defaultKeypointCategory(state);
  for (let i = 0; i < tails.length; i++) {
    await annotations.pushJson(
      `{"id":${annotations.count},"image_id":${imageId},"category_id":${categoryIds[i]}${tails[i]}`,
    );
  }
}

/** The id of the `default` category that holds keypoints without a parent rectangle (added when first needed). */
function defaultKeypointCategory(state: CocoState): number {
  let id = state.byName.get('default');
  if (id === undefined || !state.categories.some((c) => c.id === id && c.keypoints)) {
    id = nextFreeId(state.categories);
    state.categories.push({
      id,
      name: 'default',
      supercategory: 'default',
      keypoints: state.kpOrder,
      skeleton: [],
    });
    state.byName.set('default', id);
  }
  return id;
}
