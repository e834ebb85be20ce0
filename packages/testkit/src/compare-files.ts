import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { PNG } from 'pngjs';
import { compareJsonTrees, DifferenceCollector, type JsonPathRule } from './compare-json.js';
import { type CsvCell, type CsvRecord, parseCsv, sniffDelimiter } from './csv.js';
import { canonicalJson, type JsonTree, parseJsonTree } from './json-value.js';
import { type NpyArray, npyReader, parseNpy } from './npy.js';
import { numbersEqual, parseNumberToken, valuesClose } from './numbers.js';
import { decodeUtf8, describeStringDifference, splitLines } from './text-diff.js';

/** How a file's content is compared (see NORMALISE.md). */
export type FileKind = 'json' | 'jsonl' | 'csv' | 'yolo-labels' | 'lines' | 'xml' | 'npy' | 'png' | 'bytes';

/** Settings for comparing one file. */
export interface FileCompareSettings {
  /** JSON paths that are ignored or compared by base name. */
  jsonRules?: readonly JsonPathRule[];
  /** Sort a top-level JSON list by each element's `data` before comparing (IMPORT_YOLO). */
  sortByData?: boolean;
  /** CSV delimiter; sniffed from the expected header when absent. */
  delimiter?: string;
}

/** Compares one file's bytes by kind, recording every difference in `out`. */
export function compareFileContent(
  kind: FileKind,
  expected: Uint8Array,
  actual: Uint8Array,
  out: DifferenceCollector,
  settings: FileCompareSettings = {},
): void {
  if (kind === 'bytes') {
    compareBytes(expected, actual, out);
    return;
  }
  if (kind === 'npy') {
    compareNpy(expected, actual, out);
    return;
  }
  if (kind === 'png') {
    comparePng(expected, actual, out);
    return;
  }
  const e = decodeUtf8(expected);
  if (e === undefined) {
    out.add('the expected file is not valid UTF-8');
    return;
  }
  const a = decodeUtf8(actual);
  if (a === undefined) {
    out.add('not valid UTF-8 text');
    return;
  }
  switch (kind) {
    case 'json':
      compareJsonText(e, a, out, settings);
      return;
    case 'jsonl':
      compareJsonLines(e, a, out, settings);
      return;
    case 'csv':
      compareCsvText(e, a, out, settings.delimiter);
      return;
    case 'yolo-labels':
      compareYoloLabels(e, a, out);
      return;
    case 'lines':
      compareLines(e, a, out);
      return;
    case 'xml':
      compareXmlText(e, a, out);
      return;
  }
}

// ---------------------------------------------------------------- JSON

function parseOrReport(
  text: string,
  out: DifferenceCollector,
  which: 'expected' | 'actual',
  prefix = '',
): JsonTree | undefined {
  try {
    return parseJsonTree(text);
  } catch (error) {
    out.add(
      `${prefix}${which === 'expected' ? 'the expected file is' : 'is'} not valid JSON: ${(error as Error).message}`,
    );
    return undefined;
  }
}

/** Structural JSON comparison of two texts. */
export function compareJsonText(
  expected: string,
  actual: string,
  out: DifferenceCollector,
  settings: FileCompareSettings = {},
): void {
  const e = parseOrReport(expected, out, 'expected');
  if (e === undefined) return;
  const a = parseOrReport(actual, out, 'actual');
  if (a === undefined) return;
  const sort = (tree: JsonTree) =>
    Array.isArray(tree) && settings.sortByData
      ? [...tree].sort((x, y) => {
          const kx = canonicalJson(x instanceof Map ? (x.get('data') ?? null) : null);
          const ky = canonicalJson(y instanceof Map ? (y.get('data') ?? null) : null);
          return kx < ky ? -1 : kx > ky ? 1 : 0;
        })
      : tree;
  compareJsonTrees(sort(e), sort(a), out, { rules: settings.jsonRules ?? [] });
}

