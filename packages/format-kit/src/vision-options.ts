import type { ExportContext } from '@lsconv/core';

/**
 * The options every vision format (COCO, VOC, YOLO) declares, and what its export and
 * prepare read of them.
 */

/**
 * The option block of a vision format: `imageDir` (the Python converter's `--image-dir`).
 * `imageDirNote` ends the folder's help text with what the format writes of it. Which
 * annotation of a task is exported is core's `--annotation`, read with {@link annotationMode}.
 */
export function visionOptions(imageDirNote?: string) {
  return {
    imageDir: {
      type: 'string',
      default: 'images',
      flag: 'image-dir',
      pythonFlag: 'image-dir',
      description: `Folder for the images, relative to the output (created even when empty; the CLI also takes a folder outside the output: the images are written there and referred to by their path from the output)${imageDirNote ? `; ${imageDirNote}` : ''}.`,
    },
  } as const;
}

/** The option values a vision format's export receives. */
export interface VisionOptionValues {
  readonly imageDir: string;
}

/** The images folder inside the output, as `--image-dir` names it (trailing slashes dropped). */
export function imageDirOf(ctx: Pick<ExportContext<VisionOptionValues>, 'options'>): string {
  return (ctx.options.imageDir || 'images').replace(/\/+$/, '');
}

/**
 * Item selection for `taskItems` in a vision format: `all` when `--annotation` was given
 * (core has kept only the chosen annotations) or under `--compat python` (the Python
 * converter takes every annotation); otherwise the vision formats' default, the latest.
 */
export function annotationMode(ctx: Pick<ExportContext, 'compat' | 'dataset'>): 'all' | 'latest' {
  if (ctx.compat === 'python' || ctx.dataset?.annotation !== undefined) return 'all';
  return 'latest';
}
