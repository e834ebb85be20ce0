import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { extname, join } from 'node:path';
import {
  type CompatMode,
  type DatasetOptions,
  directorySink,
  type FormatDefinition,
  LsconvError,
  openTaskSource,
  parseLabelConfig,
  type ReportData,
  type ResourceOptions,
  runExport,
  type Sink,
} from '@lsconv/core';
import type { Store, TaskQuery, UserRow } from './store/types.js';
import { type SerializeOptions, serialiseTask } from './tasks.js';

/** Tasks read from the store per page: bounded memory, and the event loop gets a turn between pages. */
export const PAGE_SIZE = 100;

/** What {@link writeTasksJson} returns. */
export interface WrittenJson {
  md5: string;
  taskNumber: number;
  bytes: number;
  /** Regions in the annotations written (results of annotations that were not cancelled). */
  annotatedRegions: number;
}

/**
 * Streams a project's tasks from the store into a JSON list file, serialised as
 * Label Studio exports them, computing the md5 of the bytes on the way.
 */
export async function writeTasksJson(
  store: Store,
  projectId: number,
  query: TaskQuery,
  serialize: SerializeOptions,
  file: string,
  options: { signal?: AbortSignal; onPage?: (tasksWritten: number) => Promise<void> } = {},
): Promise<WrittenJson> {
  const out = createWriteStream(file);
  // Kept, not thrown from an event: a write that completes after a cancel destroyed the
  // stream must not become an uncaught exception.
  let failed: Error | undefined;
  out.on('error', (error) => {
    failed ??= error;
  });
  const hash = createHash('md5');
  let bytes = 0;
  let taskNumber = 0;
  let annotatedRegions = 0;
  const write = async (text: string) => {
    if (failed) throw failed;
    hash.update(text);
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  };
  try {
    await write('[');
    let afterId = 0;
    for (;;) {
      if (options.signal?.aborted) throw new LsconvError('ABORTED', 'the export was cancelled');
      await options.onPage?.(taskNumber);
      const rows = await store.taskPage(projectId, query, afterId, PAGE_SIZE);
      if (rows.length === 0) break;
      const parsed = rows.map((r) => ({ id: r.id, task: JSON.parse(r.json) as Record<string, any> }));
      let users: ReadonlyMap<number, UserRow> = new Map();
      if (serialize.expandCompletedBy) {
        const ids = new Set<number>();
        for (const { task } of parsed)
          for (const a of task.annotations ?? [])
            if (typeof a.completed_by === 'number') ids.add(a.completed_by);
        users = await store.getUsers([...ids]);
      }
      let chunk = '';
      for (const { id, task } of parsed) {
        const out = serialiseTask(id, projectId, task, serialize, users);
        if (!out) continue;
        for (const a of out.annotations ?? [])
          if (!a.was_cancelled && Array.isArray(a.result)) annotatedRegions += a.result.length;
        chunk += (taskNumber === 0 ? '' : ', ') + JSON.stringify(out);
        taskNumber++;
      }
      if (chunk) await write(chunk);
      afterId = rows[rows.length - 1]!.id;
      // Yield to the event loop so status requests stay fast during long exports.
      await new Promise((r) => setImmediate(r));
    }
    await write(']');
    out.end();
    await once(out, 'finish');
  } catch (error) {
    out.destroy();
    await fs.rm(file, { force: true });
    throw error;
  }
  return { md5: hash.digest('hex'), taskNumber, bytes, annotatedRegions };
}

/** The result of converting a JSON export with a format, with the conversion's report. */
export type Converted = (
  | { kind: 'none'; dir: string }
  | { kind: 'file'; dir: string; path: string; ext: string }
  | { kind: 'folder'; dir: string }
  | { kind: 'zipped'; files: number }
) & { report?: ReportData };