/** JSON Lines: the same number of non-empty lines, each compared as JSON. */
export function compareJsonLines(
  expected: string,
  actual: string,
  out: DifferenceCollector,
  settings: FileCompareSettings = {},
): void {
  const lines = (text: string) =>
    text
      .split('\n')
      .map((line, i) => ({ line: line.replace(/\r$/, ''), number: i + 1 }))
      .filter((l) => l.line.trim() !== '');
  const e = lines(expected);
  const a = lines(actual);
  if (e.length !== a.length) out.add(`expected ${e.length} non-empty lines, got ${a.length}`);
  const n = Math.min(e.length, a.length);
  for (let i = 0; i < n && !out.full; i++) {
    const el = e[i]!;
    const al = a[i]!;
    const prefix = `line ${al.number}: `;
    const et = parseOrReport(el.line, out, 'expected', `line ${el.number}: `);
    const at = parseOrReport(al.line, out, 'actual', prefix);
    if (et === undefined || at === undefined) continue;
    compareJsonTrees(et, at, out, { rules: settings.jsonRules ?? [], prefix });
  }
}

// ---------------------------------------------------------------- CSV

/** Cell-by-cell CSV comparison (rows in order, columns by name, quoting and numbers per NORMALISE.md). */
export function compareCsvText(
  expected: string,
  actual: string,
  out: DifferenceCollector,
  delimiter?: string,
): void {
  const sep = delimiter ?? sniffDelimiter(expected);
  let e: CsvRecord[];
  let a: CsvRecord[];
  try {
    e = parseCsv(expected, sep);
  } catch (error) {
    out.add(`the expected file is not valid CSV: ${(error as Error).message}`);
    return;
  }
  try {
    a = parseCsv(actual, sep);
  } catch (error) {
    out.add(`not valid CSV (delimiter ${JSON.stringify(sep)}): ${(error as Error).message}`);
    return;
  }
  const eHeader = e[0];
  const aHeader = a[0];
  if (!eHeader) {
    if (aHeader) out.add(`expected an empty file, got ${a.length} rows`);
    return;
  }
  if (!aHeader) {
    out.add('the file is empty: expected a header row');
    return;
  }
  const eCols = headerColumns(eHeader, out, 'expected');
  const aCols = headerColumns(aHeader, out, 'actual');
  const names = [...eCols.keys()];
  for (const name of names) {
    const ac = aCols.get(name);
    if (!ac) {
      out.add(`header: column ${JSON.stringify(name)} is missing`);
      continue;
    }
    const ec = eCols.get(name)!;
    if (ec.quoted !== ac.quoted) {
      out.add(
        `header: column ${JSON.stringify(name)} should be ${ec.quoted ? 'quoted' : 'bare'}, got ${ac.quoted ? 'quoted' : 'bare'}`,
      );
    }
  }
  for (const name of aCols.keys()) {
    if (!eCols.has(name)) out.add(`header: unexpected column ${JSON.stringify(name)}`);
  }
  const eRows = e.slice(1);
  const aRows = a.slice(1);
  if (eRows.length !== aRows.length) out.add(`expected ${eRows.length} data rows, got ${aRows.length}`);
  const n = Math.min(eRows.length, aRows.length);
  for (let r = 0; r < n && !out.full; r++) {
    const er = eRows[r]!;
    const ar = aRows[r]!;
    const rowName = `row ${r + 1} (line ${ar.line})`;
    if (ar.cells.length !== aHeader.cells.length) {
      out.add(`${rowName}: has ${ar.cells.length} cells but the header has ${aHeader.cells.length}`);
    }
    for (const name of names) {
      const ec = eCols.get(name)!;
      const ac = aCols.get(name);
      if (!ac) continue;
      const eCell = er.cells[ec.index];
      const aCell = ar.cells[ac.index];
      const where = `${rowName}, column ${JSON.stringify(name)}`;
      if (!eCell) continue;
      if (!aCell) {
        out.add(`${where}: missing cell`);
        continue;
      }
      compareCsvCell(eCell, aCell, where, out);
    }
  }
}

function headerColumns(
  header: CsvRecord,
  out: DifferenceCollector,
  which: string,
): Map<string, { index: number; quoted: boolean }> {
  const cols = new Map<string, { index: number; quoted: boolean }>();
  header.cells.forEach((cell, index) => {
    if (cols.has(cell.value)) {
      out.add(`header (${which}): column ${JSON.stringify(cell.value)} appears twice`);
      return;
    }
    cols.set(cell.value, { index, quoted: cell.quoted });
  });
  return cols;
}

