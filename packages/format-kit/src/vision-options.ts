import type { ExportContext } from '@lsconv/core';

/**
 * The options every vision format (COCO, VOC, YOLO) declares, and what its export and
 * prepare read of them.
 */

/** The `annotation` option every vision format declares. */
export const annotationOption = {
  type: 'enum',
  choices: ['latest', 'first', 'ground-truth', 'all'] as const,
  default: 'latest',
  flag: 'annotation',
  description:
    'Which annotation of a task to export: the latest, the first, the ground-truth one (else the latest), or all of them merged. Ignored with --compat python, which exports every annotation as the Python converter does.',
} as const;

/**
 * The option block of a vision format, in order: `imageDir` (the Python converter's
 * `--image-dir`), then `annotation`. `imageDirNote` ends the folder's help text with what
 * the format writes of it.
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
    annotation: annotationOption,
  } as const;
}

/** The option values a vision format's export receives. */
export interface VisionOptionValues {
  readonly imageDir: string;
  readonly annotation: string;
}

/** The images folder inside the output, as `--image-dir` names it (trailing slashes dropped). */
export function imageDirOf(ctx: Pick<ExportContext<VisionOptionValues>, 'options'>): string {
  return (ctx.options.imageDir || 'images').replace(/\/+$/, '');
}

/** Item selection for `taskItems`: the Python converter takes every annotation. */
export function annotationMode(
  ctx: Pick<ExportContext, 'compat' | 'options'>,
): 'all' | 'latest' | 'first' | 'ground-truth' {
  if (ctx.compat === 'python') return 'all';
  const value = (ctx.options as { annotation?: unknown }).annotation;
  return value === 'first' || value === 'ground-truth' || value === 'all' ? value : 'latest';
}
