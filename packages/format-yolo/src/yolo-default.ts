import type { ConversionReport, OutputValue } from '@lsconv/core';
import { itemRegionsWithIds, labelText, num, type Point } from '@lsconv/format-kit';
import { clipPoints, type ImageSize, obbCorners, toYoloBox, type YoloBox } from './yolo-geometry.js';
import {
  finishPose,
  joinLines,
  type LineBuilder,
  type LineContext,
  lineTail,
  numericRect,
  type PoseRect,
  placeKeypoint,
  regionImageSize,
  resolveClasses,
  unwritableName,
  type YoloContext,
  type YoloItem,
  type YoloState,
  type YoloTaskLines,
} from './yolo-shared.js';

/** The YOLO formats' default path: rotation applied, coordinates clipped, nothing dropped silently. */

const RECT_TYPES = new Set(['RectangleLabels', 'Rectangle', 'Labels']);
const POLY_TYPES = new Set(['PolygonLabels', 'Polygon']);
const LABEL_KEYS = ['rectanglelabels', 'polygonlabels', 'labels'];

/** Records a clipped region (the report names the first). */
export type Clip = (taskId: unknown, regionId: string | undefined) => void;

/** What the default lines of one item read, and where its skips and clipped regions go. */
export interface ItemScope {
  lc: LineContext;
  /** Prepare's report, or export's when the size came from the file. */
  skips: ConversionReport;
  clip: Clip;
  item: YoloItem;
}

type Regions = ReturnType<typeof itemRegionsWithIds>;

function skipRegion(scope: ItemScope, regionId: string | undefined, code: string, reason: string): void {
  const { item } = scope;
  scope.skips.skip({ taskIndex: item.taskIndex, taskId: item.id, regionId, kind: 'region', code, reason });
}

/** Lines for one item in default mode: rotation applied, coordinates clipped, nothing dropped silently. */
export function defaultItemLines(scope: ItemScope, builder: LineBuilder, size: ImageSize | undefined): void {
  const { lc, item } = scope;
  const regions = itemRegionsWithIds(item);
  if (lc.classes.keypoints) {
    const pose = defaultPoseLines(scope, regions, size);
    builder.out.lines.push(...pose.lines);
    builder.out.keypoints = (builder.out.keypoints ?? 0) + pose.keypoints;
    return;
  }
  for (const { value, regionId } of regions) {
    const isRect = RECT_TYPES.has(value.type) && 'x' in value && 'width' in value;
    const isPoly = POLY_TYPES.has(value.type) || (value.type === 'Labels' && Array.isArray(value.points));
    if (!isRect && !isPoly) {
      skipRegion(
        scope,
        regionId,
        'unsupported-region',
        `${lc.format} holds rectangles and polygons only; ${value.type} results are left out`,
      );
      continue;
    }
    const names: string[] = [];
    for (const key of LABEL_KEYS) {
      const list = value[key];
      if (Array.isArray(list)) names.push(...list.map(labelText));
    }
    if (names.length === 0) {
      skipRegion(scope, regionId, 'no-label', 'region has no label, so it has no class');
      continue;
    }
    const unwritable = unwritableName(names, lc.classes.byName);
    if (unwritable !== undefined) {
      skipRegion(scope, regionId, 'label-not-writable', unwritable);
      continue;
    }
    const numbers = isRect
      ? rectangleNumbers(scope, value, regionId, regionImageSize(value) ?? size)
      : polygonNumbers(scope, value, regionId);
    if (numbers === undefined) continue;
    const tail = lineTail(numbers);
    for (const name of names) builder.line(builder.meet(name), tail);
  }
}

/** A rectangle's numbers: its box, or with OBB its four corners, clipped to the image. */
function rectangleNumbers(
  scope: ItemScope,
  value: OutputValue,
  regionId: string | undefined,
  regionSize: ImageSize | undefined,
): number[] | undefined {
  const rect = numericRect(value);
  if (!rect) {
    skipRegion(scope, regionId, 'missing-coordinates', 'rectangle has no numeric x, y, width and height');
    return undefined;
  }
  if (!scope.lc.variant.obb) {
    const box = clippedBox(scope, rect, regionId, regionSize);
    return box && [...box];
  }
  let corners: Point[];
  if (regionSize) corners = obbCorners(rect, regionSize);
  else if ((rect.rotation ?? 0) % 360 === 0) {
    const { x, y, width: w, height: h } = rect;
    corners = [
      [x / 100, y / 100],
      [(x + w) / 100, y / 100],
      [(x + w) / 100, (y + h) / 100],
      [x / 100, (y + h) / 100],
    ];
  } else {
    skipRegion(
      scope,
      regionId,
      'missing-image-size',
      'a rotated rectangle needs the image size (original_width/height) to get its corners',
    );
    return undefined;
  }
  const c = clipPoints(corners);
  if (c.clipped) scope.clip(scope.item.id, regionId);
  return c.points.flat();
}

