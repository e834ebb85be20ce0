import { defineFormat } from '@lsconv/core';
import { referenceSupports } from '@lsconv/format-kit';
import { exportMasks, maskOptions } from './brush-masks.js';

/**
 * BRUSH_TO_PNG: brush masks as 8-bit greyscale PNGs (the alpha channel of Label
 * Studio's RLE image), or indexed class-id PNGs with `--semantic`.
 */
export const brushToPng = defineFormat({
  id: 'BRUSH_TO_PNG',
  menuPosition: 13,
  title: 'Brush labels to PNG',
  description:
    'Brush masks as greyscale PNG images, named after their image with a masks.json index (or per region as the Python converter names them); --semantic writes one class-id PNG per image.',
  link: 'https://labelstud.io/guide/export.html#Brush-labels-to-NumPy-amp-PNG',
  tags: ['image segmentation'],
  output: 'folder',
  splitLayout: true,
  options: maskOptions,
  supports: referenceSupports('BRUSH_TO_PNG'),
  // Task and annotation ids beyond 2^53 keep their digits in names and masks.json.
  keepsNumberSpelling: true,
  export: (tasks, ctx) => exportMasks('png', tasks, ctx),
});
