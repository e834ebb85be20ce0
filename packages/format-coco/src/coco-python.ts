import { LsconvError, type OutputValue } from '@lsconv/core';
import {
  annotatorOf,
  ClipCounter,
  envelope,
  imageDataKey,
  itemRegionsWithIds,
  keypointOrder,
  locateImage,
  percentRotatedEnvelope,
  polygonArea,
  pyJsonNumber,
  pyJsonNumbers,
  regionLabels,
} from '@lsconv/format-kit';
import type { PreparedCoco, PythonCocoItem } from './coco-prepare.js';
import {
  type CocoAnnotation,
  type CocoContext,
  type CocoRegion,
  type CocoRun,
  type CocoState,
  categoryFor,
  cocoKeypoints,
  countVisible,
  keypointProblem,
  keypointsBbox,
  pythonCocoCategories,
} from './coco-shared.js';

/** COCO's compat python path: each item as the Python converter's `convert_to_coco` loop body. */

/** The compat python state: the reference's categories, in list order when written. */
export function pythonState(ctx: CocoContext): CocoState {
  const { categories, byName } = pythonCocoCategories(ctx);
  return {
    categories,
    byName,
    dataKey: imageDataKey(ctx.config),
    clips: new ClipCounter(),
    kpOrder: keypointOrder(ctx.config),
  };
}

/** One prepared task in compat python mode: its items, one image entry each. */
export async function pythonTask(run: CocoRun, prepared: NonNullable<PreparedCoco>): Promise<void> {
  for (const item of prepared.items ?? []) await pythonItem(run, item);
}

/** An item's image entry as the reference builds it: the size is known once the file or a region gives it. */
interface PythonImage {
  imageId: number;
  fileName: string;
  width: number | null;
  height: number | null;
  /** Set when a region just gave the size: the image entry is written then (once per region that does). */
  sizeFromRegion: boolean;
}

const PY_LABEL_KEYS = ['rectanglelabels', 'polygonlabels', 'keypointlabels', 'labels'] as const;

/** One item, exactly as the Python converter's `convert_to_coco` loop body. */
async function pythonItem(run: CocoRun, item: PythonCocoItem): Promise<void> {
  const image = await itemImage(run, item);
  if (!image) return;
  if (Object.keys(item.output).length === 0) {
    if (!image.width) await pushImage(run, image);
    return;
  }
  const keypointRegions: OutputValue[] = [];
  for (const region of itemRegionsWithIds(item)) {
    const written = pythonRegion(run, item, image, region, keypointRegions);
    if (image.sizeFromRegion) {
      image.sizeFromRegion = false;
      await pushImage(run, image);
    }
    if (written) await run.annotations.push(written);
  }
  if (keypointRegions.length) await pythonKeypoints(run, item, image.imageId, keypointRegions);
}

/** The item's image: found (or copied), its entry written when the file gives its size. */
async function itemImage(run: CocoRun, item: PythonCocoItem): Promise<PythonImage | undefined> {
  const { ctx, state, images } = run;
  const raw = state.dataKey === undefined ? undefined : item.input[state.dataKey];
  if (typeof raw !== 'string') {
    ctx.report.skip({
      taskIndex: item.taskIndex,
      taskId: item.id,
      kind: 'task',
      code: 'missing-image',
      reason: `task data has no image reference in "${state.dataKey}"`,
      field: `data.${state.dataKey}`,
    });
    return undefined;
  }
  const located = await locateImage(ctx, raw, {
    imageDir: run.imageDir,
    copy: run.withImages,
    taskId: item.id,
    taskIndex: item.taskIndex,
    field: `data.${state.dataKey}`,
  });
  const image: PythonImage = {
    imageId: images.count,
    fileName: located.fileName,
    width: null,
    height: null,
    sizeFromRegion: false,
  };
  if (located.localPath || located.copied) {
    const info = await ctx.resources.imageInfo(raw, { taskId: item.id, taskIndex: item.taskIndex });
    if (info) {
      image.width = info.width;
      image.height = info.height;
      await pushImage(run, image);
    }
  }
  return image;
}

async function pushImage(run: CocoRun, image: PythonImage): Promise<void> {
  const { width, height, imageId, fileName } = image;
  await run.images.push({ width, height, id: imageId, file_name: fileName });
}

function skipRegion(
  ctx: CocoContext,
  item: PythonCocoItem,
  regionId: string | undefined,
  code: string,
  reason: string,
): void {
  ctx.report.skip({ taskIndex: item.taskIndex, taskId: item.id, regionId, kind: 'region', code, reason });
}

/**
 * One region: returns its rectangle or polygon annotation, or keeps a keypoint region in
 * `keypointRegions` for the item's keypoint annotation. A region that gives the image its
 * size sets `image.sizeFromRegion`.
 */
