import type { ConversionReport, OutputValue } from '@lsconv/core';
import { positiveNum, regionLabels } from '@lsconv/format-kit';
import { polygonPixels, rectanglePixels } from './coco-geometry.js';
import {
  type CocoAnnotation,
  type CocoRegion,
  type CocoState,
  cocoKeypoints,
  countVisible,
  type ImageSize,
  keypointProblem,
  keypointsBbox,
} from './coco-shared.js';

/**
 * The default mode's annotations of one task, computed before any file is read (in
 * prepare, or in export when the image size must come from the file).
 */

/**
 * One task's annotations in default mode, as JSON text after `category_id`, with the
 * category ids known from the config: running ids, labels outside the config and the
 * `default` keypoint category are numbered in `export`, in input order.
 */
export interface CocoTaskBody {
  /** Category id per annotation (placeholders where `unknown` or `orphans` name it). */
  categoryIds: number[];
  /** Per annotation, the JSON text after `category_id`: `,"segmentation":…}`. */
  tails: string[];
  /** `[label, annotation index]` pairs for labels outside the config, in the order met (-1: no annotation came of it). */
  unknown: (string | number)[];
  /** Index of the annotation holding keypoints without a parent rectangle (category `default`), or -1. */
  orphans: number;
  /** Regions written as keypoints merged into annotations, beyond one per annotation. */
  keypointRegions: number;
  clips: number;
  clipTaskId?: unknown;
  clipRegionId?: string | undefined;
}

/** What {@link taskBody} reads. Skipped regions go to `skips` (prepare's report, or export's when the size came from the file). */
export interface TaskBodyInput {
  taskId: unknown;
  taskIndex: number;
  regions: readonly CocoRegion[];
  /** The image size, when known; a region's own `original_width/height` comes first. */
  size: ImageSize | undefined;
  statics: Pick<CocoState, 'byName' | 'kpOrder'>;
  skips: ConversionReport;
}

type AnnotationFields = Omit<CocoAnnotation, 'id' | 'image_id' | 'category_id'>;
type PendingAnnotation = {
  annotation: Omit<CocoAnnotation, 'id' | 'image_id'>;
  regionId: string | undefined;
};
type KeypointRegion = { value: OutputValue; regionId: string | undefined };

/** A task's body as its regions are read: the body, the shapes so far, the keypoints kept for the end. */
interface BodyParts {
  body: CocoTaskBody;
  pending: PendingAnnotation[];
  keypoints: KeypointRegion[];
}

const RECT_TYPES = new Set(['RectangleLabels', 'Rectangle', 'Labels']);
const POLY_TYPES = new Set(['PolygonLabels', 'Polygon']);
const KP_TYPES = new Set(['KeyPointLabels', 'KeyPoint']);
const LABEL_KEYS = ['rectanglelabels', 'polygonlabels', 'keypointlabels', 'labels'];
const KEYPOINT_LABEL_KEYS = ['keypointlabels', 'labels'];

/**
 * One task in default mode: every region of the selected annotation(s), categories known
 * from `byName` only.
 */
export function taskBody(input: TaskBodyInput): CocoTaskBody {
  const parts: BodyParts = {
    body: { categoryIds: [], tails: [], unknown: [], orphans: -1, keypointRegions: 0, clips: 0 },
    pending: [],
    keypoints: [],
  };
  for (const region of input.regions) addRegion(input, parts, region);
  const { body, pending } = parts;
  const { orphans, placed } = attachKeypoints(input, pending, parts.keypoints);
  // Each placed point counts as a region; the `default` annotation holding orphans is not one more.
  body.keypointRegions = placed - (orphans ? 1 : 0);
  for (const { annotation } of pending) {
    const { category_id, ...fields } = annotation;
    body.categoryIds.push(category_id);
    body.tails.push(jsonTail(fields));
  }
  if (orphans) {
    body.orphans = body.tails.length;
    body.categoryIds.push(0);
    body.tails.push(jsonTail(orphans));
  }
  return body;
}

function skipRegion(input: TaskBodyInput, regionId: string | undefined, code: string, reason: string): void {
  input.skips.skip({
    taskIndex: input.taskIndex,
    taskId: input.taskId,
    regionId,
    kind: 'region',
    code,
    reason,
  });
}

