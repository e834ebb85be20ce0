// Shared machinery of the fuzz properties: the formats and importers under test, one
// checked export, and the fast-check parameters (runs and seed from the environment).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { Readable } from 'node:stream';
import {
  arrayTaskSource,
  type CompatMode,
  type ConversionReport,
  type FormatDefinition,
  type ImporterDefinition,
  isFormatDefinition,
  isImporterDefinition,
  isLsconvError,
  type LabelConfig,
  memorySink,
  openTaskSource,
  type ResourceOptions,
  runExport,
  type Sink,
  type TaskSource,
} from '@lsconv/core';
import { pngHeader } from '@lsconv/testkit';
import type fc from 'fast-check';
import { expect, vi } from 'vitest';
import { makeWav } from '../../packages/format-asr-manifest/src/test-audio.js';

// COCO's info block carries the export date; the documented SOURCE_DATE_EPOCH pins it so outputs compare.
process.env.SOURCE_DATE_EPOCH ??= '1700000000';

// A property runs a thousand exports: on a loaded machine that can pass the suite's
// 60-second default, which is about hung tests, not slow ones.
vi.setConfig({ testTimeout: 600_000 });

/** The repository root. */
export const ROOT = join(import.meta.dirname, '..', '..');

/** Generated cases per property: `LSCONV_FUZZ_RUNS`, default 1000. */
export const RUNS = Math.max(1, Number(process.env.LSCONV_FUZZ_RUNS) || 1000);

/**
 * The seed: `LSCONV_FUZZ_SEED`, else a fixed one so the suite is reproducible.
 * `pnpm fuzz` passes a random seed and prints it.
 */
export const SEED =
  Number.isFinite(Number(process.env.LSCONV_FUZZ_SEED)) && process.env.LSCONV_FUZZ_SEED
    ? Number(process.env.LSCONV_FUZZ_SEED)
    : 0x15c0;

/** fast-check parameters: the runs, the seed, and a report that prints the seed and the path to replay. */
export function params<T>(runs = RUNS): fc.Parameters<T> {
  return { numRuns: runs, seed: SEED, endOnFailure: false, verbose: 0 };
}

/** Every package of the workspace that carries the plugin marker, by package name. */
export function pluginPackages(): string[] {
  const names: string[] = [];
  for (const dir of readdirSync(join(ROOT, 'packages')).sort()) {
    try {
      const pkg = JSON.parse(readFileSync(join(ROOT, 'packages', dir, 'package.json'), 'utf8'));
      if (pkg.lsconv?.plugins !== undefined) names.push(pkg.name);
    } catch {
      // not a package
    }
  }
  return names;
}

/**
 * The formats and importers of core and of every plugin package, loaded from source
 * (the test aliases map each package to its `src/index.ts`), so fixes are fuzzed
 * without a build.
 */
export async function loadDefinitions(): Promise<{
  formats: FormatDefinition<any>[];
  importers: ImporterDefinition<any>[];
}> {
  const formats: FormatDefinition<any>[] = [];
  const importers: ImporterDefinition<any>[] = [];
  const modules = [await import('@lsconv/core')] as Record<string, unknown>[];
  for (const name of pluginPackages())
    modules.push((await import(/* @vite-ignore */ name)) as Record<string, unknown>);
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (isFormatDefinition(value)) {
      if (!formats.some((f) => f.id === value.id)) formats.push(value);
    } else if (isImporterDefinition(value) && !importers.some((i) => i.id === value.id))
      importers.push(value);
  };
  for (const module of modules) for (const value of Object.values(module)) visit(value);
  return { formats, importers };
}

/** Error codes that mean lsconv itself failed, not the input: a fuzz failure. */
export const BUG_CODES = new Set(['INTERNAL', 'UNSAFE_PATH']);

/** What one export did. */
export type Outcome =
  | { ok: true; files: Map<string, Uint8Array>; dirs: string[]; report: ConversionReport }
  | { ok: false; code: string; message: string };

