// The text of a VOC annotation file, as the Python converter's minidom writes it.

/** One `<object>` of a VOC file, in pixels. */
export interface VocObject {
  name: string;
  xmin: number;
  ymin: number;
  xmax: number;
  ymax: number;
}

/** Everything a VOC annotation file holds. */
export interface VocDocument {
  folder: string;
  filename: string;
  annotator: string;
  width: number | string;
  height: number | string;
  depth: number;
  objects: readonly VocObject[];
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Element text with the five XML entities escaped. */
function escapeXml(value: string | number): string {
  const text = String(value);
  return /[&<>"']/.test(text) ? text.replace(/[&<>"']/g, (c) => ENTITIES[c]!) : text;
}

const el = (tag: string, value: string | number) => `<${tag}>${escapeXml(value)}</${tag}>\n`;

/**
 * The XML text of a VOC file, element for element as the Python converter writes it
 * (minidom, no indentation, one element per line, `encoding="utf-8"` declaration).
 * Built as a string: a file per image makes a general XML builder the main cost.
 */
export function vocXml(doc: VocDocument): string {
  return vocHead(doc) + vocObjects(doc.objects);
}

/** The text of a VOC file up to its first `<object>`. */
export function vocHead(doc: Omit<VocDocument, 'objects'>): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?>\n<annotation>\n' +
    el('folder', doc.folder) +
    el('filename', doc.filename) +
    '<source>\n<database>MyDatabase</database>\n<annotation>COCO2017</annotation>\n<image>flickr</image>\n<flickrid>NULL</flickrid>\n' +
    el('annotator', doc.annotator) +
    '</source>\n<owner>\n<flickrid>NULL</flickrid>\n<name>Label Studio</name>\n</owner>\n<size>\n' +
    el('width', doc.width) +
    el('height', doc.height) +
    el('depth', doc.depth) +
    '</size>\n<segmented>0</segmented>\n'
  );
}

/** The `<object>` elements and the closing tag: everything after {@link vocHead}. */
export function vocObjects(objects: readonly VocObject[]): string {
  let xml = '';
  for (const o of objects) {
    xml +=
      '<object>\n' +
      el('name', o.name) +
      '<pose>Unspecified</pose>\n<truncated>0</truncated>\n<difficult>0</difficult>\n<bndbox>\n' +
      el('xmin', o.xmin) +
      el('ymin', o.ymin) +
      el('xmax', o.xmax) +
      el('ymax', o.ymax) +
      '</bndbox>\n</object>\n';
  }
  return `${xml}</annotation>\n`;
}
