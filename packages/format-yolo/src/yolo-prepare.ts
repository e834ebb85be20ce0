import { type ConversionReport, type PrepareContext, type Task, taskItems, taskSplit } from '@lsconv/core';
import { annotationMode, itemRegionsWithIds, missingImageSkip, num, taskImageUrl } from '@lsconv/format-kit';
import { defaultItemLines } from './yolo-default.js';
import type { ImageSize } from './yolo-geometry.js';
import { pythonItemLines } from './yolo-python.js';
import {
  cachedClasses,
  imageSize,
  LineBuilder,
  type LineContext,
  type Variant,
  type YoloItem,
  type YoloTaskLines,
} from './yolo-shared.js';

/**
 * What `prepare` hands `export` for one task (null: nothing to write): plain data, so
 * it crosses threads. Exactly one of `lines` and `items` is set.
 */
export type PreparedYolo = null | {
  taskId: unknown;
  taskIndex: number;
  /** The image reference (the last string of a list). */
  url: string;
  /** Whether a region carries the image size (`original_width/height`). */
  hasSize: boolean;
  /** The task's split, with --split. */
  split?: string;
  /** The label lines. */
  lines?: YoloTaskLines;
  /** The items, when the lines need the image file's size (rotated boxes without original_width/height). */
  items?: YoloItem[];
};

/** The per-task step of the YOLO formats (may run on a worker thread). */
export function prepareYolo(task: Task, pctx: PrepareContext, variant: Variant): PreparedYolo {
  const python = pctx.compat === 'python';
  const classes = cachedClasses(pctx.config, python);
  const items = taskItems(task, {
    config: pctx.config,
    report: pctx.report,
    taskIndex: pctx.taskIndex,
    withRegionIds: classes.keypoints,
    annotations: annotationMode(pctx),
  });
  if (items.length === 0) return null;
  const url = taskImageUrl(task, classes.dataKey);
  if (url === undefined) {
    pctx.report.skip(missingImageSkip(task, pctx.taskIndex, classes.dataKey));
    return null;
  }
  const hasSize = imageSize(items) !== undefined;
  const split = pctx.dataset?.split ? taskSplit(task) : undefined;
  const base = {
    taskId: task.id,
    taskIndex: pctx.taskIndex,
    url,
    hasSize,
    ...(split === undefined ? {} : { split }),
  };
  if (!python && !hasSize && needsImageSize(items, variant)) {
    const slim = items.map(({ id, taskIndex, output, results }) => ({ id, taskIndex, output, results }));
    return { ...base, items: slim };
  }
  const lc = { format: pctx.format, python, variant, classes };
  return { ...base, lines: taskLines(items, lc, undefined, pctx.report) };
}

/** Whether a region's numbers depend on the image size when no region carries it. */
function needsImageSize(items: readonly YoloItem[], variant: Variant): boolean {
  for (const item of items) {
    for (const { value } of itemRegionsWithIds(item)) {
      if (variant.obb || (num(value.rotation) ?? 0) % 360 !== 0) return true;
    }
  }
  return false;
}

/** The lines of a task; skipped regions go to `skips` (prepare's report, or export's when the size came from the file). */
export function taskLines(
  items: readonly YoloItem[],
  lc: LineContext,
  size: ImageSize | undefined,
  skips: ConversionReport,
): YoloTaskLines {
  const result: YoloTaskLines = { items: [], clips: 0 };
  const clip = (taskId: unknown, regionId: string | undefined) => {
    if (result.clips++ === 0) {
      result.clipTaskId = taskId;
      result.clipRegionId = regionId;
    }
  };
  if (lc.python) {
    for (const item of items) result.items.push(pythonItemLines(lc, skips, item));
  } else {
    const builder = new LineBuilder(lc.classes.byName);
    for (const item of items) defaultItemLines({ lc, skips, clip, item }, builder, size);
    result.items.push(builder.out);
  }
  return result;
}
