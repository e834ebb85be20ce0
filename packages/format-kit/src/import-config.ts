/**
 * Shared pieces of the importers (YOLO, COCO, VOC → Label Studio tasks): the labeling
 * config they write beside the tasks, the label colours, the image URLs Label Studio
 * serves, and short region ids.
 */
import { randomBytes } from 'node:crypto';
import { LsconvError, type Result, type Task } from '@lsconv/core';

/**
 * Label colours by category index. The Python converter's importers use this palette
 * (colour = palette[category id mod length]); keeping it makes generated configs match.
 */
export const IMPORT_COLORS: readonly (readonly [number, number, number])[] = Object.freeze([
  [218, 1, 238],
  [0, 255, 0],
  [1, 146, 243],
  [241, 135, 0],
  [12, 0, 184],
  [72, 124, 73],
  [187, 1, 37],
  [166, 250, 86],
  [178, 135, 216],
  [0, 252, 159],
  [116, 239, 254],
  [252, 65, 124],
  [99, 56, 252],
  [252, 183, 127],
  [115, 41, 127],
  [255, 255, 0],
  [137, 176, 1],
  [95, 192, 153],
  [1, 53, 87],
  [148, 86, 0],
  [179, 123, 99],
  [5, 168, 6],
  [33, 101, 165],
  [3, 232, 254],
  [254, 86, 239],
  [64, 234, 74],
  [188, 228, 185],
  [45, 74, 0],
  [2, 170, 123],
  [251, 53, 7],
  [250, 176, 247],
  [176, 61, 197],
  [127, 255, 0],
  [99, 1, 6],
  [199, 4, 140],
  [0, 71, 252],
  [101, 164, 251],
  [255, 255, 127],
  [215, 197, 46],
  [117, 3, 199],
  [70, 0, 82],
  [116, 120, 156],
  [244, 121, 164],
  [147, 186, 88],
  [183, 55, 82],
  [96, 253, 180],
  [19, 194, 191],
  [0, 0, 255],
  [254, 7, 79],
  [77, 135, 0],
  [103, 62, 54],
  [82, 111, 222],
  [254, 121, 80],
  [176, 195, 252],
  [60, 215, 6],
  [53, 50, 196],
  [186, 168, 150],
  [52, 180, 59],
  [2, 108, 105],
  [5, 3, 119],
  [1, 117, 28],
  [248, 34, 189],
  [212, 92, 35],
  [252, 216, 188],
  [74, 3, 252],
  [255, 0, 0],
  [193, 245, 20],
  [139, 130, 41],
  [1, 223, 106],
  [72, 85, 115],
  [147, 0, 96],
  [160, 22, 253],
  [144, 96, 251],
  [64, 149, 178],
  [182, 254, 244],
  [47, 30, 32],
  [5, 51, 149],
  [138, 176, 198],
  [71, 5, 144],
  [2, 216, 42],
  [73, 208, 226],
  [109, 235, 121],
  [161, 87, 139],
  [120, 221, 46],
  [114, 73, 187],
  [149, 33, 8],
  [207, 218, 117],
  [42, 253, 212],
  [189, 154, 12],
  [1, 0, 56],
  [106, 154, 114],
  [230, 130, 245],
  [3, 149, 73],
  [210, 52, 252],
  [254, 234, 63],
  [216, 159, 83],
  [52, 227, 152],
  [211, 187, 204],
  [0, 142, 181],
  [44, 76, 58],
  [127, 98, 89],
  [149, 209, 148],
  [52, 130, 124],
  [0, 102, 212],
  [58, 198, 109],
  [196, 50, 141],
  [252, 163, 185],
  [254, 207, 3],
  [177, 15, 195],
  [27, 187, 253],
  [224, 79, 187],
  [130, 221, 204],
  [225, 216, 252],
  [251, 0, 149],
  [203, 47, 28],
  [254, 167, 43],
  [94, 96, 17],
  [242, 49, 67],
  [155, 253, 146],
  [63, 42, 96],
  [104, 166, 48],
  [189, 122, 160],
  [35, 36, 247],
  [195, 93, 238],
  [1, 253, 68],
  [217, 95, 107],
  [140, 4, 150],
  [117, 13, 55],
  [93, 45, 0],
  [0, 58, 28],
  [80, 254, 28],
  [165, 200, 34],
  [123, 134, 205],
  [34, 111, 254],
  [208, 18, 86],
  [254, 35, 248],
  [228, 251, 199],
  [64, 2, 202],
  [65, 50, 144],
  [164, 87, 53],
  [113, 254, 75],
  [1, 40, 205],
  [218, 254, 88],
  [154, 98, 193],
  [58, 147, 230],
  [47, 254, 117],
  [145, 137, 254],
  [249, 95, 1],
  [78, 177, 4],
  [128, 42, 216],
  [207, 253, 146],
  [150, 143, 134],
  [52, 78, 230],
  [153, 41, 162],
  [137, 42, 83],
  [185, 112, 1],
  [121, 200, 246],
  [173, 158, 61],
  [10, 203, 146],
  [203, 127, 53],
  [109, 210, 1],
  [43, 143, 38],
  [51, 176, 146],
  [71, 254, 252],
  [221, 145, 132],
  [7, 188, 82],
  [100, 198, 82],
  [90, 179, 200],
  [101, 34, 172],
  [1, 228, 205],
  [205, 163, 245],
  [200, 210, 0],
  [111, 157, 166],
  [152, 254, 208],
  [22, 73, 118],
  [165, 62, 254],
  [254, 84, 59],
  [58, 162, 100],
  [227, 16, 33],
  [233, 30, 124],
  [247, 200, 81],
  [167, 29, 114],
  [230, 177, 1],
  [212, 149, 187],
  [224, 5, 188],
  [153, 248, 40],
  [181, 210, 79],
  [121, 1, 247],
  [115, 78, 140],
  [224, 201, 157],
  [84, 30, 222],
  [33, 248, 35],
  [6, 124, 142],
  [80, 97, 157],
  [216, 113, 201],
  [24, 109, 67],
] as const);

