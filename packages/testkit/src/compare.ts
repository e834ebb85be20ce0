import { promises as fs } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { compareFileContent, type FileCompareSettings, type FileKind } from './compare-files.js';
import { DifferenceCollector, type JsonPathRule } from './compare-json.js';

/** One difference between an expected and an actual output folder. */
export interface OutputDifference {
  /** The file, relative to the output folder, `/`-separated. */
  path: string;
  /** `MISSING`: expected but not written; `EXTRA`: written but not expected; `DIFF`: content differs. */
  kind: 'MISSING' | 'EXTRA' | 'DIFF';
  /** Where and how: `row 3 (line 4), column "title": expected "a", got "b"`. */
  detail: string;
}

/** Options of {@link compareOutputs}. */
export interface CompareOptions {
  /**
   * The format whose rules apply (`COCO`, `TSV`, `IMPORT_YOLO`…). Default: the name
   * of the expected folder (`…/expected/COCO` → `COCO`).
   */
  format?: string;
  /** At most this many differences are listed per file (default 20). */
  maxDifferencesPerFile?: number;
  /** Overrides how a file is compared; return undefined to keep the default. */
  fileKind?: (path: string, format: string) => FileKind | undefined;
  /** Extra JSON rules for a file, on top of the format's. */
  jsonRules?: (path: string, format: string) => readonly JsonPathRule[];
}

/** Files that describe a run, not output: skipped at the top of the expected folder. */
const RUN_METADATA = new Set(['RUNS.json', 'supported_formats.json']);

const YOLO_FORMATS = new Set(['YOLO', 'YOLO_OBB', 'YOLO_WITH_IMAGES', 'YOLO_OBB_WITH_IMAGES']);
const COCO_FORMATS = new Set(['COCO', 'COCO_WITH_IMAGES']);
const IMPORT_FORMATS = new Set(['IMPORT_YOLO', 'IMPORT_COCO']);

/**
 * Compares an output (files in memory, as a memory sink holds them, or a folder)
 * with a reference folder, applying every rule of the conformance NORMALISE.md:
 * which values are ignored or relaxed, and how each kind of file is compared.
 * Returns the differences, sorted by path; an empty list means conformance.
 */
export async function compareOutputs(
  expectedDir: string,
  actual: ReadonlyMap<string, Uint8Array> | string,
  options: CompareOptions = {},
): Promise<OutputDifference[]> {
  const format = options.format ?? basename(expectedDir);
  const limit = options.maxDifferencesPerFile ?? 20;
  const expectedFiles = (await listFiles(expectedDir)).filter((p) => !RUN_METADATA.has(p));
  const actualFiles = typeof actual === 'string' ? await readFolder(actual) : actual;
  const differences: OutputDifference[] = [];
  for (const path of expectedFiles) {
    const got = actualFiles.get(path);
    if (!got) {
      differences.push({ path, kind: 'MISSING', detail: `${path} was not written` });
      continue;
    }
    const expected = await fs.readFile(join(expectedDir, ...path.split('/')));
    const kind = options.fileKind?.(path, format) ?? fileKindFor(path, format);
    const settings = fileSettings(path, format);
    const extraRules = options.jsonRules?.(path, format) ?? [];
    if (extraRules.length) settings.jsonRules = [...(settings.jsonRules ?? []), ...extraRules];
    const out = new DifferenceCollector(limit);
    try {
      compareFileContent(kind, expected, got, out, settings);
    } catch (error) {
      out.add(`could not be compared as ${kind}: ${(error as Error).message}`);
    }
    for (const message of out.messages)
      differences.push({ path, kind: 'DIFF', detail: `${path} (${kind}): ${message}` });
    if (out.truncated) {
      differences.push({
        path,
        kind: 'DIFF',
        detail: `${path} (${kind}): more differences not listed (limit ${limit} per file)`,
      });
    }
  }
  const expectedSet = new Set(expectedFiles);
  for (const path of [...actualFiles.keys()].sort()) {
    if (!expectedSet.has(path)) {
      differences.push({
        path,
        kind: 'EXTRA',
        detail: `${path} was written (${actualFiles.get(path)?.byteLength ?? 0} bytes) but is not in the reference output`,
      });
    }
  }
  return differences.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Renders differences as one readable block for a failing test. */
export function formatDifferences(differences: readonly OutputDifference[]): string {
  if (differences.length === 0) return 'no differences';
  return differences.map((d) => `${d.kind.padEnd(7)} ${d.detail}`).join('\n');
}

/**
 * How a file of an output is compared, from its path and the format (NORMALISE.md
 * section 2): JSON structurally, ASR manifests as JSON Lines, CSV/TSV cell by
 * cell, YOLO `labels/*.txt` token by token, other text by exact lines, XML parsed,
 * `.npy` and `.png` by content, anything else byte for byte.
 */
export function fileKindFor(path: string, format = ''): FileKind {
  const name = path.split('/').pop() ?? path;
  const dirs = path.split('/').slice(0, -1);
  const ext = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1).toLowerCase() : '';
  if (format === 'ASR_MANIFEST') {
    if (path === 'manifest.json') return 'jsonl';
    if (dirs[0] === 'audio') return 'bytes';
  }
  switch (ext) {
    case 'json':
      return 'json';
    case 'jsonl':
    case 'ndjson':
      return 'jsonl';
    case 'csv':
    case 'tsv':
      return 'csv';
    case 'txt':
      return dirs.includes('labels') ? 'yolo-labels' : 'lines';
    case 'conll':
      return 'lines';
    case 'xml':
      return 'xml';
    case 'npy':
      return 'npy';
    case 'png':
      return 'png';
    default:
      return 'bytes';
  }
}