/** Compares two CSV cells: quoting must match; bare numbers by the number rule; JSON cells structurally; the rest exactly. */
export function compareCsvCell(e: CsvCell, a: CsvCell, where: string, out: DifferenceCollector): void {
  if (e.quoted !== a.quoted) {
    out.add(
      `${where}: expected a ${e.quoted ? 'quoted' : 'bare'} cell ${JSON.stringify(e.value)}, got a ${a.quoted ? 'quoted' : 'bare'} cell ${JSON.stringify(a.value)}`,
    );
    return;
  }
  if (!e.quoted) {
    const en = parseNumberToken(e.value);
    const an = parseNumberToken(a.value);
    if (en && an) {
      if (!numbersEqual(en, an)) out.add(`${where}: expected ${en.raw}, got ${an.raw}`);
      return;
    }
  }
  if (e.value === a.value) return;
  if (/^[[{]/.test(e.value) && /^[[{]/.test(a.value)) {
    let et: JsonTree | undefined;
    let at: JsonTree | undefined;
    try {
      et = parseJsonTree(e.value);
      at = parseJsonTree(a.value);
    } catch {
      // Not JSON on both sides: compared as text below.
    }
    if (et !== undefined && at !== undefined) {
      compareJsonTrees(et, at, out, { prefix: `${where} JSON ` });
      return;
    }
  }
  out.add(`${where}: ${describeStringDifference(e.value, a.value)}`);
}

// ---------------------------------------------------------------- text

/** Exact lines (classes.txt, result.conll); one final line break optional. */
export function compareLines(expected: string, actual: string, out: DifferenceCollector): void {
  const e = splitLines(expected);
  const a = splitLines(actual);
  if (e.length !== a.length) out.add(`expected ${e.length} lines, got ${a.length}`);
  const n = Math.min(e.length, a.length);
  for (let i = 0; i < n && !out.full; i++) {
    if (e[i] !== a[i]) out.add(`line ${i + 1}: ${describeStringDifference(e[i]!, a[i]!)}`);
  }
}

/** YOLO label files: line by line, whitespace-split tokens, numeric tokens by the number rule. */
export function compareYoloLabels(expected: string, actual: string, out: DifferenceCollector): void {
  const e = splitLines(expected);
  const a = splitLines(actual);
  if (e.length !== a.length) out.add(`expected ${e.length} lines, got ${a.length}`);
  const n = Math.min(e.length, a.length);
  for (let i = 0; i < n && !out.full; i++) {
    const et = e[i]!.trim().split(/\s+/).filter(Boolean);
    const at = a[i]!.trim().split(/\s+/).filter(Boolean);
    if (et.length !== at.length) {
      out.add(
        `line ${i + 1}: expected ${et.length} tokens, got ${at.length} (${describeStringDifference(e[i]!, a[i]!)})`,
      );
      continue;
    }
    for (let t = 0; t < et.length; t++) {
      const ev = et[t]!;
      const av = at[t]!;
      const en = parseNumberToken(ev);
      const an = parseNumberToken(av);
      const equal = en && an ? numbersEqual(en, an) : ev === av;
      if (!equal) out.add(`line ${i + 1}, token ${t + 1}: expected ${ev}, got ${av}`);
    }
  }
}

// ---------------------------------------------------------------- XML

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
}
type XmlNode = XmlElement | { text: string };

const xmlParser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  htmlEntities: true,
});

function parseXml(text: string): XmlNode[] | string {
  const valid = XMLValidator.validate(text);
  if (valid !== true) return `${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`;
  const convert = (nodes: unknown[]): XmlNode[] => {
    const result: XmlNode[] = [];
    for (const node of nodes as Record<string, unknown>[]) {
      for (const [key, value] of Object.entries(node)) {
        if (key === ':@') continue;
        if (key === '#text') {
          const t = String(value);
          if (t.trim() !== '') result.push({ text: t });
          continue;
        }
        if (key.startsWith('?') || key.startsWith('!')) continue;
        const attrs = (node[':@'] as Record<string, unknown> | undefined) ?? {};
        result.push({
          name: key,
          attrs: Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, String(v)])),
          children: convert(Array.isArray(value) ? value : []),
        });
      }
    }
    return result;
  };
  return convert(xmlParser.parse(text) as unknown[]);
}

function textsEqual(e: string, a: string): boolean {
  if (e === a) return true;
  const en = parseNumberToken(e.trim());
  const an = parseNumberToken(a.trim());
  return en !== undefined && an !== undefined && numbersEqual(en, an);
}

