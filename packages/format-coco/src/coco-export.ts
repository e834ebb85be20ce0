import { orderSplits, prefetchAhead } from '@lsconv/core';
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
 * images and annotations into the kit's COCO document writer, which assembles `result.json`
 * (with `--split`, `annotations/instances_<split>.json`).
 */
export async function exportCoco(
  tasks: AsyncIterable<PreparedCoco>,
  ctx: CocoContext,
  withImages: boolean,
): Promise<void> {
  const python = ctx.compat === 'python';
  const imageDir = imageDirOf(ctx);
  await ctx.sink.mkdir(imageDir);
  const state = python ? pythonState(ctx) : defaultState(ctx);
  const writeTask = python ? pythonTask : defaultTask;
  // One document, result.json; with --split one per split, annotations/instances_<split>.json,
  // its images in <image-dir>/<split>/, the categories shared.
  const docs = new Map<string | undefined, { doc: CocoDocumentWriter; run: CocoRun }>();
  const docFor = async (split: string | undefined) => {
    let entry = docs.get(split);
    if (!entry) {
      const doc = await CocoDocumentWriter.create('coco', COCO_LAYOUT);
      const dir = split === undefined ? imageDir : `${imageDir}/${split}`;
      if (split !== undefined) await ctx.sink.mkdir(dir);
      const { images, annotations } = doc;
      entry = { doc, run: { ctx, state, images, annotations, imageDir: dir, withImages } };
      docs.set(split, entry);
    }
    return entry;
  };
  try {
    const splits = ctx.dataset?.split === true;
    if (!splits) await docFor(undefined);
    for (const name of ctx.dataset?.splitNames ?? []) await docFor(name);
    const upcoming = prefetchAhead(
      tasks,
      ctx.resources,
      (prepared) => mediaRef(prepared, state.dataKey, withImages),
      { copy: withImages },
    );
    for await (const prepared of upcoming) {
      if (prepared !== null)
        await writeTask((await docFor(splits ? prepared.split : undefined)).run, prepared);
    }
    state.clips.flush(ctx.report, ctx.format);
    const categories = python ? state.categories : [...state.categories].sort((a, b) => a.id - b.id);
    const order = splits ? orderSplits([...docs.keys()] as string[]) : [undefined];
    for (const split of order) {
      const { doc } = docs.get(split)!;
      const { images, annotations } = doc;
      await doc.write(ctx.sink, split === undefined ? 'result.json' : `annotations/instances_${split}.json`, [
        ['images', images],
        ['categories', { value: categories }],
        ['annotations', annotations],
        ['info', { value: cocoInfo(exportDate(), python ? 'local' : 'utc') }],
      ]);
      ctx.report.itemsWritten += images.count;
      ctx.report.regionsWritten += annotations.count;
    }
  } finally {
    for (const { doc } of docs.values()) await doc.dispose();
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
