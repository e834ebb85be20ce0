export { brushToCoco } from './brush-to-coco.js';
export { brushToNumpy } from './brush-to-numpy.js';
export { brushToPng } from './brush-to-png.js';
export { type CocoRle, cocoRleCounts, cocoRleFromString, cocoRleString, encodeCocoRle } from './coco-rle.js';
export { boundingRect, contourArea, findExternalContours } from './contours.js';
export { encodeNpyUint8, npyHeader } from './npy.js';
export { encodeGreyPng, encodeIndexedPng } from './png.js';
export {
  BrushRleError,
  type BrushRleHeader,
  type BrushRleInput,
  decodeBrushMask,
  decodeBrushRle,
  encodeBrushMask,
  encodeBrushRle,
  readBrushRleHeader,
} from './rle.js';
