import { prefetchAhead } from '@lsconv/core';
import {
  COCO_LAYOUT,
  CocoDocumentWriter,
  classifyImageRef,
  exportDate,
  imageDirOf,
} from '@lsconv/format-kit';
import { defaultState, defaultTask } from './coco-default.js';
import type { PreparedCoco } from './coco-prepare.js';
import { pythonState, pythonTask } from './coco-python.js';
import { type CocoContext, type CocoRun, cocoInfo } from './coco-shared.js';

/**
 * The export of COCO and COCO_WITH_IMAGES: one path per compat mode writes each task's
 * images and annotations into the kit's COCO document writer, which assembles `result.json`.
 */
export async function exportCoco(
  tasks: AsyncIterable<PreparedCoco>,
  ctx: CocoContext,
  withImages: boolean,
): Promise<void> {
  const python = ctx.compat === 'python';
  const imageDir = imageDirOf(ctx);
  await ctx.sink.mkdir(imageDir);
  const doc = await CocoDocumentWriter.create('coco', COCO_LAYOUT);
  try {
    const state = python ? pythonState(ctx) : defaultState(ctx);
    const writeTask = python ? pythonTask : defaultTask;
    const { images, annotations } = doc;
    const run: CocoRun = { ctx, state, images, annotations, imageDir, withImages };
    const upcoming = prefetchAhead(
      tasks,
      ctx.resources,
      (prepared) => mediaRef(prepared, state.dataKey, withImages),
      { copy: withImages },
    );
    for await (const prepared of upcoming) if (prepared !== null) await writeTask(run, prepared);
    state.clips.flush(ctx.report, ctx.format);
    const categories = python ? state.categories : [...state.categories].sort((a, b) => a.id - b.id);
    await doc.write(ctx.sink, 'result.json', [
      ['images', images],
      ['categories', { value: categories }],
      ['annotations', annotations],
      ['info', { value: cocoInfo(exportDate(), python ? 'local' : 'utc') }],
    ]);
    ctx.report.itemsWritten += images.count;
    ctx.report.regionsWritten += annotations.count;
  } finally {
    await doc.dispose();
  }
}

/**
 * The image a prepared task will read, for the resolver to fetch ahead: every image when
 * they are copied; otherwise only for tasks converted in `export` (compat python, or the
 * size must come from the file), and not http URLs, which stay names.
 */
function mediaRef(prepared: PreparedCoco, dataKey: string | undefined, withImages: boolean) {
  if (prepared === null) return undefined;
  const { url, body } = prepared;
  if (!withImages && body) return undefined;
  if (url === undefined || (!withImages && classifyImageRef(url) === 'http')) return undefined;
  return {
    url,
    context: { taskId: prepared.taskId, taskIndex: prepared.taskIndex, field: `data.${dataKey}` },
  };
}