/** One label of a generated control tag. */
export interface ImportLabel {
  /** The label value (category name). */
  value: string;
  /** Picks the colour: `IMPORT_COLORS[colorIndex % length]` (the category id). */
  colorIndex: number;
  /** Extra attributes written on the `<Label>` (e.g. `model_index` for pose keypoints). */
  attrs?: Readonly<Record<string, string>>;
}

/** One control tag of a generated labeling config. */
export interface ImportControl {
  /** `RectangleLabels`, `PolygonLabels`, `KeyPointLabels`, `BrushLabels`… */
  tag: string;
  /** The control's `name` (results' `from_name`). */
  name: string;
  labels: readonly ImportLabel[];
  /** Extra attributes on the control tag. */
  attrs?: Readonly<Record<string, string>>;
}

/** What `importLabelConfig` takes. */
export interface ImportConfigSpec {
  /** Name of the `<Image>` tag (results' `to_name`). */
  toName: string;
  /** The task data key holding the image URL (`image`). */
  valueKey?: string;
  controls: readonly ImportControl[];
  /**
   * `python` writes `toName="image"` on every control whatever `toName` is, as the
   * Python converter does; `default` points the controls at the real image tag.
   */
  compat?: 'default' | 'python';
}

/**
 * Escapes text for an XML attribute value. Tabs and line breaks become character
 * references: written raw, an XML parser reads them back as spaces (attribute value
 * normalisation), so a label `Car\nTruck` would come back as `Car Truck`.
 */
