// `--threads 1` and a worker pool must write the same bytes and the same report, on
// every conformance case and both compat modes, for every format with a prepare step.
// The pool runs the built worker (packages/core/dist): run `pnpm build` first.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  discoverPlugins,
  type FormatDefinition,
  memorySink,
  openTaskSource,
  parseLabelConfig,
  type RunExportOptions,
  runExport,
} from '@lsconv/core';
import { defaultExportArgs, loadConformanceCases } from '@lsconv/testkit';
import { describe, expect, it } from 'vitest';

// COCO's info block carries the export time: pin it, or two runs a few ms apart differ.
process.env.SOURCE_DATE_EPOCH ??= '1700000000';

const root = join(import.meta.dirname, '..');
const registry = await discoverPlugins({ cwd: root });
const parallel = [...registry.formats.values()].filter((f) => f.format.prepare && f.origin.entry);
const cases = loadConformanceCases().filter((c) => c.tasksFile && c.configFile);

async function outcome(
  format: FormatDefinition<any>,
  extra: Partial<RunExportOptions>,
  c: (typeof cases)[number],
  compat: 'python' | 'default',
) {
  const sink = memorySink();
  let args: Partial<RunExportOptions>;
  try {
    args = defaultExportArgs(c.exportArgs, c.dir);
  } catch {
    args = { resources: { baseDir: c.dir } };
  }
  try {
    const report = await runExport({
      format,
      tasks: openTaskSource(c.tasksFile!),
      config: parseLabelConfig(readFileSync(c.configFile!, 'utf8')),
      sink,
      compat,
      force: true,
      input: 'tasks.json',
      ...args,
      ...extra,
    });
    const { durationMs: _, ...data } = report.toJSON();
    return {
      files: [...sink.files.entries()].map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      report: data,
    };
  } catch (error) {
    return { error: String((error as Error).message) };
  }
}

describe('threads', () => {
  it('has formats with a prepare step to compare', () => {
    expect(parallel.map((f) => f.format.id)).toContain('JSON_MIN');
  });
  it('really uses the workers: a module without the format fails the pooled run', async () => {
    const jsonMin = registry.formats.get('JSON_MIN')!;
    const c = cases[0]!;
    const broken = await outcome(
      jsonMin.format,
      {
        threads: 2,
        formatModule: registry.formats.get('JSON')!.origin.entry ?? join(root, 'packages/core/dist/index.js'),
        minParallelBytes: 0,
      },
      c,
      'python',
    );
    expect(broken).toHaveProperty('error');
    expect((broken as { error: string }).error).toMatch(/exports no format JSON_MIN/);
  });
  for (const { format, origin } of parallel) {
    describe(format.id, () => {
      for (const c of cases) {
        it(`${c.name}: one thread and a pool write the same`, async () => {
          for (const compat of ['python', 'default'] as const) {
            const single = await outcome(format, { threads: 1 }, c, compat);
            const pooled = await outcome(
              format,
              // Tiny batches spread the tasks over both workers, so reassembly is exercised.
              { threads: 2, formatModule: origin.entry, minParallelBytes: 0, parallelBatchBytes: 1 },
              c,
              compat,
            );
            expect(pooled).toEqual(single);
          }
        });
      }
    });
  }
});
