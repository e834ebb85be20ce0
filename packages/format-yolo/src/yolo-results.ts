/** The Label Studio results of a YOLO label file. */
import type { CompatMode, ConversionReport, ImageInfo, Result } from '@lsconv/core';
import { newRegionId } from '@lsconv/format-kit';
import { type Dataset, keypointNames } from './yolo-dataset.js';
import { type ObbMode, obbToRectangle, parseYoloLine, type YoloLine } from './yolo-line.js';

export interface LineContext {
  dataset: Dataset;
  size: ImageInfo | undefined;
  file: string;
  report: ConversionReport;
  compat: CompatMode;
  options: { toName: string; fromName: string; obb: ObbMode };
  used: { box: boolean; polygon: boolean; keypoints: boolean };
}

/** The Label Studio results of one label file; broken lines become report entries. */
export function labelResults(text: string, ctx: LineContext): Result[] {
  const { dataset, size, file, report, options: o } = ctx;
  const results: Result[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw === '') continue;
    const where = { file, field: `line ${i + 1}` };
    const tokens = raw.split(/\s+/);
    const values = tokens.map(Number);
    const bad = tokens.findIndex((t, k) => t === '' || !Number.isFinite(values[k]));
    if (bad >= 0) {
      report.skip({
        ...where,
        kind: 'region',
        code: 'bad-number',
        reason: `${JSON.stringify(tokens[bad])} is not a number`,
      });
      continue;
    }
    const line = parseYoloLine(values, { kptShape: dataset.kptShape, obb: o.obb, ...(size ? { size } : {}) });
    if (typeof line === 'string') {
      report.skip({ ...where, kind: 'region', code: 'bad-line', reason: line });
      continue;
    }
    const before = results.length;
    const label = dataset.classes[line.cls];
    if (label === undefined) {
      report.skip({
        ...where,
        kind: 'region',
        code: 'unknown-class',
        reason: `class id ${line.cls} is beyond the ${dataset.classes.length} classes of the dataset`,
      });
      continue;
    }
    // The Python converter drops a score of 0 (`if score:`).
    const score =
      line.score !== undefined && (line.score !== 0 || ctx.compat !== 'python') ? { score: line.score } : {};
    pushRegions(results, line, label, score, where, ctx);
    // Coordinates near 1e308 overflow once scaled to percent or pixels; JSON cannot hold Infinity.
    if (results.slice(before).some((r) => !finiteNumbers(r.value))) {
      results.length = before;
      report.skip({
        ...where,
        kind: 'region',
        code: 'bad-number',
        reason: 'the coordinates overflow when scaled to the image',
      });
    }
  }
  return results;
}

/** Appends the regions of one parsed line (a pose line brings its keypoints; an oriented box needs the image size). */
function pushRegions(
  results: Result[],
  line: YoloLine,
  label: string,
  score: { score?: number },
  where: { file: string; field: string },
  ctx: LineContext,
): void {
  const { dataset, size, report, options: o } = ctx;
  const sizeFields = size ? { original_width: size.width, original_height: size.height } : {};
  const common = { to_name: o.toName };
  if (line.kind === 'box' || line.kind === 'pose') {
    const [xc, yc, w, h] = line.box;
    const id = newRegionId();
    results.push({
      id,
      type: 'rectanglelabels',
      value: {
        x: (xc - w / 2) * 100,
        y: (yc - h / 2) * 100,
        width: w * 100,
        height: h * 100,
        rotation: 0,
        rectanglelabels: [label],
      },
      ...common,
      from_name: o.fromName,
      image_rotation: 0,
      ...sizeFields,
      ...score,
    });
    ctx.used.box = true;
    if (line.kind === 'pose') {
      const names = keypointNames(dataset);
      line.keypoints.forEach(([x, y, v], k) => {
        if (v === 0) return;
        results.push({
          id: newRegionId(),
          type: 'keypointlabels',
          value: { x: x * 100, y: y * 100, width: 1, keypointlabels: [names[k]!] },
          ...common,
          from_name: `${o.fromName}_keypoints`,
          image_rotation: 0,
          parentID: id,
          ...sizeFields,
        });
        ctx.used.keypoints = true;
      });
    }
  } else if (line.kind === 'polygon') {
    results.push({
      id: newRegionId(),
      type: 'polygonlabels',
      value: {
        points: line.points.map(([x, y]) => [x * 100, y * 100] as [number, number]),
        closed: true,
        polygonlabels: [label],
      },
      ...common,
      from_name: `${o.fromName}_polygons`,
      image_rotation: 0,
      ...sizeFields,
      ...score,
    });
    ctx.used.polygon = true;
  } else {
    if (!size) {
      report.skip({
        ...where,
        kind: 'region',
        code: 'missing-image-size',
        reason: 'an oriented box needs the image size',
      });
      return;
    }
    const px = line.corners.map(([x, y]) => [x * size.width, y * size.height] as [number, number]);
    results.push({
      id: newRegionId(),
      type: 'rectanglelabels',
      value: { ...obbToRectangle(px, size.width, size.height), rectanglelabels: [label] },
      ...common,
      from_name: o.fromName,
      image_rotation: 0,
      ...sizeFields,
      ...score,
    });
    ctx.used.box = true;
  }
}

function finiteNumbers(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(finiteNumbers);
  if (typeof value === 'object' && value !== null) return Object.values(value).every(finiteNumbers);
  return true;
}