export function xmlAttr(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

/** The `background` colour of category `index`, as `rgba(r, g, b, 1)`. */
export function importColor(index: number): string {
  const n = IMPORT_COLORS.length;
  const c = IMPORT_COLORS[((Math.trunc(index) % n) + n) % n]!;
  return `rgba(${c[0]}, ${c[1]}, ${c[2]}, 1)`;
}

function attrText(attrs: Readonly<Record<string, string>> | undefined): string {
  return Object.entries(attrs ?? {})
    .map(([k, v]) => ` ${k}="${xmlAttr(v)}"`)
    .join('');
}

/**
 * The labeling config of an import: one `<Image>` and, per control, a `<Header>`
 * and the control with its labels, laid out like the Python converter's generated
 * config (so the two can be compared), with attribute values escaped.
 */
export function importLabelConfig(spec: ImportConfigSpec): string {
  const target = spec.compat === 'python' ? 'image' : spec.toName;
  let body = '';
  for (const control of spec.controls) {
    body += `\n  <Header value="${xmlAttr(control.tag)}"/>\n`;
    body += `  <${control.tag} name="${xmlAttr(control.name)}" toName="${xmlAttr(target)}"${attrText(control.attrs)}>\n`;
    for (const label of control.labels) {
      body += `    <Label value="${xmlAttr(label.value)}" background="${importColor(label.colorIndex)}"${attrText(label.attrs)}/>\n`;
    }
    body += `  </${control.tag}>\n`;
  }
  return `<View>\n  <Image name="${xmlAttr(spec.toName)}" value="$${spec.valueKey ?? 'image'}"/>\n${body}</View>\n`;
}

/** A short random region id (10 hex digits), like Label Studio's. */
export function newRegionId(): string {
  return randomBytes(5).toString('hex');
}

/** Percent-encodes like Python's `urllib.parse.quote(text, safe='/')`. */
export function pyQuote(text: string, safe = '/'): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9_.~-]/.test(ch) || (byte < 128 && safe.includes(ch))) out += ch;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function unquotePlus(text: string): string {
  const spaced = text.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/** The default image root of imports: Label Studio's local-files endpoint. */
export const LOCAL_FILES_ROOT = '/data/local-files/?d=';

/**
 * Joins an image root URL and a file path the way Label Studio serves files, as
 * the Python converter's `join_input_url` does: for a local-files URL
 * (`/data/local-files/?d=dir`) the path is appended to the `d` parameter and the
 * query re-encoded; otherwise the path is percent-encoded and appended to the URL's
 * path (the root's own characters are kept). Backslashes count as `/`.
 */
export function joinImageUrl(root: string, ...parts: readonly string[]): string {
  if (root.trim() === '') {
    // The root comes from the user's --image-root-url, so this is their error, not a bug.
    throw new LsconvError('INVALID_OPTION', 'the image root URL must not be empty', {
      hint: 'give --image-root-url a URL such as /data/local-files/?d=images, or leave it out',
    });
  }
  const cleaned = parts.map((p) => p.replace(/\\/g, '/').replace(/^\/+|\/+$/g, '')).filter((p) => p !== '');
  if (cleaned.length === 0) throw new TypeError('an image path is needed');
  const relative = cleaned.join('/').replace(/^\/+/, '');
  const m = /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(root);
  const scheme = m?.[1] ?? '';
  const netloc = m?.[2];
  const path = m?.[3] ?? '';
  const query = m?.[4] ?? '';
  const fragment = m?.[5];
  const unsplit = (p: string, q: string): string => {
    let url = p;
    if (netloc !== undefined) url = `//${netloc}${url && !url.startsWith('/') ? `/${url}` : url}`;
    if (scheme) url = `${scheme}:${url}`;
    if (q) url += `?${q}`;
    if (fragment) url += `#${fragment}`;
    return url;
  };
  const items = query
    .split('&')
    .filter((f) => f !== '')
    .map((f) => {
      const eq = f.indexOf('=');
      return eq < 0
        ? ([unquotePlus(f), ''] as const)
        : ([unquotePlus(f.slice(0, eq)), unquotePlus(f.slice(eq + 1))] as const);
    });
  if (path.replace(/\/+$/, '').endsWith('/data/local-files') && items.some(([k]) => k === 'd')) {
    const encoded = items
      .map(([k, v]) => {
        const value = k === 'd' ? (v ? `${v.replace(/\/+$/, '')}/${relative}` : relative) : v;
        return `${pyQuote(k)}=${pyQuote(value)}`;
      })
      .join('&');
    return unsplit(path, encoded);
  }
  const encodedPath = pyQuote(relative);
  if (scheme || netloc) {
    const prefix = path.replace(/\/+$/, '');
    return unsplit(prefix ? `${prefix}/${encodedPath}` : `/${encodedPath}`, query);
  }
  return `${root.replace(/\/+$/, '')}/${encodedPath}`;
}

/** The `toName` option every image importer declares: the Image tag of the generated config. */
export const importToNameOption = {
  type: 'string',
  default: 'image',
  description: 'Name of the Image tag in the generated labeling config (to_name)',
} as const;

/**
 * The options every image dataset importer (COCO, VOC, YOLO) declares first, in this
 * order: `toName`, `fromName`, `outType`, `imageRootUrl`. Each importer says what its
 * `fromName` names and what its image root is joined to (default: Label Studio's local
 * files; `''` when the importer picks the root itself).
 */
export function imageImportOptions(spec: {
  fromName: string;
  imageRootUrl: string;
  imageRootDefault?: string;
}) {
  return {
    toName: importToNameOption,
    fromName: { type: 'string', default: 'label', description: spec.fromName },
    outType: {
      type: 'enum',
      choices: ['annotations', 'predictions'],
      default: 'annotations',
      description: 'Import as annotations or as predictions',
    },
    imageRootUrl: {
      type: 'string',
      default: spec.imageRootDefault ?? LOCAL_FILES_ROOT,
      description: spec.imageRootUrl,
    },
  } as const;
}

/** A task for one imported image: its URL, and the regions as one annotation or prediction. */
export function importedTask(url: string, outType: 'annotations' | 'predictions', result: Result[]): Task {
  return { data: { image: url }, [outType]: [{ result, ground_truth: false }] };
}
