import { defineFormat } from '@lsconv/core';
import { referenceSupports } from '@lsconv/format-kit';
import { exportMasks, maskOptions } from './brush-masks.js';

/**
 * BRUSH_TO_NUMPY: brush masks as NumPy `.npy` files (format 1.0, `uint8`,
 * height × width; the alpha channel of Label Studio's RLE image).
 */
export const brushToNumpy = defineFormat({
  id: 'BRUSH_TO_NUMPY',
  menuPosition: 12,
  title: 'Brush labels to NumPy',
  description:
    'Brush masks as NumPy 2-D uint8 arrays (.npy), named after their image with a masks.json index, or one per region as the Python converter names them.',
  link: 'https://labelstud.io/guide/export.html#Brush-labels-to-NumPy-amp-PNG',
  tags: ['image segmentation'],
  output: 'folder',
  splitLayout: true,
  options: maskOptions,
  supports: referenceSupports('BRUSH_TO_NUMPY'),
  // Task and annotation ids beyond 2^53 keep their digits in names and masks.json.
  keepsNumberSpelling: true,
  export: (tasks, ctx) => exportMasks('numpy', tasks, ctx),
});