/** Options of one fuzzed export. */
export interface FuzzExport {
  format: FormatDefinition<any>;
  config: LabelConfig;
  tasks: () => TaskSource;
  compat: CompatMode;
  force?: boolean;
  options?: Record<string, unknown>;
  sink?: Sink & { files?: ReadonlyMap<string, Uint8Array>; dirs?: ReadonlySet<string> };
  resources?: ResourceOptions;
  threads?: number;
  formatModule?: string;
}

/**
 * Runs one export and classifies the result. An error that is not an LsconvError, or
 * one whose code says lsconv broke (INTERNAL: runExport's wrapper of a stray
 * exception; UNSAFE_PATH: a format built an output path from task data), is thrown
 * again so the property fails with it.
 */
export async function fuzzExport(run: FuzzExport): Promise<Outcome> {
  const sink = run.sink ?? memorySink();
  try {
    const report = await runExport({
      format: run.format,
      tasks: run.tasks(),
      config: run.config,
      sink,
      compat: run.compat,
      force: run.force ?? false,
      options: run.options ?? {},
      input: 'tasks.json',
      resources: run.resources ?? defaultResources(),
      ...(run.threads
        ? { threads: run.threads, formatModule: run.formatModule, minParallelBytes: 0, parallelBatchBytes: 1 }
        : {}),
    });
    const files = new Map(sink.files ?? []);
    return { ok: true, files, dirs: [...(sink.dirs ?? [])].sort(), report };
  } catch (error) {
    if (!isLsconvError(error)) throw error;
    if (BUG_CODES.has(error.code)) throw error;
    return { ok: false, code: error.code, message: error.message };
  }
}

/** A plain comparable form of an outcome (the duration left out). */
export function snapshot(outcome: Outcome): unknown {
  if (!outcome.ok) return outcome;
  const { durationMs: _, ...report } = outcome.report.toJSON();
  return {
    files: [...outcome.files].map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    dirs: outcome.dirs,
    report,
  };
}

/** True when an output path is relative, normalised, and stays inside the output. */
export function isCleanPath(path: string): boolean {
  return (
    path !== '' &&
    !path.startsWith('/') &&
    !path.includes('\\') &&
    !path.includes('\u0000') &&
    !/^[A-Za-z]:/.test(path) &&
    posix.normalize(path) === path &&
    !path.split('/').some((seg) => seg === '..' || seg === '.' || seg === '')
  );
}

/**
 * Resources for fuzzed exports: relative paths resolve in the media folder, media are
 * copied into the output (so the formats that need their bytes get them), the download
 * cache is a temporary folder, and a failed request is not retried.
 */
export function defaultResources(): ResourceOptions {
  cache ??= mkdtempSync(join(tmpdir(), 'lsconv-fuzz-cache-'));
  return { baseDir: mediaDir(), cacheDir: cache, download: true, retries: 0, timeoutMs: 5000 };
}

/** The files of the media folder (the generators' `LOCAL_MEDIA`): a 16×12 PNG and a one-second WAV. */
const MEDIA: Record<string, Uint8Array> = {
  'media/a.png': pngHeader(16, 12),
  'media/b.wav': makeWav(16000),
};

/**
 * Lists what appeared in the folder media paths resolve against besides its media (an
 * export writes only to its sink), then removes the temporary folders of this file's runs.
 */
export function finishResources(): string[] {
  const stray = media ? listTree(media).filter((path) => !(path in MEDIA)) : [];
  for (const dir of [media, cache]) if (dir) rmSync(dir, { recursive: true, force: true });
  media = undefined;
  cache = undefined;
  return stray;
}

let cache: string | undefined;
let media: string | undefined;
/** The folder relative media paths resolve against: only the files of `MEDIA`. */
export function mediaDir(): string {
  if (media) return media;
  media = mkdtempSync(join(tmpdir(), 'lsconv-fuzz-media-'));
  for (const [path, bytes] of Object.entries(MEDIA)) {
    mkdirSync(join(media, dirname(path)), { recursive: true });
    writeFileSync(join(media, path), bytes);
  }
  return media;
}