/** A rectangle's YOLO box, rotation applied and clipped (a clipped region is recorded); undefined, and reported, when a rotated box has no image size. */
function clippedBox(
  scope: ItemScope,
  rect: NonNullable<ReturnType<typeof numericRect>>,
  regionId: string | undefined,
  size: ImageSize | undefined,
): YoloBox | undefined {
  const b = toYoloBox(rect, size);
  if (!b) {
    skipRegion(
      scope,
      regionId,
      'missing-image-size',
      'a rotated rectangle needs the image size (original_width/height) to get its box',
    );
    return undefined;
  }
  if (b.clipped) scope.clip(scope.item.id, regionId);
  return b.box;
}

/** A polygon's points, normalised and clipped to the image. */
function polygonNumbers(
  scope: ItemScope,
  value: OutputValue,
  regionId: string | undefined,
): number[] | undefined {
  const points = Array.isArray(value.points) ? value.points : [];
  const pts: Point[] = [];
  for (const p of points)
    if (Array.isArray(p) && num(p[0]) !== undefined && num(p[1]) !== undefined)
      pts.push([(p[0] as number) / 100, (p[1] as number) / 100]);
  if (pts.length < 3 || pts.length !== points.length) {
    skipRegion(scope, regionId, 'missing-coordinates', 'polygon needs at least 3 numeric points');
    return undefined;
  }
  const c = clipPoints(pts);
  if (c.clipped) scope.clip(scope.item.id, regionId);
  return c.points.flat();
}

/** Pose lines in default mode: rotation applied to the box, keypoints clipped, orphans reported. */
function defaultPoseLines(
  scope: ItemScope,
  regions: Regions,
  size: ImageSize | undefined,
): { lines: string[]; keypoints: number } {
  const { lc } = scope;
  const { rects, lines } = poseRectangles(scope, regions, size);
  for (const { value, regionId } of regions) {
    if (value.type === 'RectangleLabels') continue;
    if (value.type !== 'KeyPointLabels') {
      skipRegion(
        scope,
        regionId,
        'unsupported-region',
        `a pose export holds rectangles with keypoints only; ${value.type} results are left out`,
      );
      continue;
    }
    const parent = value.parentID === undefined ? undefined : rects.get(value.parentID);
    const labels = Array.isArray(value.keypointlabels) ? value.keypointlabels.map(labelText) : [];
    const x = num(value.x);
    const y = num(value.y);
    if (!parent) {
      skipRegion(
        scope,
        regionId,
        'keypoint-without-parent',
        'keypoint has no parent rectangle (parentID), so no pose line can hold it',
      );
      continue;
    }
    if (
      labels.length === 0 ||
      !lc.classes.kpOrder.includes(labels[0]!) ||
      x === undefined ||
      y === undefined
    ) {
      skipRegion(scope, regionId, 'no-label', 'keypoint has no known label or no numeric x and y');
      continue;
    }
    const c = clipPoints([[x / 100, y / 100]]);
    if (c.clipped) scope.clip(scope.item.id, regionId);
    const [px, py] = c.points[0]!;
    placeKeypoint(parent, labels[0]!, [px, py, 2], regionId, (id, code, reason) =>
      skipRegion(scope, id, code, reason),
    );
  }
  return finishPose(lines, lc.classes.kpOrder, (id, code, reason) => skipRegion(scope, id, code, reason));
}

/** The pose lines' rectangles (every one, in order) and by region id: box with rotation applied, class from RectangleLabels. */
function poseRectangles(
  scope: ItemScope,
  regions: Regions,
  size: ImageSize | undefined,
): { rects: Map<unknown, PoseRect>; lines: PoseRect[] } {
  const rects = new Map<unknown, PoseRect>();
  const lines: PoseRect[] = [];
  for (const { value, regionId } of regions) {
    if (value.type !== 'RectangleLabels') continue;
    const labels = Array.isArray(value.rectanglelabels) ? value.rectanglelabels : [];
    const cls = labels.length ? scope.lc.classes.byName.get(labelText(labels[0])) : undefined;
    const rect = numericRect(value);
    if (cls === undefined || !rect) {
      skipRegion(
        scope,
        regionId,
        rect ? 'no-label' : 'missing-coordinates',
        rect
          ? 'rectangle has no label of the RectangleLabels classes'
          : 'rectangle has no numeric x, y, width and height',
      );
      continue;
    }
    const box = clippedBox(scope, rect, regionId, regionImageSize(value) ?? size);
    if (!box) continue;
    const pose: PoseRect = { cls, box, kp: new Map(), regionId };
    lines.push(pose);
    // Keypoints name their rectangle by id: the first rectangle of an id holds them.
    if (!rects.has(value.id)) rects.set(value.id, pose);
  }
  return { rects, lines };
}

/** The default label file of a task: the lines of its one entry, classes outside the config numbered. */
export function defaultLabelFile(
  ctx: YoloContext,
  state: YoloState,
  done: YoloTaskLines,
): { text: string; regions: number } {
  const itemLines = done.items[0] ? resolveClasses(ctx, state, done.items[0]) : [];
  return { text: joinLines(itemLines), regions: itemLines.length + (done.items[0]?.keypoints ?? 0) };
}
