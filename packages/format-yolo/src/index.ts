/** `@lsconv/format-yolo`: YOLO, YOLO_OBB and their *_WITH_IMAGES variants. */

export type { ImageSize, YoloBox } from './yolo.js';
export {
  classNames,
  clipPoints,
  dataYaml,
  obbCorners,
  pythonYoloBox,
  toYoloBox,
  toYoloLine,
  yolo,
  yoloObb,
  yoloObbWithImages,
  yoloWithImages,
} from './yolo.js';
export { type ObbMode, obbToRectangle, parseYoloLine, type YoloLine, yoloImporter } from './yolo-import.js';
