import type { ConversionReport } from '@lsconv/core';
import { itemRegionsWithIds, labelText } from '@lsconv/format-kit';
import { obbCorners, pythonYoloBox } from './yolo-geometry.js';
import {
  finishPose,
  joinLines,
  LineBuilder,
  type LineContext,
  type LostKeypoint,
  lineTail,
  type PoseRect,
  placeKeypoint,
  resolveClasses,
  type YoloContext,
  type YoloItem,
  type YoloItemLines,
  type YoloState,
  type YoloTaskLines,
} from './yolo-shared.js';

/** The YOLO formats' compat python path: the reference's label lines, and its label file. */

/** The reference's lines for one item; null when it writes an empty file only if none exists. */
export function pythonItemLines(
  lc: LineContext,
  skips: ConversionReport,
  item: YoloItem,
): YoloItemLines | null {
  if (Object.keys(item.output).length === 0) return null;
  const regions = itemRegionsWithIds(item);
  if (regions.length === 0) return null;
  const loc = { taskIndex: item.taskIndex, taskId: item.id };
  if (lc.classes.keypoints) return { ...pythonPoseLines(lc, skips, item, regions), unknown: [] };
  const builder = new LineBuilder(lc.classes.byName);
  for (const { value, regionId } of regions) {
    const names: string[] = [];
    for (const key of ['rectanglelabels', 'polygonlabels', 'labels']) {
      const list = value[key];
      if (key in value && Array.isArray(list) && list.length > 0) names.push(...list.map(labelText));
    }
    if (names.length === 0) {
      skips.skip({
        ...loc,
        regionId,
        kind: 'region',
        code: 'unsupported-region',
        reason: `${lc.format} holds labelled rectangles and polygons only, not ${value.type} results`,
      });
      continue;
    }
    for (const name of names) {
      // The reference numbers the label before it checks the coordinates.
      const cls = builder.meet(name);
      if ('rectanglelabels' in value || 'rectangle' in value || 'labels' in value) {
        if (lc.variant.obb) {
          const ok = ['original_width', 'original_height', 'x', 'y', 'width', 'height', 'rotation'].every(
            (k) => k in value,
          );
          if (!ok) {
            skips.skip({
              ...loc,
              regionId,
              kind: 'region',
              code: 'missing-rotation',
              reason: 'the Python converter leaves out OBB rectangles without rotation or image size',
            });
            continue;
          }
          const corners = obbCorners(
            value as never,
            { width: value.original_width as number, height: value.original_height as number },
            true,
          );
          builder.line(cls, lineTail(corners.flat()));
        } else {
          const box = pythonYoloBox(value);
          if (!box) {
            skips.skip({
              ...loc,
              regionId,
              kind: 'region',
              code: 'missing-coordinates',
              reason: 'rectangle has no numeric x, y, width and height',
            });
            continue;
          }
          builder.line(cls, lineTail(box));
        }
      } else {
        // The Python converter fails on a point that is not an [x, y] pair; lsconv reports it.
        if (!Array.isArray(value.points) || !value.points.every((p) => Array.isArray(p) && p.length >= 2)) {
          skips.skip({
            ...loc,
            regionId,
            kind: 'region',
            code: 'missing-coordinates',
            reason: 'polygon has no points, or a point that is not an [x, y] pair',
          });
          continue;
        }
        const flat = (value.points as [number, number][]).flatMap(([x, y]) => [x / 100, y / 100]);
        builder.line(cls, lineTail(flat));
      }
    }
  }
  return builder.out;
}