/** What {@link convertJsonFile} takes. */
export interface ConvertOptions {
  format: FormatDefinition<any>;
  labelConfig: string;
  /** The JSON export to read. */
  input: string;
  /** A fresh folder to write into; the caller removes it. */
  workDir: string;
  formatOptions?: Record<string, unknown>;
  /** `default` (lsconv's output, its fixes) or `python` (what Label Studio's converter writes). Default `default`. */
  compat?: CompatMode;
  resources: ResourceOptions;
  signal?: AbortSignal;
  /**
   * For formats that declare `output: 'folder'`: write straight into this zip sink
   * instead of a work folder (no temporary files; the result is always a zip).
   */
  zipSink?: Sink;
}

/**
 * Runs a format over a JSON export into a work folder and tells what came out:
 * nothing, exactly one file (delivered as is), or several entries (delivered as a
 * zip), which is how Label Studio decides.
 */
export async function convertJsonFile(options: ConvertOptions): Promise<Converted> {
  const outDir = join(options.workDir, 'out');
  const config = parseLabelConfig(options.labelConfig, { file: 'label_config' });
  const direct = options.format.output === 'folder' && options.zipSink !== undefined;
  // The dataset options travel beside the format's own (views.ts `formatOptionsFrom`).
  const { dataset, ...formatOptions } = options.formatOptions ?? {};
  const report = await runExport({
    format: options.format,
    tasks: openTaskSource(options.input, {
      keepRaw: true,
      ...(options.signal ? { signal: options.signal } : {}),
    }),
    config,
    sink: direct ? options.zipSink! : directorySink(outDir),
    options: formatOptions,
    ...(dataset ? { dataset: dataset as DatasetOptions } : {}),
    compat: options.compat ?? 'default',
    input: 'export',
    resources: options.resources,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const data = report.toJSON();
  if (direct) return { kind: 'zipped', files: report.filesWritten, report: data };
  return { ...(await outputOf(outDir)), report: data };
}

/** What a conversion left in its output folder: nothing, exactly one file, or several entries. */
async function outputOf(outDir: string): Promise<Converted> {
  let entries: import('node:fs').Dirent[] = [];
  try {
    entries = await fs.readdir(outDir, { withFileTypes: true });
  } catch {
    return { kind: 'none', dir: outDir };
  }
  if (entries.length === 0) return { kind: 'none', dir: outDir };
  if (entries.length === 1 && entries[0]!.isFile()) {
    const name = entries[0]!.name;
    return { kind: 'file', dir: outDir, path: join(outDir, name), ext: extname(name) };
  }
  return { kind: 'folder', dir: outDir };
}

/** md5 of a file's bytes, streamed. */
export async function fileMd5(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** `project-<id>-at-YYYY-MM-DD-HH-MM-<md5[:8]>` in server-local time, as Label Studio names exports. */
export function exportStem(projectId: number, md5: string, at = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${at.getFullYear()}-${p(at.getMonth() + 1)}-${p(at.getDate())}-${p(at.getHours())}-${p(at.getMinutes())}`;
  return `project-${projectId}-at-${stamp}-${md5.slice(0, 8)}`;
}

/** Django's `slugify`: ASCII, lower case, runs of spaces and dashes to one dash. */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[^\x00-\x7f]/g, '')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[-\s]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
}

/**
 * The name a snapshot download gets (Label Studio head): the slug of the title
 * (120 characters at most) plus the md5 suffix of the stored file, else the stored name.
 */
export function downloadName(title: string, storedBaseName: string): string {
  const slug = slugify(title)
    .slice(0, 120)
    .replace(/^-+|-+$/g, '');
  if (!slug) return storedBaseName;
  const ext = extname(storedBaseName);
  const stem = storedBaseName.slice(0, storedBaseName.length - ext.length);
  const suffix = stem.split('-').pop() ?? '';
  return `${slug}-${suffix}${ext}`;
}

/** A unique temporary folder name under a parent. */
export function tempName(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now()}-${randomBytes(4).toString('hex')}`;
}
