/**
 * `@lsconv/format-coco`: the COCO and COCO_WITH_IMAGES exports, built on the vision
 * helpers of `@lsconv/format-kit` (categories, image names, rectangle geometry).
 */

export { coco, cocoWithImages } from './coco.js';
export { polygonPixels, rectanglePixels } from './coco-geometry.js';
export { cocoImporter } from './coco-import.js';
export {
  type CocoAnnotation,
  type CocoImage,
  cocoInfo,
  cocoKeypoints,
  keypointsBbox,
  pythonCocoCategories,
} from './coco-shared.js';
