import { prefetchAhead, UniqueNames } from '@lsconv/core';
import {
  ClipCounter,
  exportDate,
  imageDirOf,
  locateImage,
  safeFileName,
  safeStem,
  urlBaseName,
} from '@lsconv/format-kit';
import { defaultLabelFile } from './yolo-default.js';
import { classNames, dataYaml, type ImageSize } from './yolo-geometry.js';
import { splitDataYaml } from './yolo-layout.js';
import { type PreparedYolo, taskLines } from './yolo-prepare.js';
import { pythonLabelFile } from './yolo-python.js';
import {
  configClasses,
  type LineContext,
  type Variant,
  type YoloContext,
  type YoloItem,
  type YoloState,
  type YoloTaskLines,
} from './yolo-shared.js';

// The export of the YOLO formats: per task, the image's label file name (and copy), then the
// label file of the compat mode's path; classes.txt, notes.json and data.yaml at the end.

/** Writes the label files and class files of a YOLO export from the prepared tasks. */
export async function exportYolo(
  tasks: AsyncIterable<PreparedYolo>,
  ctx: YoloContext,
  variant: Variant,
): Promise<void> {
  const python = ctx.compat === 'python';
  const imageDir = imageDirOf(ctx);
  await ctx.sink.mkdir(imageDir);
  await ctx.sink.mkdir('labels');
  const state: YoloState = {
    ...configClasses(ctx.config, python, ctx.report),
    clips: new ClipCounter(),
    names: new UniqueNames(),
    splits: new Map(),
  };
  for (const split of ctx.dataset?.splitNames ?? []) await splitFolders(ctx, state, imageDir, split);
  const upcoming = prefetchAhead(
    tasks,
    ctx.resources,
    (prepared) => mediaRef(prepared, state.dataKey, variant.withImages, python),
    { copy: variant.withImages },
  );
  for await (const prepared of upcoming) {
    if (prepared === null) continue;
    const { lines, items } = prepared;
    if (lines) await exportTask(ctx, state, variant, prepared, lines, imageDir);
    else if (items) await exportSizelessTask(ctx, state, variant, prepared, items, imageDir);
  }
  state.clips.flush(ctx.report, ctx.format);
  // The reference writes classes in list order, so an explicit category="N" puts names on the
  // wrong lines; line i must be class i for every YOLO trainer.
  const classes = python ? state.categories.map((c) => c.name) : classNames(state.categories);
  if (!python && classes.length > state.categories.length) {
    ctx.report.warn(
      `${ctx.format}: class ids have gaps (category="N" in the config); the missing lines of classes.txt are named unused-<id>`,
    );
  }
  await ctx.sink.writeFile('classes.txt', classes.map((name) => `${name}\n`).join(''));
  const year = exportDate().getUTCFullYear();
  const notes = python ? state.categories : [...state.categories].sort((a, b) => a.id - b.id);
  await ctx.sink.writeFile(
    'notes.json',
    `${JSON.stringify({ categories: notes, info: { year, version: '1.0', contributor: 'Label Studio' } }, null, 2)}\n`,
  );
  if (ctx.dataset?.split) {
    const pose = state.keypoints ? { keypoints: state.kpOrder, flipIdx: ctx.options.flipIdx } : undefined;
    await ctx.sink.writeFile(
      'data.yaml',
      splitDataYaml(state.categories, imageDir, state.splits.keys(), pose),
    );
  } else if (!python)
    await ctx.sink.writeFile(
      'data.yaml',
      dataYaml(state.categories, state.keypoints ? state.kpOrder.length : undefined, imageDir),
    );
}

/** A split's image and label folders (made even when empty) and its own image names. */
async function splitFolders(
  ctx: YoloContext,
  state: YoloState,
  imageDir: string,
  split: string,
): Promise<UniqueNames> {
  let names = state.splits.get(split);
  if (!names) {
    names = new UniqueNames();
    state.splits.set(split, names);
    await ctx.sink.mkdir(`${imageDir}/${split}`);
    await ctx.sink.mkdir(`labels/${split}`);
  }
  return names;
}

/**
 * The image a prepared task will read, for the resolver to fetch ahead: every image when
 * they are copied; otherwise only the ones whose size must come from the file (lsconv's
 * default; the reference never reads them).
 */
