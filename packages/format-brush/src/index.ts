export { brushToCoco } from './brush-to-coco.js';
export { brushToNumpy } from './brush-to-numpy.js';
export { brushToPng } from './brush-to-png.js';
export { boundingRect, contourArea, findExternalContours } from './contours.js';
export { encodeNpyUint8, npyHeader } from './npy.js';
export { encodeGreyPng, encodeIndexedPng } from './png.js';
