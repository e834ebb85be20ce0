/**
 * `@lsconv/format-coco`: the COCO and COCO_WITH_IMAGES exports, built on the vision
 * helpers of `@lsconv/format-kit` (categories, image names, rectangle geometry).
 */

export type { CocoAnnotation, CocoImage } from './coco.js';
export {
  coco,
  cocoInfo,
  cocoKeypoints,
  cocoWithImages,
  keypointsBbox,
  polygonPixels,
  pythonCocoCategories,
  rectanglePixels,
} from './coco.js';
export { cocoImporter } from './coco-import.js';