function pythonRegion(
  run: CocoRun,
  item: PythonCocoItem,
  image: PythonImage,
  { value: label, regionId }: CocoRegion,
  keypointRegions: OutputValue[],
): Record<string, unknown> | undefined {
  const { ctx, state, annotations } = run;
  const categoryName = regionLabels(label, PY_LABEL_KEYS)[0];
  if (categoryName === undefined) {
    skipRegion(
      ctx,
      item,
      regionId,
      'unsupported-region',
      `${label.type} results have no rectangle, polygon or keypoint label; COCO cannot carry them`,
    );
    return undefined;
  }
  if (!image.height || !image.width) {
    const ow = label.original_width;
    const oh = label.original_height;
    if (ow === undefined || oh === undefined) {
      skipRegion(
        ctx,
        item,
        regionId,
        'missing-image-size',
        'region has no original_width/original_height and the image size is unknown',
      );
      return undefined;
    }
    image.width = ow as number;
    image.height = oh as number;
    image.sizeFromRegion = true;
  }
  const categoryId = categoryFor(state, categoryName, ctx);
  const isRect = 'rectanglelabels' in label || 'labels' in label;
  if (!isRect && !('polygonlabels' in label)) {
    keypointRegions.push(label);
    return undefined;
  }
  const written = isRect
    ? pythonRectangle(label, image, annotations.count, categoryId)
    : pythonPolygon(label, image, annotations.count, categoryId);
  if (written === undefined) {
    skipRegion(
      ctx,
      item,
      regionId,
      'missing-coordinates',
      isRect
        ? 'rectangle has no x, y, width or height'
        : 'polygon has a point that is not a pair of numbers [x, y]',
    );
    return undefined;
  }
  if (process.env.LABEL_STUDIO_FORCE_ANNOTATOR_EXPORT) written.annotator = annotatorOf(item);
  return withPythonFloats(written);
}

/** The reference's rectangle: the envelope of the rotated box, scaled by the region's own size. */
function pythonRectangle(
  label: OutputValue,
  image: PythonImage,
  id: number,
  categoryId: number,
): CocoAnnotation | undefined {
  if (!('x' in label && 'y' in label && 'width' in label && 'height' in label)) return undefined;
  const rotation = 'rotation' in label ? (label.rotation as number) : 0;
  const [px, py, pw, ph] = percentRotatedEnvelope(
    label.x as number,
    label.y as number,
    label.width as number,
    label.height as number,
    rotation,
  );
  const ow = label.original_width as number;
  const oh = label.original_height as number;
  const x = (px * ow) / 100;
  const y = (py * oh) / 100;
  const w = (pw * ow) / 100;
  const h = (ph * oh) / 100;
  return {
    id,
    image_id: image.imageId,
    category_id: categoryId,
    segmentation: [],
    bbox: [x, y, w, h],
    ignore: 0,
    iscrowd: 0,
    area: w * h,
  };
}

/** The reference's polygon, in pixels of the item's image size. The reference crashes on a bad point; we report the region. */
function pythonPolygon(
  label: OutputValue,
  image: PythonImage,
  id: number,
  categoryId: number,
): CocoAnnotation | undefined {
  const points = Array.isArray(label.points) ? (label.points as [number, number][]) : [];
  if (!points.every((p) => Array.isArray(p) && typeof p[0] === 'number' && typeof p[1] === 'number'))
    return undefined;
  const width = image.width as number;
  const height = image.height as number;
  const abs = points.map(([px, py]) => [(px / 100) * width, (py / 100) * height] as const);
  return {
    id,
    image_id: image.imageId,
    category_id: categoryId,
    segmentation: [abs.flat()],
    bbox: envelope(abs),
    ignore: 0,
    iscrowd: 0,
    area: polygonArea(
      abs.map((p) => p[0]),
      abs.map((p) => p[1]),
    ),
  };
}

/** The item's keypoint regions merged into one annotation, as the reference writes it. */
async function pythonKeypoints(
  run: CocoRun,
  item: PythonCocoItem,
  imageId: number,
  keypointRegions: readonly OutputValue[],
): Promise<void> {
  const { ctx, state, annotations } = run;
  if (state.kpOrder.length === 0) {
    throw new LsconvError(
      'UNSUPPORTED_CONFIG',
      'COCO keypoints need a model_index on every KeyPointLabels label',
      {
        format: ctx.format,
        taskIndex: item.taskIndex,
        taskId: item.id,
        hint: 'add model_index="0", "1", … to the <Label> tags of KeyPointLabels (as the Python converter requires), or export without --compat python',
      },
    );
  }
  const keypoints = cocoKeypoints(keypointRegions, state.kpOrder);
  // The points are merged into one annotation: count each placed point as a region; report the others.
  let placed = 0;
  for (const value of keypointRegions) {
    const problem = keypointProblem(value, state.kpOrder);
    if (problem === undefined) placed++;
    else skipRegion(ctx, item, undefined, 'unplaced-keypoint', problem);
  }
  ctx.report.regionsWritten += placed - 1;
  await annotations.push({
    id: annotations.count,
    image_id: imageId,
    category_id: state.byName.get(state.kpOrder[0]!) ?? 0,
    keypoints,
    num_keypoints: countVisible(keypoints),
    bbox: keypointsBbox(keypoints),
    iscrowd: 0,
  });
}

/**
 * A box or polygon annotation with its coordinates and area spelled as the Python
 * converter's ujson writes them: they are floats there (`x * width / 100`), so an
 * integral one prints `128.0`.
 */
function withPythonFloats(annotation: CocoAnnotation): Record<string, unknown> {
  const { segmentation, bbox, area } = annotation;
  return {
    ...annotation,
    ...(segmentation ? { segmentation: segmentation.map((part) => pyJsonNumbers(part)) } : {}),
    bbox: pyJsonNumbers(bbox),
    ...(area === undefined ? {} : { area: pyJsonNumber(area) }),
  };
}