/** One region: a rectangle or polygon becomes a pending annotation, a keypoint waits for its parent. */
function addRegion(input: TaskBodyInput, parts: BodyParts, { value, regionId }: CocoRegion): void {
  const type = value.type;
  const isRect = RECT_TYPES.has(type) && 'x' in value && 'width' in value;
  const isPoly = POLY_TYPES.has(type) || (type === 'Labels' && Array.isArray(value.points));
  const isKp = KP_TYPES.has(type) || (type === 'Labels' && 'x' in value && !('width' in value));
  if (!isRect && !isPoly && !isKp) {
    skipRegion(
      input,
      regionId,
      'unsupported-region',
      `COCO cannot carry ${type} results (only rectangles, polygons and keypoints)`,
    );
    return;
  }
  if (isKp) {
    parts.keypoints.push({ value, regionId });
    return;
  }
  const name = regionLabels(value, LABEL_KEYS)[0];
  if (name === undefined) {
    skipRegion(input, regionId, 'no-label', 'region has no label, so it has no category');
    return;
  }
  // A size of 0 or below is no size: the image's own, when read, is used instead.
  const W = positiveNum(value.original_width) ?? input.size?.width;
  const H = positiveNum(value.original_height) ?? input.size?.height;
  if (W === undefined || H === undefined) {
    skipRegion(
      input,
      regionId,
      'missing-image-size',
      'image size unknown, so percent coordinates cannot become pixels',
    );
    return;
  }
  const { body, pending } = parts;
  // The category is numbered before the coordinates are checked, as the single-threaded export always did.
  let categoryId = input.statics.byName.get(name);
  if (categoryId === undefined) body.unknown.push(name, -1);
  const unknownAt = categoryId === undefined ? body.unknown.length - 1 : -1;
  const shape = isRect ? rectanglePixels(value, W, H) : polygonPixels(value, W, H);
  if (!shape) {
    skipRegion(
      input,
      regionId,
      'missing-coordinates',
      isRect ? 'rectangle has no numeric x, y, width and height' : 'polygon has fewer than 3 numeric points',
    );
    return;
  }
  if (shape.clipped && body.clips++ === 0) {
    body.clipTaskId = input.taskId;
    body.clipRegionId = regionId;
  }
  if (unknownAt >= 0) {
    body.unknown[unknownAt] = pending.length;
    categoryId = 0;
  }
  pending.push({
    regionId,
    annotation: {
      category_id: categoryId!,
      segmentation: shape.segmentation,
      bbox: shape.bbox,
      ignore: 0,
      iscrowd: 0,
      area: shape.area,
    },
  });
}

/**
 * Links keypoints to their parent rectangle (`parentID`); returns the fields of the one
 * annotation the rest become (category `default`), if any, and how many points were placed.
 */
function attachKeypoints(
  input: TaskBodyInput,
  pending: PendingAnnotation[],
  keypoints: readonly KeypointRegion[],
): { orphans: AnnotationFields | undefined; placed: number } {
  if (keypoints.length === 0) return { orphans: undefined, placed: 0 };
  const { kpOrder } = input.statics;
  const byParent = new Map<string, OutputValue[]>();
  const orphans: OutputValue[] = [];
  const parents = new Set(pending.map((p) => p.regionId).filter((id): id is string => id !== undefined));
  let placed = 0;
  for (const { value, regionId } of keypoints) {
    if (regionLabels(value, KEYPOINT_LABEL_KEYS).length === 0) {
      skipRegion(input, regionId, 'no-label', 'keypoint has no label');
      continue;
    }
    const parent = typeof value.parentID === 'string' ? value.parentID : undefined;
    // Points are merged into their parent's (or the `default`) annotation: count each placed one as a region.
    const problem = keypointProblem(keypointValue(value), kpOrder, input.size);
    if (problem === undefined) placed++;
    else skipRegion(input, regionId, 'unplaced-keypoint', problem);
    if (parent && parents.has(parent)) {
      const list = byParent.get(parent) ?? [];
      list.push(keypointValue(value));
      byParent.set(parent, list);
    } else orphans.push(keypointValue(value));
  }
  for (const p of pending) {
    const children = p.regionId === undefined ? undefined : byParent.get(p.regionId);
    if (!children) continue;
    const kps = cocoKeypoints(children, kpOrder, input.size);
    p.annotation.keypoints = kps;
    p.annotation.num_keypoints = countVisible(kps);
  }
  if (orphans.length === 0) return { orphans: undefined, placed };
  const kps = cocoKeypoints(orphans, kpOrder, input.size);
  return {
    orphans: { keypoints: kps, num_keypoints: countVisible(kps), bbox: keypointsBbox(kps), iscrowd: 0 },
    placed,
  };
}

function keypointValue(value: OutputValue): OutputValue {
  if (Array.isArray(value.keypointlabels) || !Array.isArray(value.labels)) return value;
  return { ...value, keypointlabels: value.labels };
}

/** The JSON of an annotation after its `category_id`, starting with a comma. */
function jsonTail(fields: AnnotationFields): string {
  return `,${JSON.stringify(fields).slice(1)}`;
}