function mediaRef(prepared: PreparedYolo, dataKey: string | undefined, withImages: boolean, python: boolean) {
  if (prepared === null) return undefined;
  if (!withImages && (python || prepared.hasSize)) return undefined;
  const { url, taskId, taskIndex } = prepared;
  return { url, context: { taskId, taskIndex, field: `data.${dataKey}` } };
}

/** A task whose lines need the image file's size: converted here, where the file can be read. */
async function exportSizelessTask(
  ctx: YoloContext,
  state: YoloState,
  variant: Variant,
  task: { taskId: unknown; taskIndex: number; url: string; hasSize: boolean; split?: string },
  items: readonly YoloItem[],
  imageDir: string,
): Promise<void> {
  const python = ctx.compat === 'python';
  const lc: LineContext = { format: ctx.format, python, variant, classes: state };
  await exportTask(ctx, state, variant, task, (size) => taskLines(items, lc, size, ctx.report), imageDir);
}

/**
 * Writes one task's label file: image reference, unique name, optional copy, then the
 * lines with the class ids of labels missing from the config assigned in input order.
 */
async function exportTask(
  ctx: YoloContext,
  state: YoloState,
  variant: Variant,
  task: { taskId: unknown; taskIndex: number; url: string; hasSize: boolean; split?: string },
  lines: YoloTaskLines | ((size: ImageSize | undefined) => YoloTaskLines),
  rootImageDir: string,
): Promise<void> {
  const python = ctx.compat === 'python';
  const { taskId, taskIndex, url, split } = task;
  // With --split, each split has its own images/<split>/ and labels/<split>/ (and names).
  const names = split === undefined ? state.names : await splitFolders(ctx, state, rootImageDir, split);
  const imageDir = split === undefined ? rootImageDir : `${rootImageDir}/${split}`;
  const labelDir = split === undefined ? 'labels' : `labels/${split}`;
  const loc = { taskIndex, taskId };
  const field = `data.${state.dataKey}`;
  // The label files need the file only for rotated boxes without original_width/height.
  const image = await locateImage(ctx, url, {
    imageDir,
    copy: false,
    resolve: !python && !task.hasSize,
    taskId,
    taskIndex,
    field,
  });
  const stem = safeStem(image.baseName, 251);
  const unique = python ? stem : names.take(stem);
  if (!python && unique !== stem)
    ctx.report.warn(`${ctx.format}: two images are named "${stem}"; the later one is written as ${unique}`);
  if (variant.withImages) {
    const ext = extensionOf(image.baseName) || extensionOf(urlBaseName(url));
    const dest = `${imageDir}/${safeFileName(python ? image.baseName : `${unique}${ext}`)}`;
    const copied =
      ctx.sink.has(dest) || (await ctx.resources.copyTo(ctx.sink, url, dest, { taskId, taskIndex, field }));
    if (!copied && (!python || image.kind === 'cloud')) {
      ctx.report.skip({
        ...loc,
        kind: 'task',
        code: 'image-unavailable',
        reason: 'the image could not be copied into the export, so its label file is left out too',
        field,
      });
      return;
    }
  }
  const size = python || task.hasSize ? undefined : await sizeFromFile(ctx, image, url, taskId, taskIndex);
  const done = typeof lines === 'function' ? lines(size) : lines;
  if (done.clips > 0) {
    state.clips.add(done.clipTaskId, done.clipRegionId);
    state.clips.count += done.clips - 1;
  }
  const path = `${labelDir}/${unique}.txt`;
  const file = python ? pythonLabelFile(ctx, state, loc, path, done) : defaultLabelFile(ctx, state, done);
  if (file === undefined) return;
  const { text, regions } = file;
  await ctx.sink.writeFile(path, text);
  ctx.report.itemsWritten++;
  ctx.report.regionsWritten += regions;
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 && name.length - dot <= 8 ? name.slice(dot) : '';
}

async function sizeFromFile(
  ctx: YoloContext,
  image: { localPath?: string; copied: boolean },
  url: string,
  taskId: unknown,
  taskIndex: number,
): Promise<ImageSize | undefined> {
  if (!image.localPath) return undefined;
  const info = await ctx.resources.imageInfo(url, { taskId, taskIndex });
  return info ? { width: info.width, height: info.height } : undefined;
}
