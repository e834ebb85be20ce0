/**
 * COCO run-length encoding of a binary mask (what pycocotools' `mask.encode` makes):
 * runs over the pixels in column-major order, starting with a (possibly empty) run of
 * background, compressed to COCO's ASCII form.
 */

/** A COCO RLE segmentation: `size` is `[height, width]`. */
export interface CocoRle {
  size: [number, number];
  counts: string;
}

/** Column-major run lengths of a `height × width` mask (non-zero = foreground). */
export function cocoRleCounts(mask: Uint8Array, width: number, height: number): number[] {
  const counts: number[] = [];
  let current = 0;
  let run = 0;
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      const v = mask[y * width + x] !== 0 ? 1 : 0;
      if (v !== current) {
        counts.push(run);
        run = 0;
        current = v;
      }
      run++;
    }
  }
  counts.push(run);
  return counts;
}

/** COCO's compressed string form of run lengths (pycocotools `rleToString`). */
export function cocoRleString(counts: readonly number[]): string {
  let out = '';
  for (let i = 0; i < counts.length; i++) {
    let x = counts[i]!;
    if (i > 2) x -= counts[i - 2]!;
    let more = true;
    while (more) {
      let c = x & 0x1f;
      x >>= 5;
      more = c & 0x10 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      out += String.fromCharCode(c + 48);
    }
  }
  return out;
}

/** The COCO RLE segmentation of a mask. */
export function encodeCocoRle(mask: Uint8Array, width: number, height: number): CocoRle {
  return { size: [height, width], counts: cocoRleString(cocoRleCounts(mask, width, height)) };
}

/** A COCO RLE: run lengths (or their compressed string) over a column-major mask. */
export interface CocoRleInput {
  counts: string | readonly number[];
  size: readonly [number, number] | readonly number[];
}

/**
 * Decodes COCO's compressed string back into run lengths (pycocotools `rleFrString`),
 * refusing a string that ends inside a count or holds a character outside the encoding
 * (a `RangeError`).
 */
export function cocoRleFromString(text: string): number[] {
  const counts: number[] = [];
  let p = 0;
  while (p < text.length) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      if (p >= text.length) throw new RangeError('the RLE string ends in the middle of a count');
      const c = text.charCodeAt(p) - 48;
      if (c < 0 || c > 63) throw new RangeError(`the RLE string has an invalid character at ${p}`);
      x += (c & 0x1f) * 2 ** (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && (c & 0x10) !== 0) x -= 2 ** (5 * k);
    }
    if (counts.length > 2) x += counts[counts.length - 2]!;
    counts.push(x);
  }
  return counts;
}

/**
 * Decodes a COCO RLE into a row-major `height × width` mask of 0/255 (COCO runs
 * alternate background/foreground, starting with background, down the columns).
 */
export function decodeCocoRle(rle: CocoRleInput): { mask: Uint8Array; width: number; height: number } {
  const [height, width] = rle.size as [number, number];
  if (!Number.isInteger(height) || !Number.isInteger(width) || height <= 0 || width <= 0) {
    throw new RangeError(`size ${JSON.stringify(rle.size)} is not [height, width]`);
  }
  if (height * width > 2 ** 29) throw new RangeError(`a ${width} × ${height} mask is too large`);
  const counts = typeof rle.counts === 'string' ? cocoRleFromString(rle.counts) : rle.counts;
  const mask = new Uint8Array(width * height);
  const total = width * height;
  let j = 0;
  for (let i = 0; i < counts.length; i++) {
    const run = counts[i]!;
    if (!Number.isInteger(run) || run < 0)
      throw new RangeError(`count ${i} (${run}) is not a non-negative integer`);
    if (j + run > total) throw new RangeError('the counts cover more pixels than the mask has');
    if (i % 2 === 1) {
      for (let q = j; q < j + run; q++) mask[(q % height) * width + Math.floor(q / height)] = 255;
    }
    j += run;
  }
  return { mask, width, height };
}
