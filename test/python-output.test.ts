// Under `--compat python` the files a Python user diffs are byte for byte the Python
// converter's, on every public conformance case (the shared ones and the project's own): CSV/TSV `result.csv`, CoNLL
// `result.conll`, YOLO label files and `classes.txt`, VOC XML. In its JSON files
// (JSON_MIN, COCO, YOLO notes, BRUSH_TO_COCO, the ASR manifest) every number keeps the
// Python spelling: `80.0` stays `80.0`, `1e-05` stays `1e-05`, a computed float prints its
// repr. The testkit conformance suites compare the same outputs on content; this file
// holds the spelling to the letter. It runs the built formats (`pnpm build` first).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadRegistry, memorySink, openTaskSource, parseLabelConfig, runExport } from '@lsconv/core';
import {
  defaultExportArgs,
  JsonNumber,
  type JsonTree,
  loadConformanceCases,
  parseJsonTree,
} from '@lsconv/testkit';
import { describe, expect, it } from 'vitest';

process.env.SOURCE_DATE_EPOCH ??= '1700000000';

const registry = await loadRegistry({ cwd: join(import.meta.dirname, '..') });
// The shared cases and the repository's own (fixtures/conformance).
const cases = loadConformanceCases().filter((c) => c.tasksFile);

/** Files compared byte for byte. */
const TEXT = /\.(csv|conll|txt|xml)$/;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** NORMALISE.md §1: values that change from run to run. */
function ignored(path: readonly (string | number)[]): boolean {
  const last = path[path.length - 1];
  return path[0] === 'info' || last === 'date_created' || last === 'color';
}

/**
 * Every number of `expected` whose literal differs in `actual` at the same place (objects
 * by key, lists by index). Structure and values are the conformance suites' business:
 * places missing in `actual` are left to them.
 */
function spellingDifferences(expected: JsonTree, actual: JsonTree, where = ''): string[] {
  const out: string[] = [];
  const walk = (e: JsonTree, a: JsonTree | undefined, path: (string | number)[]) => {
    if (a === undefined || ignored(path)) return;
    if (e instanceof JsonNumber) {
      const got = a instanceof JsonNumber ? a.raw : JSON.stringify(a);
      if (got !== e.raw) out.push(`${where}${path.join('.')}: expected ${e.raw}, got ${got}`);
    } else if (Array.isArray(e)) {
      if (Array.isArray(a)) for (const [i, v] of e.entries()) walk(v, a[i], [...path, i]);
    } else if (e instanceof Map && a instanceof Map) {
      for (const [key, v] of e) walk(v, a.get(key), [...path, key]);
    }
  };
  walk(expected, actual, []);
  return out;
}

function jsonValues(path: string, text: string): JsonTree[] {
  // The ASR manifest is JSON Lines.
  if (path.endsWith('manifest.json')) return text.split('\n').filter(Boolean).map(parseJsonTree);
  return [parseJsonTree(text)];
}

describe('--compat python writes what the Python converter writes', () => {
  it('has conformance cases with text and JSON outputs', () => {
    const formats = new Set(cases.flatMap((c) => Object.keys(c.outputs)));
    for (const id of ['CSV', 'TSV', 'CONLL2003', 'YOLO', 'YOLO_OBB', 'VOC', 'JSON_MIN', 'COCO'])
      expect(formats).toContain(id);
  });

  for (const c of cases) {
    for (const [formatId, expectedDir] of Object.entries(c.outputs)) {
      const found = registry.formats.get(formatId);
      if (!found) continue;
      it(`${c.name} ${formatId}`, async () => {
        const sink = memorySink();
        await runExport({
          format: found.format,
          // As the command line opens it: the JSON format writes each task's bytes back.
          tasks: openTaskSource(c.tasksFile!, { keepRaw: formatId === 'JSON' }),
          config: c.configFile ? parseLabelConfig(readFileSync(c.configFile, 'utf8')) : undefined,
          sink,
          compat: 'python',
          force: true,
          input: 'tasks.json',
          ...exportArgs(c.exportArgs, c.dir),
        });
        const differences: string[] = [];
        for (const file of filesUnder(expectedDir)) {
          const name = relative(expectedDir, file).split('\\').join('/');
          const isText = TEXT.test(name);
          if (!isText && !name.endsWith('.json')) continue;
          if (!sink.files.has(name)) {
            differences.push(`${name}: not written`);
            continue;
          }
          const expected = readFileSync(file);
          const actual = Buffer.from(sink.files.get(name)!);
          if (isText) {
            if (!expected.equals(actual)) differences.push(`${name}: ${firstDifference(expected, actual)}`);
            continue;
          }
          const e = jsonValues(name, expected.toString('utf8'));
          const a = jsonValues(name, actual.toString('utf8'));
          for (const [i, value] of e.entries())
            differences.push(...spellingDifferences(value, a[i] ?? null, `${name} `));
        }
        expect(differences).toEqual([]);
      });
    }
  }
});

/** The reference run's arguments as run options (as the conformance suites translate them). */
function exportArgs(args: Record<string, unknown>, dir: string) {
  try {
    return defaultExportArgs(args, dir);
  } catch {
    return { resources: { baseDir: dir } };
  }
}

/** Where two byte strings first differ, with a little context. */
function firstDifference(expected: Buffer, actual: Buffer): string {
  let i = 0;
  while (i < expected.length && i < actual.length && expected[i] === actual[i]) i++;
  const from = Math.max(0, i - 20);
  const show = (b: Buffer) => JSON.stringify(b.subarray(from, i + 40).toString('utf8'));
  return `byte ${i}: expected …${show(expected)}, got …${show(actual)}`;
}
