import { LsconvError, orderSplits } from '@lsconv/core';
import type { Category } from '@lsconv/format-kit';
import { classNames } from './yolo-geometry.js';

// The split layout Ultralytics reads (`--split`): images/<split>/ and labels/<split>/ side
// by side, and a data.yaml whose train/val/test keys point at the image folders. Its loader
// finds an image's label file by swapping the last /images/ of the path for /labels/.

/** The `flipIdx` option of the YOLO formats. */
export const flipIdxOption = {
  type: 'string',
  default: '',
  flag: 'flip-idx',
  description:
    "flip_idx of a pose dataset's data.yaml with --split: the keypoint index each keypoint becomes when the image is mirrored, comma separated. Default: from left/right pairs in the keypoint names (left_eye <-> right_eye)",
} as const;

/** The keypoint each keypoint becomes in a mirrored image: left/right names swapped, others themselves. */
export function flipIndex(names: readonly string[]): number[] {
  const swap = (name: string) =>
    name.replace(/left|right|Left|Right|LEFT|RIGHT/g, (w) =>
      w === 'left'
        ? 'right'
        : w === 'right'
          ? 'left'
          : w === 'Left'
            ? 'Right'
            : w === 'Right'
              ? 'Left'
              : w === 'LEFT'
                ? 'RIGHT'
                : 'LEFT',
    );
  return names.map((name, i) => {
    const j = names.indexOf(swap(name));
    return j < 0 ? i : j;
  });
}

/** The `--flip-idx` value checked: a permutation of the keypoints whose every pair swaps both ways. */
export function parseFlipIdx(text: string, count: number): number[] {
  const values = text.split(',').map((s) => Number(s.trim()));
  const sorted = [...values].sort((a, b) => a - b);
  const permutation =
    values.length === count && sorted.every((v, i) => v === i) && values.every((v, i) => values[v] === i);
  if (!permutation) {
    throw new LsconvError(
      'INVALID_OPTION',
      `--flip-idx must list each of the ${count} keypoint indexes once, pairs swapping both ways, got ${JSON.stringify(text)}`,
    );
  }
  return values;
}

/** The data.yaml of a split layout. */
export function splitDataYaml(
  categories: readonly Category[],
  imageDir: string,
  splits: Iterable<string>,
  pose: { keypoints: readonly string[]; flipIdx: string } | undefined,
): string {
  const names = classNames(categories);
  // No `path`: Ultralytics then reads the split folders relative to this file's folder
  // (a relative `path` is taken from the current folder or its datasets folder instead).
  const lines = ['# Ultralytics dataset config written by lsconv; the folders are relative to this file'];
  for (const split of orderSplits(splits)) lines.push(`${split}: ${imageDir}/${split}`);
  lines.push(`nc: ${names.length}`, 'names:', ...names.map((name, id) => `  ${id}: ${JSON.stringify(name)}`));
  if (pose) {
    const count = pose.keypoints.length;
    const flip = pose.flipIdx.trim() ? parseFlipIdx(pose.flipIdx, count) : flipIndex(pose.keypoints);
    lines.push(`kpt_shape: [${count}, 3]`, `flip_idx: [${flip.join(', ')}]`);
  }
  return `${lines.join('\n')}\n`;
}