/**
 * Counts the runs of a property that reached its checks: the others were input lsconv
 * refused with a clear error, which proves little, so each property requires a share.
 */
export class RunTally {
  runs = 0;
  checked = 0;
  constructor(readonly what: string) {}
  count(checked: boolean): void {
    this.runs++;
    if (checked) this.checked++;
  }
  /** Prints the count and fails unless at least `share` of the runs were checked. */
  expectShare(share = 0.5): void {
    const line = `${this.what}: ${this.checked} of ${this.runs} runs checked`;
    console.info(line);
    expect(this.runs, line).toBeGreaterThan(0);
    expect(this.checked, line).toBeGreaterThanOrEqual(Math.ceil(this.runs * share));
  }
}

/** A temporary folder, removed by the returned function. */
export function tempDir(prefix = 'lsconv-fuzz-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Every file under a folder, as relative `/` paths. */
export function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (sub: string) => {
    for (const name of readdirSync(join(dir, sub))) {
      const rel = sub ? `${sub}/${name}` : name;
      if (statSync(join(dir, rel)).isDirectory()) walk(rel);
      else out.push(rel);
    }
  };
  walk('');
  return out.sort();
}

/** Task sources for hand-built objects (NaN and Infinity survive) and for raw JSON text. */
export const sources = {
  objects: (tasks: readonly unknown[]) => () => arrayTaskSource(tasks, 'tasks.json'),
  text: (text: string) => () => openTaskSource(Readable.from([Buffer.from(text)])),
};

/** Counts what a report accounts for: regions written, and skips by kind. */
export function skipCounts(report: ConversionReport): Record<string, number> {
  const data = report.toJSON();
  const out: Record<string, number> = {};
  for (const group of data.skipped) out[group.kind] = (out[group.kind] ?? 0) + group.count;
  return out;
}

/**
 * The regions an export must account for: results with a `from_name` of the config in
 * the annotations that are not cancelled, of the tasks the report did not skip as a
 * whole. The Python converter's rule (and `taskItems`'), restated independently.
 */
export function inputRegions(
  tasks: readonly unknown[],
  config: LabelConfig,
  report: ConversionReport,
): number {
  const entries = report.entries();
  // A task skipped as a whole, or an annotation skip that does not say which annotation
  // (its field names the task data, or nothing), covers the task.
  const annotationField = /^(annotations|completions)\[\d+\]$/;
  const skippedTasks = new Set(
    entries
      .filter((e) => e.kind === 'task' || (e.kind === 'annotation' && !annotationField.test(e.field ?? '')))
      .map((e) => e.taskIndex),
  );
  const skippedAnnotations = new Set(
    entries
      .filter((e) => e.kind === 'annotation' && annotationField.test(e.field ?? ''))
      .map((e) => `${e.taskIndex}:${e.field}`),
  );
  let count = 0;
  tasks.forEach((task, index) => {
    if (skippedTasks.has(index) || typeof task !== 'object' || task === null) return;
    const t = task as Record<string, unknown>;
    const key = 'annotations' in t ? 'annotations' : 'completions';
    const list = t[key];
    if (!Array.isArray(list)) return;
    for (const [j, annotation] of (list as Record<string, unknown>[]).entries()) {
      if (annotation.skipped || annotation.was_cancelled) continue;
      if (skippedAnnotations.has(`${index}:${key}[${j}]`)) continue;
      if (!Array.isArray(annotation.result)) continue;
      for (const r of annotation.result as unknown[]) {
        if (typeof r !== 'object' || r === null || Array.isArray(r)) continue;
        const from = (r as { from_name?: unknown }).from_name;
        if (typeof from === 'string' && from !== '' && config.matchControl(from)) count++;
      }
    }
  });
  return count;
}
