import { type Item, type PrepareContext, type Task, taskItems, taskSplit } from '@lsconv/core';
import {
  annotationMode,
  imageDataKey,
  itemRegionsWithIds,
  missingImageSkip,
  sizeFromRegions,
  taskImageUrl,
} from '@lsconv/format-kit';
import { type CocoTaskBody, taskBody } from './coco-body.js';
import { type CocoRegion, cachedCategories } from './coco-shared.js';

/** What the compat python path reads of an item (`input` holds the image field only). */
export type PythonCocoItem = Pick<Item, 'id' | 'taskIndex' | 'input' | 'output' | 'results' | 'completed_by'>;

/**
 * What `prepare` hands `export` for one task (null: nothing to write): plain data, so
 * it crosses threads. Exactly one of `body`, `regions` and `items` is set.
 */
export type PreparedCoco = null | {
  taskId: unknown;
  taskIndex: number;
  /** The image reference. */
  url: string | undefined;
  /** The task's split, with --split. */
  split?: string;
  /** Default mode, image size in the results: the image entry's size and the annotations. */
  body?: CocoTaskBody & { width: number; height: number };
  /** Default mode, no image size in the results: the regions, converted once the file is read. */
  regions?: CocoRegion[];
  /** Compat python: the items, converted in `export` (the reference looks at the image once per item). */
  items?: PythonCocoItem[];
};

/** The per-task step of COCO (may run on a worker thread). */
export function prepareCoco(task: Task, pctx: PrepareContext): PreparedCoco {
  const python = pctx.compat === 'python';
  const items = taskItems(task, {
    config: pctx.config,
    report: pctx.report,
    taskIndex: pctx.taskIndex,
    withRegionIds: !python,
    annotations: annotationMode(pctx),
  });
  if (items.length === 0) return null;
  const split = pctx.dataset?.split ? taskSplit(task) : undefined;
  const base = { taskId: task.id, taskIndex: pctx.taskIndex, ...(split === undefined ? {} : { split }) };
  if (python) {
    const dataKey = imageDataKey(pctx.config);
    return {
      ...base,
      url: taskImageUrl(task, dataKey, false),
      items: items.map((item) => ({
        id: item.id,
        taskIndex: item.taskIndex,
        input: dataKey === undefined ? {} : { [dataKey]: item.input[dataKey] },
        output: item.output,
        results: item.results,
        completed_by: item.completed_by,
      })),
    };
  }
  const statics = cachedCategories(pctx.config);
  const url = taskImageUrl(task, statics.dataKey);
  if (url === undefined) {
    pctx.report.skip(missingImageSkip(task, pctx.taskIndex, statics.dataKey));
    return null;
  }
  const regions = items.flatMap((item) => itemRegionsWithIds(item));
  const size = sizeFromRegions(regions.map((r) => r.value));
  if (!size) return { ...base, url, regions };
  const body = taskBody({
    taskId: task.id,
    taskIndex: pctx.taskIndex,
    regions,
    size,
    statics,
    skips: pctx.report,
  });
  return { ...base, url, body: { ...body, ...size } };
}
