// `--threads 1` and a worker pool must write the same bytes and the same report, on
// every conformance case and both compat modes, and on the benchmark's generated
// inputs (smaller), for every format with a prepare step.
// The pool runs the built worker (packages/core/dist): run `pnpm build` first.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type FormatDefinition,
  loadRegistry,
  memorySink,
  openTaskSource,
  parseLabelConfig,
  type RunExportOptions,
  runExport,
} from '@lsconv/core';
import { defaultExportArgs, findConformanceDir, loadConformanceCases } from '@lsconv/testkit';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: the bench generator is plain JavaScript without types
import { CONFIGS, generateExport } from '../bench/generate.mjs';

// COCO's info block carries the export time: pin it, or two runs a few ms apart differ.
process.env.SOURCE_DATE_EPOCH ??= '1700000000';

const root = join(import.meta.dirname, '..');
const registry = await loadRegistry({ cwd: root });
const parallel = [...registry.formats.values()].filter((f) => f.format.prepare && f.origin.entry);
// The shared corpus (the repository's own cases add conformance, not thread parity, and time).
const cases = loadConformanceCases(findConformanceDir()).filter((c) => c.tasksFile && c.configFile);

type Case = { name: string; dir: string; tasksFile?: string; configFile?: string; exportArgs?: unknown };

async function outcome(
  format: FormatDefinition<any>,
  extra: Partial<RunExportOptions>,
  c: Case,
  compat: 'python' | 'default',
) {
  const sink = memorySink();
  let args: Partial<RunExportOptions>;
  try {
    args = defaultExportArgs(c.exportArgs as Parameters<typeof defaultExportArgs>[0], c.dir);
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

/**
 * A pooled run matches the single-threaded one, and neither failed (two equal errors
 * prove nothing) unless `mayFail`: a case the reference wrote no output for in this
 * format, where refusing the input is a result (then both must refuse it alike).
 */
function expectSame(pooled: unknown, single: unknown, what: string, mayFail = false): void {
  if (!mayFail) expect(single, `${what}: the single-threaded export failed`).not.toHaveProperty('error');
  expect(pooled, what).toEqual(single);
}

describe('threads', () => {
  it('the comparison fails when both runs failed the same way, or when they differ', () => {
    expect(() => expectSame({ error: 'boom' }, { error: 'boom' }, 'both failed')).toThrow(
      /single-threaded export failed/,
    );
    expect(() => expectSame({ files: [['a', 'QQ==']] }, { files: [] }, 'differ')).toThrow();
    expect(() => expectSame({ files: [] }, { files: [] }, 'same')).not.toThrow();
    expect(() => expectSame({ error: 'refused' }, { error: 'refused' }, 'no reference', true)).not.toThrow();
    expect(() => expectSame({ files: [] }, { error: 'refused' }, 'no reference', true)).toThrow();
  });
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
        // Core's built module: it exports the built-in JSON format, not JSON_MIN. (The
        // registry's own entry for JSON is core's source here, under vitest's aliases.)
        formatModule: join(root, 'packages/core/dist/index.js'),
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
            expectSame(pooled, single, `${c.name} ${compat}`, !c.outputs[format.id]);
          }
        });
      }
    });
  }
});

describe('threads on the benchmark inputs', () => {
  // The three generated profiles, small enough for the suite; tiny batches spread them over the workers.
  const dir = mkdtempSync(join(tmpdir(), 'lsconv-threads-bench-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const profiles = Object.keys(CONFIGS as Record<string, string>);
  const benchCases = new Map<string, Promise<Case>>();
  const benchCase = (profile: string) => {
    let made = benchCases.get(profile);
    if (!made) {
      made = (async () => {
        const tasksFile = join(dir, `${profile}.json`);
        const configFile = join(dir, `${profile}.xml`);
        writeFileSync(configFile, (CONFIGS as Record<string, string>)[profile]!);
        await generateExport(tasksFile, profile, 400);
        return { name: profile, dir, tasksFile, configFile };
      })();
      benchCases.set(profile, made);
    }
    return made;
  };
  it('generates every profile', () => {
    expect(profiles).toEqual(expect.arrayContaining(['mixed', 'image', 'text']));
  });
  // The *_WITH_IMAGES variants would download the generated URLs (no network here);
  // they share their base format's prepare step and are compared on the cases above.
  for (const { format, origin } of parallel.filter((f) => !f.format.id.endsWith('_WITH_IMAGES'))) {
    for (const profile of profiles) {
      it(`${format.id} on the ${profile} profile: one thread and a pool write the same`, async () => {
        const c = await benchCase(profile);
        const single = await outcome(format, { threads: 1 }, c, 'default');
        const pooled = await outcome(
          format,
          { threads: 2, formatModule: origin.entry, minParallelBytes: 0, parallelBatchBytes: 16 * 1024 },
          c,
          'default',
        );
        expectSame(pooled, single, profile);
      });
    }
  }
});