/** XML: element names, order, attributes and text; whitespace-only text ignored; numbers by the number rule. */
export function compareXmlText(expected: string, actual: string, out: DifferenceCollector): void {
  const e = parseXml(expected);
  if (typeof e === 'string') {
    out.add(`the expected file is not well-formed XML: ${e}`);
    return;
  }
  const a = parseXml(actual);
  if (typeof a === 'string') {
    out.add(`not well-formed XML: ${a}`);
    return;
  }
  const label = (node: XmlNode) => ('text' in node ? `text ${JSON.stringify(node.text)}` : `<${node.name}>`);
  const walk = (en: XmlNode[], an: XmlNode[], path: string) => {
    if (en.length !== an.length) {
      out.add(
        `${path || '/'}: expected ${en.length} child nodes (${en.map(label).join(' ')}), got ${an.length} (${an.map(label).join(' ')})`.slice(
          0,
          400,
        ),
      );
    }
    const seen = new Map<string, number>();
    const n = Math.min(en.length, an.length);
    for (let i = 0; i < n && !out.full; i++) {
      const x = en[i]!;
      const y = an[i]!;
      if ('text' in x || 'text' in y) {
        if ('text' in x && 'text' in y) {
          if (!textsEqual(x.text, y.text))
            out.add(`${path}/text(): ${describeStringDifference(x.text, y.text)}`);
        } else out.add(`${path}: child ${i + 1}: expected ${label(x)}, got ${label(y)}`);
        continue;
      }
      const count = (seen.get(x.name) ?? 0) + 1;
      seen.set(x.name, count);
      const here = `${path}/${x.name}[${count}]`;
      if (x.name !== y.name) {
        out.add(`${path || '/'}: child ${i + 1}: expected <${x.name}>, got <${y.name}>`);
        continue;
      }
      for (const [k, v] of Object.entries(x.attrs)) {
        const w = y.attrs[k];
        if (w === undefined) out.add(`${here}/@${k}: missing (expected ${JSON.stringify(v)})`);
        else if (!textsEqual(v, w)) out.add(`${here}/@${k}: ${describeStringDifference(v, w)}`);
      }
      for (const [k, w] of Object.entries(y.attrs)) {
        if (!(k in x.attrs)) out.add(`${here}/@${k}: unexpected attribute (value ${JSON.stringify(w)})`);
      }
      walk(x.children, y.children, here);
    }
  };
  walk(e, a, '');
}

// ---------------------------------------------------------------- binary

/** Byte equality, reporting sizes and the first differing offset. */
export function compareBytes(expected: Uint8Array, actual: Uint8Array, out: DifferenceCollector): void {
  const n = Math.min(expected.length, actual.length);
  let i = 0;
  while (i < n && expected[i] === actual[i]) i++;
  if (i === n && expected.length === actual.length) return;
  out.add(
    expected.length !== actual.length && i === n
      ? `expected ${expected.length} bytes, got ${actual.length} (one is a prefix of the other)`
      : `bytes differ at offset ${i} (expected ${expected.length} bytes, got ${actual.length}): expected 0x${hex(expected[i])}, got 0x${hex(actual[i])}`,
  );
}

function hex(byte: number | undefined): string {
  return byte === undefined ? '--' : byte.toString(16).padStart(2, '0');
}