/** The reference's pose lines: each rectangle with the keypoints whose parentID points at it. */
function pythonPoseLines(
  lc: LineContext,
  skips: ConversionReport,
  item: YoloItem,
  regions: ReturnType<typeof itemRegionsWithIds>,
): { lines: string[]; keypoints: number } {
  const loc = { taskIndex: item.taskIndex, taskId: item.id };
  const lost: LostKeypoint = (regionId, code, reason) =>
    skips.skip({ ...loc, regionId, kind: 'region', code, reason });
  const rects = new Map<unknown, PoseRect>();
  for (const { value, regionId } of regions) {
    if (value.type.toLowerCase() !== 'rectanglelabels') continue;
    const labels = Array.isArray(value.rectanglelabels) ? value.rectanglelabels : [];
    const cls = labels.length ? lc.classes.byName.get(labelText(labels[0])) : undefined;
    if (cls === undefined) {
      skips.skip({
        ...loc,
        regionId,
        kind: 'region',
        code: labels.length ? 'unknown-label' : 'no-label',
        reason: 'rectangle has no label of the RectangleLabels classes',
      });
      continue;
    }
    const x = (value.x as number) / 100;
    const y = (value.y as number) / 100;
    const w = (value.width as number) / 100;
    const h = (value.height as number) / 100;
    // The reference keys rectangles by id: a later one with the same id replaces the earlier.
    const replaced = rects.get(value.id);
    if (replaced)
      skips.skip({
        ...loc,
        regionId: replaced.regionId,
        kind: 'region',
        code: 'duplicate-region-id',
        reason: 'a later rectangle has the same id, and the Python converter keeps only the last one',
      });
    rects.set(value.id, { cls, box: [x + w / 2, y + h / 2, w, h], kp: new Map(), regionId });
  }
  for (const { value, regionId } of regions) {
    const type = value.type.toLowerCase();
    if (type === 'rectanglelabels') continue;
    if (type !== 'keypointlabels') {
      skips.skip({
        ...loc,
        regionId,
        kind: 'region',
        code: 'unsupported-region',
        reason: `a pose export holds rectangles with keypoints only, not ${value.type} results`,
      });
      continue;
    }
    const parent = rects.get(value.parentID);
    const labels = Array.isArray(value.keypointlabels) ? value.keypointlabels : [];
    if (!parent || value.parentID === undefined || labels.length === 0) {
      skips.skip({
        ...loc,
        regionId,
        kind: 'region',
        code: parent ? 'no-label' : 'keypoint-without-parent',
        reason: parent
          ? 'keypoint has no label'
          : 'keypoint has no parent rectangle (parentID), so no pose line can hold it',
      });
      continue;
    }
    const point: [number, number, number] = [(value.x as number) / 100, (value.y as number) / 100, 2];
    placeKeypoint(parent, labelText(labels[0]), point, regionId, lost);
  }
  return finishPose(rects.values(), lc.classes.kpOrder, lost);
}

/**
 * The compat python label file of a task: every item rewrites it, so the last item (the
 * oldest annotation) wins; undefined when nothing is written (no item writes it, or an
 * earlier task with the same image name did).
 */
export function pythonLabelFile(
  ctx: YoloContext,
  state: YoloState,
  loc: { taskIndex: number; taskId: unknown },
  path: string,
  done: YoloTaskLines,
): { text: string; regions: number } | undefined {
  let text: string | undefined;
  let regions = 0;
  for (const item of done.items) {
    if (item === null) {
      if (text === undefined && !ctx.sink.has(path)) text = '';
      continue;
    }
    for (let i = 0; i < regions; i++) {
      ctx.report.skip({
        ...loc,
        kind: 'region',
        code: 'overwritten-annotation',
        reason:
          'with --compat python every annotation of a task writes the same label file, so the oldest annotation replaces the lines of the newer ones (as the Python converter does)',
      });
    }
    const itemLines = resolveClasses(ctx, state, item);
    text = state.keypoints ? itemLines.join('\n') : joinLines(itemLines);
    regions = itemLines.length + (item.keypoints ?? 0);
  }
  if (text === undefined) return undefined;
  if (ctx.sink.has(path)) {
    if (text !== '') {
      ctx.report.skip({
        ...loc,
        kind: 'task',
        code: 'duplicate-file-name',
        reason: `${path} was already written for another task with the same image name (the Python converter overwrites it)`,
      });
    }
    return undefined;
  }
  return { text, regions };
}
