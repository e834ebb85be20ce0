/**
 * `@lsconv/format-kit`: helpers shared by several lsconv format packages, kept beside
 * them rather than in `@lsconv/core` (which holds contracts and runtime only). Listed
 * name by name, by topic.
 */

// Label Studio's brush RLE
export {
  BrushRleError,
  type BrushRleHeader,
  type BrushRleInput,
  decodeBrushMask,
  decodeBrushRle,
  encodeBrushMask,
  encodeBrushRle,
  MAX_MASK_PIXELS,
  readBrushRleHeader,
  rleBytes,
} from './brush-rle.js';
// COCO documents: one writer (spilled images and annotations, two layouts) and the info block
export {
  BRUSH_COCO_LAYOUT,
  COCO_LAYOUT,
  CocoDocumentWriter,
  type CocoLayout,
  type CocoSection,
  cocoInfoBlock,
} from './coco-document.js';
// COCO RLE (pycocotools): one encoder, one validating decoder
export {
  type CocoRle,
  type CocoRleInput,
  cocoRleCounts,
  cocoRleFromString,
  cocoRleString,
  decodeCocoRle,
  encodeCocoRle,
} from './coco-rle.js';
// Image references: classification, names, location
export {
  cacheFileName,
  classifyImageRef,
  type ImageRef,
  type ImageRefKind,
  locateImage,
  safeFileName,
  safeStem,
  stripExtension,
  urlBaseName,
} from './image-names.js';
// Importers: generated labeling config, palette, image URLs, region ids
export {
  IMPORT_COLORS,
  type ImportConfigSpec,
  type ImportControl,
  type ImportLabel,
  imageImportOptions,
  importColor,
  importedTask,
  importLabelConfig,
  importToNameOption,
  joinImageUrl,
  LOCAL_FILES_ROOT,
  newRegionId,
  pyQuote,
  xmlAttr,
} from './import-config.js';
export { labelText, unwritableLabel } from './labels.js';
// Tabular outputs (JSON_MIN, CSV)
export { prettifyResult, prettifyUntyped } from './prettify.js';
// Python's math, correctly rounded
export { pyAtan, pyCos, pyRadians, pySin } from './py-math.js';
// Python semantics: printing values and numbers, rounding, dates
export {
  annotatorOf,
  exportDate,
  type FloatSpelling,
  jsonNumberAt,
  jsonWithSpellings,
  pyDateTime,
  pyJsonFloat,
  pyJsonNumber,
  pyJsonNumbers,
  pyNumber,
  pyRepr,
  pyReprJoin,
  pyReprOf,
  pyRound,
  pyStr,
  pyStrAt,
  pyStringRepr,
  pyStrOrJson,
  pyTruthy,
  spellNumber,
} from './python.js';
// Which formats Label Studio offers for a labeling config
export { REFERENCE_FORMATS, referenceSupport, referenceSupports } from './reference-support.js';
// Vision formats: categories, geometry
export {
  type Category,
  type CategoryTable,
  ClipCounter,
  clamp,
  codePointCompare,
  configCategories,
  envelope,
  imageDataKey,
  isShapeControl,
  itemRegions,
  itemRegionsWithIds,
  keypointLabelNames,
  keypointOrder,
  missingImageSkip,
  num,
  type Point,
  percentRotatedEnvelope,
  polygonArea,
  positiveNum,
  pyInt,
  rectangleCorners,
  rectangleLabelNames,
  regionLabels,
  SHAPE_CONTROL_TYPES,
  sizeFromRegions,
  taskImageUrl,
} from './vision.js';
// Vision formats: the options they all declare
export {
  annotationMode,
  imageDirOf,
  type VisionOptionValues,
  visionOptions,
} from './vision-options.js';
