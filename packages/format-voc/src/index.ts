/** `@lsconv/format-voc`: the Pascal VOC XML export. */

export type { VocDocument, VocObject } from './voc.js';
export { pythonVocBox, voc, vocBox, vocXml } from './voc.js';
export { parseVocXml, type VocAnnotation, type VocImportObject, vocImporter } from './voc-import.js';
