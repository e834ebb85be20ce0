/** `@lsconv/format-yolo`: YOLO, YOLO_OBB and their *_WITH_IMAGES variants. */

export { yolo, yoloObb, yoloObbWithImages, yoloWithImages } from './yolo-formats.js';
export {
  classNames,
  clipPoints,
  dataYaml,
  type ImageSize,
  obbCorners,
  pythonYoloBox,
  toYoloBox,
  toYoloLine,
  type YoloBox,
} from './yolo-geometry.js';
export { type ObbMode, obbToRectangle, parseYoloLine, type YoloLine, yoloImporter } from './yolo-import.js';
