/**
 * `@lsconv/format-coco`: the COCO and COCO_WITH_IMAGES exports, built on the vision
 * helpers of `@lsconv/core` (categories, image names, rectangle geometry).
 */

export { JsonArraySpill } from '@lsconv/core';
export type { CocoAnnotation, CocoImage } from './coco.js';
export {
  coco,
  cocoInfo,
  cocoKeypoints,
  cocoWithImages,
  keypointsBbox,
  polygonPixels,
  pyRound,
  pythonCocoCategories,
  rectanglePixels,
} from './coco.js';
export { type CocoRleInput, cocoImporter, cocoRleCountsFromString, decodeCocoRle } from './coco-import.js';
