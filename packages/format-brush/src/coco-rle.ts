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

/** Decodes COCO's compressed string back into run lengths (pycocotools `rleFrString`). */
export function cocoRleFromString(text: string): number[] {
  const counts: number[] = [];
  let p = 0;
  while (p < text.length) {
    let x = 0;
    let k = 0;
    let more = true;
    while (more) {
      const c = text.charCodeAt(p) - 48;
      x |= (c & 0x1f) << (5 * k);
      more = (c & 0x20) !== 0;
      p++;
      k++;
      if (!more && c & 0x10) x |= -1 << (5 * k);
    }
    if (counts.length > 2) x += counts[counts.length - 2]!;
    counts.push(x);
  }
  return counts;
}

/** The COCO RLE segmentation of a mask. */
export function encodeCocoRle(mask: Uint8Array, width: number, height: number): CocoRle {
  return { size: [height, width], counts: cocoRleString(cocoRleCounts(mask, width, height)) };
}
