/**
 * Outer contours of a binary mask, traced the way OpenCV's
 * `findContours(mask, RETR_EXTERNAL, CHAIN_APPROX_SIMPLE)` traces them (Suzuki–Abe
 * border following), because BRUSH_TO_COCO in the Python converter writes OpenCV's
 * points verbatim: same start pixel, same direction, same corner points, same order
 * (the last contour found comes first).
 */

/** Step to the neighbour in direction s (0 = east, counter-clockwise on screen, y down). */
const DX = [1, 1, 0, -1, -1, -1, 0, 1] as const;
const DY = [0, -1, -1, -1, 0, 1, 1, 1] as const;

/** Marks OpenCV leaves on traced pixels: a plain border pixel, and one with background to its east. */
const MARK = 2;
const MARK_RIGHT = -126; // (schar)(2 | -128)

/**
 * Traces the outer contours of a `height × width` mask (non-zero = foreground) and
 * returns each as a flat `[x1, y1, x2, y2, …]` list of corner points, in OpenCV's
 * order. Pixels on the image edge count (OpenCV pads the image with a zero border).
 */
export function findExternalContours(mask: Uint8Array, width: number, height: number): number[][] {
  const w2 = width + 2;
  const h2 = height + 2;
  const img = new Int8Array(w2 * h2);
  for (let y = 0; y < height; y++) {
    const src = y * width;
    const dst = (y + 1) * w2 + 1;
    for (let x = 0; x < width; x++) if (mask[src + x] !== 0) img[dst + x] = 1;
  }
  const deltas = new Int32Array(16);
  const base = [1, -w2 + 1, -w2, -w2 - 1, -1, w2 - 1, w2, w2 + 1];
  for (let k = 0; k < 16; k++) deltas[k] = base[k & 7]!;

  const found: number[][] = [];
  for (let y = 1; y < h2 - 1; y++) {
    const row = y * w2;
    let prev = 0;
    // The last border pixel met on this row (x), or the row's left edge.
    let lnbd = 0;
    for (let x = 1; x < w2 - 1; x++) {
      const p = img[row + x]!;
      if (p === prev) continue;
      let start = prev === 0 && p === 1;
      if (!start) {
        // A hole border starts here; external mode never traces holes.
        if (p === 0 && prev >= 1 && (prev & -2) !== 0) lnbd = x - 1;
      } else if (img[row + lnbd]! > 0) {
        // Inside a contour already traced (its left border is to our left).
        start = false;
      }
      if (start) {
        found.push(traceOuter(img, row + x, x - 1, y - 1, deltas));
        lnbd = x;
        prev = img[row + x]!;
        continue;
      }
      prev = p;
      if ((prev & -2) !== 0) lnbd = x;
    }
  }
  return found.reverse();
}

/** Follows one outer border from its start pixel, marking it, keeping direction changes. */
function traceOuter(img: Int8Array, i0: number, x: number, y: number, deltas: Int32Array): number[] {
  const points: number[] = [];
  let s = 4;
  let i1 = 0;
  const sStart = s;
  do {
    s = (s - 1) & 7;
    i1 = i0 + deltas[s]!;
    if (img[i1] !== 0) break;
  } while (s !== sStart);
  if (s === sStart) {
    img[i0] = MARK_RIGHT;
    points.push(x, y);
    return points;
  }
  let i3 = i0;
  let prevS = s ^ 4;
  for (;;) {
    const sEnd = s;
    let i4: number;
    for (;;) {
      i4 = i3 + deltas[++s]!;
      if (img[i4] !== 0) break;
    }
    s &= 7;
    if ((s - 1) >>> 0 < sEnd >>> 0) img[i3] = MARK_RIGHT;
    else if (img[i3] === 1) img[i3] = MARK;
    if (s !== prevS) {
      points.push(x, y);
      prevS = s;
    }
    x += DX[s]!;
    y += DY[s]!;
    if (i4 === i0 && i3 === i1) break;
    i3 = i4;
    s = (s + 4) & 7;
  }
  return points;
}

/** OpenCV's `boundingRect` of integer points: `[x, y, width, height]`, edges inclusive. */
export function boundingRect(points: readonly number[]): [number, number, number, number] {
  if (points.length < 2) return [0, 0, 0, 0];
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let k = 0; k + 1 < points.length; k += 2) {
    const px = points[k]!;
    const py = points[k + 1]!;
    if (px < minX) minX = px;
    if (px > maxX) maxX = px;
    if (py < minY) minY = py;
    if (py > maxY) maxY = py;
  }
  return [minX, minY, maxX - minX + 1, maxY - minY + 1];
}

/** OpenCV's `contourArea` (shoelace formula, absolute value) of a flat point list. */
export function contourArea(points: readonly number[]): number {
  const n = points.length >> 1;
  if (n === 0) return 0;
  let a = 0;
  let px = points[2 * n - 2]!;
  let py = points[2 * n - 1]!;
  for (let k = 0; k < n; k++) {
    const x = points[2 * k]!;
    const y = points[2 * k + 1]!;
    a += px * y - py * x;
    px = x;
    py = y;
  }
  return Math.abs(a * 0.5);
}
