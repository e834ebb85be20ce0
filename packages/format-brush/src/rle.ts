/**
 * Label Studio's brush RLE codec. It lives in `@lsconv/core` (importers need it too);
 * this module re-exports it so the package's own modules and its public API are unchanged.
 */
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
} from '@lsconv/core';