/** The relaxed values (NORMALISE.md section 1) of one file of a format. */
export function fileSettings(path: string, format: string): FileCompareSettings {
  const settings: FileCompareSettings = {};
  if (format === 'TSV') settings.delimiter = '\t';
  else if (format === 'CSV') settings.delimiter = ',';
  const rules: JsonPathRule[] = [];
  if (COCO_FORMATS.has(format) && path === 'result.json') {
    rules.push(
      { pattern: ['info', 'date_created'], rule: 'ignore' },
      { pattern: ['info', 'year'], rule: 'ignore' },
      { pattern: ['images', '*', 'file_name'], rule: 'basename' },
    );
  }
  if (YOLO_FORMATS.has(format) && path === 'notes.json') {
    rules.push({ pattern: ['info', 'year'], rule: 'ignore' });
  }
  if (format === 'BRUSH_TO_COCO' && path === 'result_coco.json') {
    rules.push(
      { pattern: ['info', 'date_created'], rule: 'ignore' },
      { pattern: ['info', 'year'], rule: 'ignore' },
      { pattern: ['categories', '*', 'color'], rule: 'ignore' },
      { pattern: ['images', '*', 'path'], rule: 'basename' },
      { pattern: ['images', '*', 'file_name'], rule: 'basename' },
    );
  }
  if (IMPORT_FORMATS.has(format) && fileKindFor(path, format) === 'json') {
    rules.push(
      { pattern: ['*', 'annotations', '*', 'result', '*', 'id'], rule: 'ignore' },
      { pattern: ['*', 'predictions', '*', 'result', '*', 'id'], rule: 'ignore' },
      { pattern: ['*', 'completions', '*', 'result', '*', 'id'], rule: 'ignore' },
    );
    if (format === 'IMPORT_YOLO') settings.sortByData = true;
  }
  if (rules.length) settings.jsonRules = rules;
  return settings;
}

/** Every regular file under a folder, as sorted `/`-separated relative paths (empty folders give nothing). */
export async function listFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (current: string) => {
    const entries = await fs.readdir(current, { withFileTypes: true });
    for (const entry of entries) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) found.push(relative(dir, full).split(sep).join('/'));
    }
  };
  await walk(dir);
  return found.sort();
}

/** Reads every regular file under a folder into a map of relative path → bytes. */
export async function readFolder(dir: string): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const path of await listFiles(dir)) files.set(path, await fs.readFile(join(dir, ...path.split('/'))));
  return files;
}
