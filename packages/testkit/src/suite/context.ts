import { promises as fs, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import {
  arrayTaskSource,
  emptyLabelConfig,
  type FormatDefinition,
  type LabelConfig,
  type MemorySink,
  memorySink,
  parseLabelConfig,
  type ResourceOptions,
  type ResourceResolver,
  type RunExportOptions,
  runExport,
  type Task,
} from '@lsconv/core';
import { REFERENCE_FORMATS } from '@lsconv/format-kit';
import type { ConformanceCase } from '../cases.js';
import { compareOutputs } from '../compare.js';
import type { FormatSuiteOptions, Runner } from './types.js';

/** The formats Label Studio offers or refuses per config (its `supported_formats` universe). */
export const LABEL_STUDIO_FORMATS: readonly string[] = Object.freeze(
  // Every export type of the reference except CSV_OLD (never listed) and DOCLANG (never run for the corpus).
  REFERENCE_FORMATS.filter((id) => id !== 'CSV_OLD' && id !== 'DOCLANG'),
);

/**
 * The default translation of a case's `export_args` (the Python converter's run
 * arguments) into runExport options: `upload_dir` → `resources.uploadDir` (relative
 * to the case), `download_resources` → `resources.download`; the case folder is
 * the base of relative media paths. Unknown arguments throw, naming them.
 */
export function defaultExportArgs(
  args: Readonly<Record<string, unknown>>,
  caseDir: string,
): Partial<RunExportOptions> {
  const resources: ResourceOptions = { baseDir: caseDir };
  for (const [key, value] of Object.entries(args)) {
    if (key === 'upload_dir' && typeof value === 'string') resources.uploadDir = resolve(caseDir, value);
    else if (key === 'download_resources' && typeof value === 'boolean') resources.download = value;
    else {
      throw new Error(
        `@lsconv/testkit: export argument ${key}=${JSON.stringify(value)} has no translation — pass options.exportArgs to describeFormatSuite`,
      );
    }
  }
  return { resources };
}

/**
 * The runner every check uses: a memory sink, the suite's format options, test resource
 * options, and `compat: 'python'` unless `more.compat` says otherwise.
 */
export function makeRunner(
  format: FormatDefinition<any>,
  options: FormatSuiteOptions,
  cacheDir: string,
): Runner {
  return async (setup, tasks, more = {}) => {
    const sink = memorySink();
    const extra = { ...setup.extra, ...more };
    const report = await runExport({
      format,
      tasks: isAsyncIterable(tasks) ? tasks : arrayTaskSource(tasks as unknown[], 'testkit tasks'),
      config: setup.config,
      sink,
      compat: 'python',
      input: 'testkit tasks',
      ...(options.formatOptions ? { options: options.formatOptions } : {}),
      ...extra,
      resources: withTestResources(extra.resources, cacheDir),
    });
    return { sink, report };
  };
}

/** The labeling config of a conformance case (an empty one when it has none). */
export function caseConfig(c: ConformanceCase): LabelConfig {
  if (!c.configFile) return emptyLabelConfig();
  return parseLabelConfig(readFileSync(c.configFile, 'utf8'), { file: c.configFile });
}

/** Resource options for tests: a temporary cache, no network wait; a given resolver is kept. */
export function withTestResources(
  given: RunExportOptions['resources'],
  cacheDir: string,
): ResourceOptions | ResourceResolver {
  if (isResolver(given)) return given;
  // Tests write only to temporary folders and never wait long on the network.
  return { cacheDir, fetch: false, retries: 0, timeoutMs: 5000, ...given };
}

/** True for a resource resolver (rather than resource options). */
export function isResolver(value: unknown): value is ResourceResolver {
  return (
    typeof value === 'object' && value !== null && typeof (value as ResourceResolver).resolve === 'function'
  );
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Task> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AsyncIterable<Task>)[Symbol.asyncIterator] === 'function'
  );
}

/** All output paths and texts, for "does the output mention X" checks. */
export function outputText(sink: MemorySink): string {
  const decoder = new TextDecoder();
  return [...sink.files].map(([path, bytes]) => `${path}\n${decoder.decode(bytes)}`).join('\n');
}

/** True when `text` holds `value` raw, or JSON-escaped to ASCII as Python's json writes it. */
export function mentions(text: string, value: string): boolean {
  if (text.includes(value)) return true;
  const ascii = value.replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return (
    text.includes(ascii) ||
    text.includes(ascii.replace(/\\u([0-9a-f]{4})/g, (_, h: string) => `\\u${h.toUpperCase()}`))
  );
}

/** Freezes a value and everything it holds. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** An async iterable that fails if it is iterated a second time. */
export function onceIterable(tasks: readonly unknown[]): {
  iterable: AsyncIterable<Task>;
  iterations: () => number;
} {
  let count = 0;
  return {
    iterations: () => count,
    iterable: {
      [Symbol.asyncIterator]() {
        count++;
        if (count > 1)
          throw new Error('@lsconv/testkit: the task stream was iterated twice; formats must read it once');
        const it = tasks[Symbol.iterator]();
        return {
          async next() {
            const n = it.next();
            return n.done ? { done: true, value: undefined } : { done: false, value: n.value as Task };
          },
        };
      },
    },
  };
}

/** Files by path, as a memory sink holds them. */
export type Files = ReadonlyMap<string, Uint8Array>;

/**
 * How two outputs differ, one line per file: byte for byte, or after the NORMALISE.md
 * rules (`normalised`, for formats that write a timestamp). Empty when they are the same.
 */
export async function outputDifferences(
  a: Files,
  b: Files,
  mode: 'bytes' | 'normalised',
  format: string,
): Promise<string[]> {
  if (mode === 'normalised') {
    const dir = await fs.mkdtemp(join(tmpdir(), 'lsconv-testkit-run-'));
    try {
      for (const [path, bytes] of a) {
        const file = join(dir, ...path.split('/'));
        await fs.mkdir(dirname(file), { recursive: true });
        await fs.writeFile(file, bytes);
      }
      return (await compareOutputs(dir, b, { format })).map((d) => `${d.kind} ${d.detail}`);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }
  const problems: string[] = [];
  const paths = new Set([...a.keys(), ...b.keys()]);
  for (const path of [...paths].sort()) {
    const x = a.get(path);
    const y = b.get(path);
    if (!x) problems.push(`${path}: only in the second output`);
    else if (!y) problems.push(`${path}: only in the first output`);
    else if (Buffer.compare(Buffer.from(x), Buffer.from(y)) !== 0) {
      const at = x.findIndex((byte, i) => byte !== y[i]);
      problems.push(
        `${path}: bytes differ (${x.length} vs ${y.length} bytes, first at offset ${at < 0 ? Math.min(x.length, y.length) : at})`,
      );
    }
  }
  return problems;
}
