import { defineFormat } from '@lsconv/core';
import { referenceSupports, visionOptions } from '@lsconv/format-kit';
import { exportCoco } from './coco-export.js';
import { prepareCoco } from './coco-prepare.js';

const options = visionOptions('COCO file_name values point into it');

/** COCO: `result.json` (images, categories, annotations, info) and an `images/` folder. */
export const coco = defineFormat({
  id: 'COCO',
  menuPosition: 5,
  title: 'COCO',
  description:
    'Popular machine learning format used by the COCO dataset for object detection and image segmentation tasks with polygons and rectangles.',
  link: 'https://labelstud.io/guide/export.html#COCO',
  tags: ['image segmentation', 'object detection'],
  output: 'folder',
  splitLayout: true,
  options,
  supports: referenceSupports('COCO'),
  prepare: prepareCoco,
  export: (tasks, ctx) => exportCoco(tasks, ctx, false),
});

/** COCO with the images copied or downloaded into `images/`. */
export const cocoWithImages = defineFormat({
  id: 'COCO_WITH_IMAGES',
  menuPosition: 6,
  title: 'COCO with Images',
  description: 'COCO format with the images downloaded or copied into the images/ folder of the export.',
  link: 'https://labelstud.io/guide/export.html#COCO',
  tags: ['image segmentation', 'object detection'],
  output: 'folder',
  splitLayout: true,
  options,
  supports: referenceSupports('COCO_WITH_IMAGES'),
  prepare: prepareCoco,
  export: (tasks, ctx) => exportCoco(tasks, ctx, true),
});
