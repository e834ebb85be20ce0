import { compareBytes, compareNpy, comparePng } from './compare-binary.js';
import { compareJsonTrees, type DifferenceCollector, type JsonPathRule } from './compare-json.js';
import { compareXmlText } from './compare-xml.js';
import { type CsvCell, type CsvRecord, parseCsv, sniffDelimiter } from './csv.js';
import { canonicalJson, type JsonTree, parseJsonTree } from './json-value.js';
import { numbersEqual, parseNumberToken } from './numbers.js';
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
