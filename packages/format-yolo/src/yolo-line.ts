/** YOLO label lines: telling a line's kind from its values, and oriented boxes as Label Studio rectangles. */

/** A YOLO label line, parsed. */
export type YoloLine =
  | { kind: 'box'; cls: number; box: [number, number, number, number]; score?: number }
  | { kind: 'polygon'; cls: number; points: [number, number][]; score?: number }
  | { kind: 'obb'; cls: number; corners: [number, number][]; score?: number }
  | {
      kind: 'pose';
      cls: number;
      box: [number, number, number, number];
      keypoints: [number, number, number][];
      score?: number;
    };

/** How a line of 8 coordinates is read. */
export type ObbMode = 'auto' | 'always' | 'never';

/**
 * Tells a YOLO label line's kind from its value count: 4 numbers a box, 4 + k×d a
 * pose line (when the dataset has `kpt_shape`), 8 an oriented box (its corners make
 * a rectangle in pixels) or a 4-point polygon, any other even count ≥ 6 a polygon;
 * one extra value is a score. Returns a reason string when the line is unusable.
 */
export function parseYoloLine(
  values: readonly number[],
  opts: {
    kptShape?: readonly [number, number];
    obb?: ObbMode;
    size?: { width: number; height: number };
  } = {},
): YoloLine | string {
  const [cls, ...nums] = values;
  if (cls === undefined) return 'empty line';
  if (!Number.isInteger(cls) || cls < 0) return `class id ${cls} is not a non-negative integer`;
  const n = nums.length;
  if (n < 4)
    return `${n} coordinate value${n === 1 ? '' : 's'}; a box needs 4 (class x_center y_center width height)`;
  if (opts.kptShape) {
    const [k, d] = opts.kptShape;
    const poseCount = 4 + k * d;
    if (n === poseCount || n === poseCount + 1) {
      const keypoints: [number, number, number][] = [];
      for (let i = 0; i < k; i++) {
        const base = 4 + i * d;
        keypoints.push([nums[base]!, nums[base + 1]!, d >= 3 ? nums[base + 2]! : 2]);
      }
      return {
        kind: 'pose',
        cls,
        box: [nums[0]!, nums[1]!, nums[2]!, nums[3]!],
        keypoints,
        ...(n === poseCount + 1 ? { score: nums[n - 1]! } : {}),
      };
    }
  }
  if (n === 4 || n === 5) {
    return {
      kind: 'box',
      cls,
      box: [nums[0]!, nums[1]!, nums[2]!, nums[3]!],
      ...(n === 5 ? { score: nums[4]! } : {}),
    };
  }
  const coords = n % 2 === 0 ? nums : nums.slice(0, -1);
  const score = n % 2 === 0 ? undefined : nums[n - 1];
  const points: [number, number][] = [];
  for (let i = 0; i + 1 < coords.length; i += 2) points.push([coords[i]!, coords[i + 1]!]);
  const withScore = score === undefined ? {} : { score };
  if (points.length === 4 && opts.obb !== 'never') {
    if (opts.obb === 'always' || isRectangle(points, opts.size ?? { width: 1, height: 1 })) {
      return { kind: 'obb', cls, corners: points, ...withScore };
    }
  }
  return { kind: 'polygon', cls, points, ...withScore };
}

/** Whether four corners (normalised) make a rectangle once scaled to pixels. */
function isRectangle(points: readonly [number, number][], size: { width: number; height: number }): boolean {
  const p = points.map(([x, y]) => [x * size.width, y * size.height] as const);
  const scale = Math.max(size.width, size.height);
  for (let i = 0; i < 4; i++) {
    const a = p[i]!;
    const b = p[(i + 1) % 4]!;
    const c = p[(i + 2) % 4]!;
    const ux = b[0] - a[0];
    const uy = b[1] - a[1];
    const vx = c[0] - b[0];
    const vy = c[1] - b[1];
    const lu = Math.hypot(ux, uy);
    const lv = Math.hypot(vx, vy);
    if (lu < 1e-9 * scale || lv < 1e-9 * scale) return false;
    // Corners written from a rotated box are exact to ~1e-12; 1e-4 leaves room for rounded files.
    if (Math.abs(ux * vx + uy * vy) / (lu * lv) > 1e-4) return false;
  }
  return true;
}

/**
 * Label Studio rectangle (percent, top-left corner and rotation in degrees) from
 * the four corners of an oriented box in pixels: centre, side lengths from the
 * first corner, angle of the first side.
 */
export function obbToRectangle(
  corners: readonly [number, number][],
  width: number,
  height: number,
): { x: number; y: number; width: number; height: number; rotation: number } {
  const [p0, p1, , p3] = corners as [[number, number], [number, number], [number, number], [number, number]];
  const cx = corners.reduce((s, c) => s + c[0], 0) / 4;
  const cy = corners.reduce((s, c) => s + c[1], 0) / 4;
  const w = Math.hypot(p0[0] - p1[0], p0[1] - p1[1]);
  const h = Math.hypot(p0[0] - p3[0], p0[1] - p3[1]);
  const angle = Math.atan2(p1[1] - p0[1], p1[0] - p0[0]);
  const x = cx - (w / 2) * Math.cos(angle) + (h / 2) * Math.sin(angle);
  const y = cy - (w / 2) * Math.sin(angle) - (h / 2) * Math.cos(angle);
  let rotation = (angle * 180) / Math.PI;
  if (rotation < 0) rotation += 360;
  return {
    x: (x / width) * 100,
    y: (y / height) * 100,
    width: (w / width) * 100,
    height: (h / height) * 100,
    rotation,
  };
}