/** NumPy `.npy`: shape, dtype and every element (header bytes may differ). */
export function compareNpy(expected: Uint8Array, actual: Uint8Array, out: DifferenceCollector): void {
  let e: NpyArray;
  let a: NpyArray;
  try {
    e = parseNpy(expected);
  } catch (error) {
    out.add(`the expected file is not a readable .npy: ${(error as Error).message}`);
    return;
  }
  try {
    a = parseNpy(actual);
  } catch (error) {
    out.add(`not a readable .npy file: ${(error as Error).message}`);
    return;
  }
  if (e.shape.join(',') !== a.shape.join(',')) {
    out.add(`shape: expected (${e.shape.join(', ')}), got (${a.shape.join(', ')})`);
    return;
  }
  if (e.dtype.kind !== a.dtype.kind || e.dtype.size !== a.dtype.size) {
    out.add(`dtype: expected ${e.dtype.descr}, got ${a.dtype.descr}`);
    return;
  }
  const er = npyReader(e);
  const ar = npyReader(a);
  if (!er || !ar) {
    // Types without element semantics here (strings, structured): compare the data bytes.
    const ed = e.bytes.subarray(e.dataOffset);
    const ad = a.bytes.subarray(a.dataOffset);
    if (e.fortranOrder !== a.fortranOrder) {
      out.add(`fortran_order: expected ${e.fortranOrder}, got ${a.fortranOrder}`);
      return;
    }
    const inner = new DifferenceCollector(1);
    compareBytes(ed, ad, inner);
    for (const m of inner.messages) out.add(`data (dtype ${e.dtype.descr}): ${m}`);
    return;
  }
  const total = e.shape.reduce((p, d) => p * d, 1);
  let mismatches = 0;
  let shown = 0;
  for (let i = 0; i < total; i++) {
    const ev = er(i);
    const av = ar(i);
    const equal =
      typeof ev === 'number' && typeof av === 'number' && (e.dtype.kind === 'f' || a.dtype.kind === 'f')
        ? valuesClose(ev, av)
        : ev === av;
    if (equal) continue;
    mismatches++;
    if (shown < 5 && !out.full) {
      shown++;
      out.add(`element [${multiIndex(i, e.shape).join(', ')}]: expected ${String(ev)}, got ${String(av)}`);
    }
  }
  if (mismatches > shown) out.add(`${mismatches} of ${total} elements differ in all`);
}

function multiIndex(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length).fill(0);
  let rest = flat;
  for (let k = shape.length - 1; k >= 0; k--) {
    const d = shape[k]!;
    index[k] = d === 0 ? 0 : rest % d;
    rest = d === 0 ? 0 : Math.floor(rest / d);
  }
  return index;
}

/** The PIL mode name of a PNG, from its colour type and bit depth. */
export function pngMode(meta: { colorType: number; depth: number; palette?: boolean }): string {
  if (meta.palette || meta.colorType === 3) return 'P';
  switch (meta.colorType) {
    case 0:
      return meta.depth === 1 ? '1' : meta.depth === 8 ? 'L' : meta.depth === 16 ? 'I;16' : `L;${meta.depth}`;
    case 2:
      return meta.depth === 16 ? 'RGB;16' : 'RGB';
    case 4:
      return meta.depth === 16 ? 'LA;16' : 'LA';
    case 6:
      return meta.depth === 16 ? 'RGBA;16' : 'RGBA';
    default:
      return `colour type ${meta.colorType}`;
  }
}

/** PNG: size, mode and every pixel (compression bytes may differ). */
export function comparePng(expected: Uint8Array, actual: Uint8Array, out: DifferenceCollector): void {
  const read = (bytes: Uint8Array) =>
    PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { skipRescale: true });
  let e: ReturnType<typeof read>;
  let a: ReturnType<typeof read>;
  try {
    e = read(expected);
  } catch (error) {
    out.add(`the expected file is not a readable PNG: ${(error as Error).message}`);
    return;
  }
  try {
    a = read(actual);
  } catch (error) {
    out.add(`not a readable PNG: ${(error as Error).message}`);
    return;
  }
  if (e.width !== a.width || e.height !== a.height) {
    out.add(`size: expected ${e.width}x${e.height}, got ${a.width}x${a.height}`);
    return;
  }
  const em = pngMode(e);
  const am = pngMode(a);
  if (em !== am) {
    out.add(`mode: expected ${em}, got ${am}`);
    return;
  }
  // pngjs expands every image to RGBA; equal modes make the expanded pixels comparable.
  const ed = e.data as unknown as ArrayLike<number>;
  const ad = a.data as unknown as ArrayLike<number>;
  let mismatches = 0;
  let shown = 0;
  for (let p = 0; p < e.width * e.height; p++) {
    let same = true;
    for (let c = 0; c < 4; c++) if (ed[p * 4 + c] !== ad[p * 4 + c]) same = false;
    if (same) continue;
    mismatches++;
    if (shown < 5 && !out.full) {
      shown++;
      const px = (d: ArrayLike<number>) => `(${[0, 1, 2, 3].map((c) => d[p * 4 + c]).join(', ')})`;
      out.add(
        `pixel x=${p % e.width}, y=${Math.floor(p / e.width)}: expected RGBA ${px(ed)}, got RGBA ${px(ad)}`,
      );
    }
  }
  if (mismatches > shown) out.add(`${mismatches} of ${e.width * e.height} pixels differ in all`);
}
