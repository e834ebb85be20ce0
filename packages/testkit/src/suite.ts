import { randomBytes } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import {
  arrayTaskSource,
  ConversionReport,
  createResourceResolver,
  emptyLabelConfig,
  type FormatDefinition,
  isFormatDefinition,
  isLsconvError,
  type LabelConfig,
  type MemorySink,
  memorySink,
  openTaskSource,
  parseLabelConfig,
  REFERENCE_FORMATS,
  type ResourceOptions,
  type ResourceResolver,
  type RunExportOptions,
  resolveOptions,
  runExport,
  type Task,
} from '@lsconv/core';
import { afterAll, describe, expect, it } from 'vitest';
import { type ConformanceCase, findConformanceDir, loadConformanceCases } from './cases.js';
import { type CompareOptions, compareOutputs, formatDifferences } from './compare.js';

/** A labeling config and tasks that fit a format, for the shared edge cases. */
export interface SampleCase {
  /** The labeling config XML. */
  config: string;
  /** Tasks as in a Label Studio export; at least one should carry an annotation with results. */
  tasks: readonly unknown[];
  /** Folder that media paths in the tasks are relative to (default: the current directory). */
  dir?: string;
  /** Run arguments as in a conformance case's `export_args`. */
  exportArgs?: Readonly<Record<string, unknown>>;
}

/** Options of {@link describeFormatSuite}. */
export interface FormatSuiteOptions {
  /** The conformance folder (default: {@link findConformanceDir}). */
  conformanceDir?: string;
  /** Set to false to skip the conformance cases (a format with no reference output). */
  conformance?: boolean;
  /**
   * Turns a case's `export_args` into runExport options. Default
   * {@link defaultExportArgs}: `upload_dir` and `download_resources` become `resources`.
   */
  exportArgs?: (args: Readonly<Record<string, unknown>>, caseDir: string) => Partial<RunExportOptions>;
  /** A config and tasks for the edge cases; default: the first conformance case with output for the format. */
  sampleCase?: SampleCase;
  /** Format option values used in every run. */
  formatOptions?: Readonly<Record<string, unknown>>;
  /**
   * Conformance cases where the format deliberately differs from the reference (a
   * documented deviation), by case name with the reason. Such a case must still
   * export, and must still differ: a stale entry fails.
   */
  deviations?: Readonly<Record<string, string>>;
  /**
   * True for formats that write every input task as it is (JSON). By default the
   * suite checks the Python converter's selection: a task without an `annotations`
   * list, or with only cancelled annotations, adds nothing to the output.
   */
  writesEveryTask?: boolean;
  /**
   * How two outputs that must be identical are compared: `bytes` (default), or
   * `normalised` (the NORMALISE.md rules, for formats that write a timestamp).
   */
  compareRuns?: 'bytes' | 'normalised';
  /** Options passed to {@link compareOutputs} for the conformance cases. */
  compare?: CompareOptions;
}

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

/** One check of the suite: a group, a name and the function that throws when it fails. */
export interface SuiteCheck {
  /** `metadata`, `conformance`, `supported configs` or `edge cases`. */
  group: 'metadata' | 'conformance' | 'supported configs' | 'edge cases';
  /** What it checks (the test name). */
  name: string;
  /** Runs the check; rejects with an assertion error that says what is wrong. */
  run(): Promise<void>;
}

/** The checks of one format, and a cleanup for the temporary folders they use. */
export interface FormatSuite {
  format: FormatDefinition<any>;
  checks: SuiteCheck[];
  /** Removes the temporary download cache. */
  cleanup(): Promise<void>;
}

/**
 * Registers the shared suite of a format (or of each of several formats) with
 * vitest: metadata, every conformance case with reference output for the format
 * (compared per NORMALISE.md), reference failures, the Label Studio support rule,
 * and the shared edge cases (empty export, task without annotations, cancelled
 * annotations, several annotators, unicode, huge ids, determinism, no input
 * mutation, single pass, cancellation).
 */
export function describeFormatSuite(
  formats: FormatDefinition<any> | readonly FormatDefinition<any>[],
  options: FormatSuiteOptions = {},
): void {
  const list = Array.isArray(formats) ? formats : [formats as FormatDefinition<any>];
  for (const format of list) {
    const suite = formatSuiteChecks(format, options);
    const id = typeof format?.id === 'string' ? format.id : String(format?.id);
    describe(`format ${id} (@lsconv/testkit)`, () => {
      afterAll(() => suite.cleanup());
      for (const group of ['metadata', 'conformance', 'supported configs', 'edge cases'] as const) {
        const checks = suite.checks.filter((c) => c.group === group);
        if (checks.length === 0) continue;
        describe(group, () => {
          for (const check of checks) it(check.name, () => check.run());
        });
      }
    });
  }
}

/**
 * The checks {@link describeFormatSuite} registers, as plain async functions: for
 * other test runners, and for testing the checks themselves.
 */
export function formatSuiteChecks(
  format: FormatDefinition<any>,
  options: FormatSuiteOptions = {},
): FormatSuite {
  let cases: ConformanceCase[] | undefined;
  let casesError: Error | undefined;
  try {
    cases = loadConformanceCases(options.conformanceDir ?? findConformanceDir());
  } catch (error) {
    casesError = error as Error;
  }
  const id = typeof format?.id === 'string' ? format.id : String(format?.id);
  const translate = options.exportArgs ?? defaultExportArgs;
  // Created by the resolver only if something is downloaded; removed by cleanup().
  const cacheDir = join(tmpdir(), `lsconv-testkit-cache-${process.pid}-${randomBytes(4).toString('hex')}`);

  const run: Runner = async (setup, tasks, more = {}) => {
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

  const checks: SuiteCheck[] = [];
  const add = (group: SuiteCheck['group']) => (name: string, fn: () => void | Promise<void>) =>
    checks.push({ group, name, run: async () => fn() });

  registerMetadata(format, add('metadata'));
  if (options.conformance !== false) {
    if (cases) {
      registerConformance(format, options, cases, translate, run, add('conformance'));
      registerSupport(format, cases, translate, run, add('supported configs'));
    } else {
      add('conformance')('finds the conformance cases', () => {
        throw casesError ?? new Error('no conformance cases');
      });
    }
  }
  let sample: Sample | undefined;
  let problem: string | undefined;
  try {
    sample = pickSample(format, options, cases, translate);
  } catch (error) {
    problem = (error as Error).message;
  }
  if (sample) registerEdgeCases(format, options, sample, run, cacheDir, add('edge cases'));
  else {
    add('edge cases')('has a sample case', () => {
      throw new Error(
        problem ??
          `@lsconv/testkit: no conformance case fits format ${id} — pass options.sampleCase ({ config, tasks }) to describeFormatSuite`,
      );
    });
  }
  return { format, checks, cleanup: () => fs.rm(cacheDir, { recursive: true, force: true }) };
}

type Add = (name: string, fn: () => void | Promise<void>) => void;

interface Setup {
  config: LabelConfig;
  extra: Partial<RunExportOptions>;
}

interface Sample {
  name: string;
  config: LabelConfig;
  xml: string;
  file: string | undefined;
  tasks: readonly unknown[];
  extra: () => Partial<RunExportOptions>;
}

function registerMetadata(format: FormatDefinition<any>, it: Add): void {
  it('is a format definition made by defineFormat', () => {
    expect(isFormatDefinition(format), 'not a format definition (use defineFormat from @lsconv/core)').toBe(
      true,
    );
    expect(format.kind).toBe('lsconv-format');
    expect(typeof format.export).toBe('function');
    expect(typeof format.supports).toBe('function');
    expect(['file', 'folder']).toContain(format.output);
  });
  it('has an upper-case id, a title and a description', () => {
    expect(format.id, 'id must be Label Studio style: upper-case letters, digits and _').toMatch(
      /^[A-Z][A-Z0-9_]*$/,
    );
    expect(typeof format.title === 'string' && format.title.trim().length > 0, 'title is empty').toBe(true);
    expect(
      typeof format.description === 'string' && format.description.trim().length > 0,
      'description is empty',
    ).toBe(true);
  });
  it('describes every option', () => {
    for (const [name, spec] of Object.entries(format.options ?? {})) {
      const s = spec as { type?: unknown; description?: unknown; choices?: unknown };
      expect(
        typeof s.description === 'string' && s.description.trim().length > 0,
        `option ${name} has no description`,
      ).toBe(true);
      expect(['string', 'enum', 'boolean', 'number'], `option ${name} has an unknown type`).toContain(s.type);
      if (s.type === 'enum')
        expect(Array.isArray(s.choices) && s.choices.length > 0, `option ${name} has no choices`).toBe(true);
    }
  });
  it('is frozen', () => {
    expect(Object.isFrozen(format), 'the definition object is not frozen').toBe(true);
    expect(Object.isFrozen(format.options), 'options are not frozen').toBe(true);
    expect(Object.isFrozen(format.tags), 'tags are not frozen').toBe(true);
    for (const [name, spec] of Object.entries(format.options ?? {}))
      expect(Object.isFrozen(spec), `option ${name} is not frozen`).toBe(true);
  });
  it('answers supports() with ok, or with a reason', () => {
    const answer = format.supports(emptyLabelConfig());
    expect(typeof answer.ok).toBe('boolean');
    if (!answer.ok)
      expect(
        typeof answer.reason === 'string' && answer.reason.trim().length > 0,
        'refusal without a reason',
      ).toBe(true);
  });
}

type Runner = (
  setup: Setup,
  tasks: AsyncIterable<Task> | readonly unknown[],
  more?: Partial<RunExportOptions>,
) => Promise<{ sink: MemorySink; report: ConversionReport }>;
type Translate = (args: Readonly<Record<string, unknown>>, caseDir: string) => Partial<RunExportOptions>;

function caseConfig(c: ConformanceCase): LabelConfig {
  if (!c.configFile) return emptyLabelConfig();
  return parseLabelConfig(readFileSync(c.configFile, 'utf8'), { file: c.configFile });
}

function registerConformance(
  format: FormatDefinition<any>,
  options: FormatSuiteOptions,
  cases: ConformanceCase[],
  translate: Translate,
  run: Runner,
  it: Add,
): void {
  const withOutput = cases.filter((c) => c.outputs[format.id] && c.tasksFile);
  const withError = cases.filter((c) => c.errors[format.id] && c.tasksFile);
  if (withOutput.length === 0 && withError.length === 0) {
    it('has conformance cases', () => {
      throw new Error(
        `@lsconv/testkit: no conformance case has expected/${format.id}/ — add one, or pass { conformance: false } to describeFormatSuite`,
      );
    });
    return;
  }
  for (const c of withOutput) {
    const deviation = options.deviations?.[c.name];
    it(deviation ? `${c.name} (documented deviation: ${deviation})` : c.name, async () => {
      const setup = { config: caseConfig(c), extra: translate(c.exportArgs, c.dir) };
      let sink: MemorySink;
      try {
        ({ sink } = await run(setup, openTaskSource(c.tasksFile!), { input: c.tasksFile! }));
      } catch (error) {
        throw new Error(
          `format ${format.id} failed on conformance case ${c.name}: ${(error as Error).message}`,
          { cause: error },
        );
      }
      const differences = await compareOutputs(c.outputs[format.id]!, sink.files, {
        format: format.id,
        ...options.compare,
      });
      if (deviation) {
        expect(
          differences.length,
          `case ${c.name} is listed as a deviation but now matches the reference: remove it from options.deviations`,
        ).toBeGreaterThan(0);
        return;
      }
      expect(
        differences.length,
        `${format.id} output for case ${c.name} differs from ${c.outputs[format.id]} (rules: NORMALISE.md):\n${formatDifferences(differences)}\n`,
      ).toBe(0);
    });
  }
  for (const c of withError) {
    const file = c.errors[format.id]!;
    const firstLine = readFileSync(file, 'utf8').split('\n')[0]?.trim() ?? '';
    it(`${c.name}: the reference failed (${firstLine.slice(0, 80)}); lsconv fails clearly or writes output`, async () => {
      const setup = { config: caseConfig(c), extra: translate(c.exportArgs, c.dir) };
      let outcome: { sink: MemorySink } | undefined;
      try {
        outcome = await run(setup, openTaskSource(c.tasksFile!), { input: c.tasksFile! });
      } catch (error) {
        expect(isLsconvError(error), `threw a non-lsconv error: ${String(error)}`).toBe(true);
        const e = error as { code: string; message: string };
        expect(
          e.code,
          `crashed (INTERNAL) like the reference instead of naming the problem: ${e.message}`,
        ).not.toBe('INTERNAL');
        expect(e.message.trim().length).toBeGreaterThan(0);
        return;
      }
      expect(outcome.sink.files.size, 'the export succeeded but wrote no file').toBeGreaterThan(0);
    });
  }
}

function registerSupport(
  format: FormatDefinition<any>,
  cases: ConformanceCase[],
  translate: Translate,
  run: Runner,
  it: Add,
): void {
  const exportCases = cases.filter((c) => c.configFile && c.tasksFile);
  const known = LABEL_STUDIO_FORMATS.includes(format.id);
  const checkRefusal = async (c: ConformanceCase, config: LabelConfig, reason: string) => {
    expect(reason.trim().length, `supports() refused case ${c.name} without a reason`).toBeGreaterThan(0);
    let failure: unknown;
    try {
      await run(
        { config, extra: translate(c.exportArgs, c.dir) },
        JSON.parse(readFileSync(c.tasksFile!, 'utf8')) as unknown[],
      );
    } catch (error) {
      failure = error;
    }
    expect(isLsconvError(failure), `runExport should refuse case ${c.name} with UNSUPPORTED_CONFIG`).toBe(
      true,
    );
    expect((failure as { code: string }).code).toBe('UNSUPPORTED_CONFIG');
    expect((failure as Error).message).toContain(reason);
  };
  if (!known) {
    it('refuses unsupported configs with UNSUPPORTED_CONFIG and a reason', async () => {
      for (const c of exportCases) {
        const config = caseConfig(c);
        const answer = format.supports(config);
        expect(typeof answer.ok).toBe('boolean');
        if (!answer.ok) await checkRefusal(c, config, answer.reason);
      }
    });
    return;
  }
  for (const c of exportCases) {
    if (!c.supportedFormats) continue;
    const offered = c.supportedFormats.includes(format.id);
    it(`${c.name}: ${offered ? 'supported' : 'refused'}, as Label Studio decides`, async () => {
      const config = caseConfig(c);
      const answer = format.supports(config);
      expect(
        answer.ok,
        `Label Studio ${offered ? 'offers' : 'does not offer'} ${format.id} for case ${c.name}${answer.ok ? '' : ` (refused: ${answer.reason})`}`,
      ).toBe(offered);
      if (!answer.ok) await checkRefusal(c, config, answer.reason);
    });
  }
}

function pickSample(
  format: FormatDefinition<any>,
  options: FormatSuiteOptions,
  cases: ConformanceCase[] | undefined,
  translate: Translate,
): Sample | undefined {
  const given = options.sampleCase;
  if (given) {
    const dir = given.dir ?? process.cwd();
    return {
      name: 'options.sampleCase',
      config: parseLabelConfig(given.config, { file: 'sampleCase.config' }),
      xml: given.config,
      file: undefined,
      tasks: given.tasks,
      extra: () => translate(given.exportArgs ?? {}, dir),
    };
  }
  const fromCase = (c: ConformanceCase): Sample => {
    const xml = readFileSync(c.configFile!, 'utf8');
    const parsed = JSON.parse(readFileSync(c.tasksFile!, 'utf8')) as unknown;
    return {
      name: c.name,
      config: parseLabelConfig(xml, { file: c.configFile! }),
      xml,
      file: c.configFile,
      tasks: Array.isArray(parsed) ? parsed : [parsed],
      extra: () => translate(c.exportArgs, c.dir),
    };
  };
  const usable = (cases ?? []).filter((c) => c.configFile && c.tasksFile);
  const first = usable.find((c) => c.outputs[format.id]);
  if (first) return fromCase(first);
  const offered = usable.find(
    (c) => c.supportedFormats?.includes(format.id) && format.supports(caseConfig(c)).ok,
  );
  if (offered) return fromCase(offered);
  if (!LABEL_STUDIO_FORMATS.includes(format.id)) {
    const any = usable.find((c) => format.supports(caseConfig(c)).ok);
    if (any) return fromCase(any);
  }
  return undefined;
}

// ---------------------------------------------------------------- edge cases

/** A suffix with accents, CJK and an astral-plane emoji (a surrogate pair in UTF-16). */
const UNICODE_SUFFIX = 'ünïcödé-日本語-🚀';
const HUGE_ID = 2 ** 53 - 1;

function registerEdgeCases(
  format: FormatDefinition<any>,
  options: FormatSuiteOptions,
  sample: Sample,
  run: Runner,
  cacheDir: string,
  it: Add,
): void {
  const setup = (): Setup => ({ config: sample.config, extra: sample.extra() });
  const tasks = (): Record<string, unknown>[] => structuredClone(sample.tasks as Record<string, unknown>[]);
  const annotated = (): Record<string, unknown> => {
    const all = tasks();
    const found = all.find((t) =>
      annotationsOf(t).some(
        (a) => !a.was_cancelled && !a.skipped && Array.isArray(a.result) && a.result.length > 0,
      ),
    );
    if (!found)
      throw new Error(
        `@lsconv/testkit: sample ${sample.name} has no task with an annotated result; pass options.sampleCase`,
      );
    return found;
  };
  const same = async (a: MemorySink, b: MemorySink, what: string) => {
    const problems = await outputDifferences(a, b, options.compareRuns ?? 'bytes', format.id);
    expect(problems.length, `${what}:\n${problems.join('\n')}`).toBe(0);
  };

  it('exports an empty input (no tasks)', async () => {
    const { report, sink } = await run(setup(), []);
    expect(report.tasksRead).toBe(0);
    expect(() => sink.files).not.toThrow();
  });

  it('exports a task without annotations', async () => {
    const withoutKey = annotated();
    delete withoutKey.annotations;
    delete withoutKey.completions;
    const emptyList: Record<string, unknown> = { ...annotated(), annotations: [] };
    delete emptyList.completions;
    const { report } = await run(setup(), [withoutKey, emptyList]);
    expect(report.tasksRead).toBe(2);
    if (!options.writesEveryTask) {
      const alone = await run(setup(), [withoutKey]);
      const empty = await run(setup(), []);
      await same(
        empty.sink,
        alone.sink,
        'a task without an "annotations" list must add nothing to the output (as the Python converter)',
      );
    }
  });

  it('exports a task whose annotations are all cancelled', async () => {
    const task = annotated();
    for (const a of annotationsOf(task)) a.was_cancelled = true;
    const { report, sink } = await run(setup(), [task]);
    expect(report.tasksRead).toBe(1);
    if (!options.writesEveryTask) {
      const empty = await run(setup(), []);
      await same(
        empty.sink,
        sink,
        'cancelled annotations must add nothing to the output (as the Python converter)',
      );
    }
  });

  it('exports a task annotated by several annotators', async () => {
    const task = annotated();
    const list = annotationsOf(task).filter((a) => !a.was_cancelled && !a.skipped);
    const base = list[0]!;
    const copies = [
      { ...structuredClone(base), id: 910001, completed_by: 2, created_at: '2024-01-02T10:00:00.000000Z' },
      {
        ...structuredClone(base),
        id: 910002,
        completed_by: {
          id: 3,
          email: 'third.annotator@example.com',
          first_name: 'Third',
          last_name: 'Annotator',
        },
        created_at: '2024-01-03T10:00:00.000000Z',
      },
    ];
    setAnnotations(task, [...list, ...copies]);
    const first = await run(setup(), [task]);
    expect(first.report.tasksRead).toBe(1);
    const second = await run(setup(), [structuredClone(task)]);
    await same(first.sink, second.sink, 'two runs over the same multi-annotator task differ');
  });

  it('keeps unicode in data and labels', async () => {
    const original = annotated();
    const label = findLabel(original, sample.xml);
    const changed = structuredClone(original);
    let xml = sample.xml;
    if (label !== undefined) {
      const renamed = `${label}-${UNICODE_SUFFIX}`;
      xml = xml.split(`value="${xmlEscape(label)}"`).join(`value="${xmlEscape(renamed)}"`);
      for (const a of annotationsOf(changed)) renameLabel(a.result, label, renamed);
    }
    const data = (changed.data ?? {}) as Record<string, unknown>;
    const dataChanges: [string, string][] = [];
    for (const [key, value] of Object.entries(data)) {
      if (typeof value === 'string' && value !== '' && !looksLikeReference(value)) {
        data[key] = `${value} ${UNICODE_SUFFIX}`;
        dataChanges.push([value, data[key] as string]);
      }
    }
    const config = parseLabelConfig(xml, { file: 'unicode config' });
    const before = await run(setup(), [original]);
    const after = await run({ config, extra: sample.extra() }, [changed]);
    const beforeText = outputText(before.sink);
    const afterText = outputText(after.sink);
    if (label !== undefined && mentions(beforeText, label)) {
      expect(
        mentions(afterText, `${label}-${UNICODE_SUFFIX}`),
        `the unicode label ${label}-${UNICODE_SUFFIX} is missing or mangled in the output`,
      ).toBe(true);
    }
    for (const [from, to] of dataChanges) {
      if (mentions(beforeText, from))
        expect(
          mentions(afterText, to),
          `the unicode data value ${JSON.stringify(to)} is missing or mangled in the output`,
        ).toBe(true);
    }
  });

  it(`keeps a huge task id (${HUGE_ID}) exact`, async () => {
    const small = annotated();
    small.id = 7654321;
    const first = annotationsOf(small)[0];
    if (first) first.id = 7654322;
    const huge = structuredClone(small);
    huge.id = HUGE_ID;
    const hugeFirst = annotationsOf(huge)[0];
    if (hugeFirst) hugeFirst.id = HUGE_ID - 1;
    const before = outputText((await run(setup(), [small])).sink);
    const after = outputText((await run(setup(), [huge])).sink);
    if (before.includes('7654321'))
      expect(after.includes(String(HUGE_ID)), `task id ${HUGE_ID} is not written exactly`).toBe(true);
    if (before.includes('7654322'))
      expect(after.includes(String(HUGE_ID - 1)), `annotation id ${HUGE_ID - 1} is not written exactly`).toBe(
        true,
      );
  });

  it('is deterministic (two runs give the same output)', async () => {
    const a = await run(setup(), tasks());
    const b = await run(setup(), tasks());
    expect(a.sink.files.size, 'the sample export wrote no file').toBeGreaterThan(0);
    await same(a.sink, b.sink, 'two runs over the same input differ');
  });

  it('does not mutate its input', async () => {
    const input = tasks();
    const snapshot = structuredClone(input);
    await run(setup(), input);
    expect(input, 'the format changed the task objects it was given').toEqual(snapshot);
    const frozen = deepFreeze(tasks());
    await run(setup(), frozen);
  });

  it('reads the task stream once', async () => {
    const input = tasks();
    const once = onceIterable(input);
    await run(setup(), once.iterable);
    expect(once.iterations(), 'the format did not read the tasks').toBe(1);
    // Directly, without runExport's guard: the format itself must iterate once.
    const direct = onceIterable(input);
    const report = new ConversionReport(format.id);
    const sink = memorySink();
    const extra = sample.extra();
    const resources = withTestResources(extra.resources, cacheDir);
    await format.export(direct.iterable, {
      format: format.id,
      config: sample.config,
      options: resolveOptions(`format ${format.id}`, format.options, options.formatOptions ?? {}),
      sink,
      report,
      compat: 'python',
      signal: new AbortController().signal,
      input: 'testkit tasks',
      resources: isResolver(resources) ? resources : createResourceResolver(resources, report),
    });
    await sink.commit();
    expect(direct.iterations()).toBe(1);
  });

  it('leaves nothing behind when cancelled midway', async () => {
    const input = tasks();
    if (input.length < 2) input.push({ ...structuredClone(input[0] ?? { data: {} }), id: 987654 });
    const controller = new AbortController();
    async function* stream(): AsyncGenerator<Task> {
      let n = 0;
      for (const task of input) {
        if (n++ === 1) controller.abort();
        yield task as Task;
      }
    }
    const sink = memorySink();
    let failure: unknown;
    try {
      await runExport({
        format,
        tasks: stream(),
        config: sample.config,
        sink,
        compat: 'python',
        signal: controller.signal,
        ...(options.formatOptions ? { options: options.formatOptions } : {}),
        resources: withTestResources(sample.extra().resources, cacheDir),
      });
    } catch (error) {
      failure = error;
    }
    expect(
      isLsconvError(failure),
      `a cancelled export must reject with an LsconvError, got ${String(failure)}`,
    ).toBe(true);
    expect((failure as { code: string }).code).toBe('ABORTED');
    expect(sink.files.size, 'files were committed although the export was cancelled').toBe(0);
    await expect(sink.commit(), 'the output was not aborted').rejects.toThrow();
  });
}

// ---------------------------------------------------------------- helpers

function withTestResources(
  given: RunExportOptions['resources'],
  cacheDir: string,
): ResourceOptions | ResourceResolver {
  if (isResolver(given)) return given;
  // Tests write only to temporary folders and never wait long on the network.
  return { cacheDir, fetch: false, retries: 0, timeoutMs: 5000, ...given };
}

function isResolver(value: unknown): value is ResourceResolver {
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

type LooseAnnotation = Record<string, unknown> & {
  result?: unknown;
  was_cancelled?: unknown;
  skipped?: unknown;
};

function annotationsOf(task: Record<string, unknown>): LooseAnnotation[] {
  const list = Array.isArray(task.annotations)
    ? task.annotations
    : Array.isArray(task.completions)
      ? task.completions
      : [];
  return list.filter((a): a is LooseAnnotation => typeof a === 'object' && a !== null);
}

function setAnnotations(task: Record<string, unknown>, list: LooseAnnotation[]): void {
  if (Array.isArray(task.completions) && !Array.isArray(task.annotations)) task.completions = list;
  else task.annotations = list;
}

/** A label of the task's results that the config declares as `value="…"`. */
function findLabel(task: Record<string, unknown>, xml: string): string | undefined {
  for (const a of annotationsOf(task)) {
    if (!Array.isArray(a.result)) continue;
    for (const r of a.result as Record<string, unknown>[]) {
      const value = r?.value;
      if (typeof value !== 'object' || value === null) continue;
      for (const v of Object.values(value)) {
        if (!Array.isArray(v)) continue;
        for (const s of v) if (typeof s === 'string' && xml.includes(`value="${xmlEscape(s)}"`)) return s;
      }
    }
  }
  return undefined;
}

function renameLabel(result: unknown, from: string, to: string): void {
  if (!Array.isArray(result)) return;
  for (const r of result as Record<string, unknown>[]) {
    const value = r?.value as Record<string, unknown> | undefined;
    if (typeof value !== 'object' || value === null) continue;
    for (const [k, v] of Object.entries(value)) {
      if (Array.isArray(v)) value[k] = v.map((s) => (s === from ? to : s));
    }
  }
}

function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** URLs, absolute or relative paths and bare file names: media references, left alone. */
function looksLikeReference(value: string): boolean {
  return /^(?:[a-z][a-z0-9+.-]*:|\/|\.{1,2}\/)/i.test(value) || /^[^\s/]+\.[A-Za-z0-9]{2,5}$/.test(value);
}

/** All output paths and texts, for "does the output mention X" checks. */
function outputText(sink: MemorySink): string {
  const decoder = new TextDecoder();
  return [...sink.files].map(([path, bytes]) => `${path}\n${decoder.decode(bytes)}`).join('\n');
}

/** True when `text` holds `value` raw, or JSON-escaped to ASCII as Python's json writes it. */
function mentions(text: string, value: string): boolean {
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

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** An async iterable that fails if it is iterated a second time. */
function onceIterable(tasks: readonly unknown[]): {
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

async function outputDifferences(
  a: MemorySink,
  b: MemorySink,
  mode: 'bytes' | 'normalised',
  format: string,
): Promise<string[]> {
  if (mode === 'normalised') {
    const dir = await fs.mkdtemp(join(tmpdir(), 'lsconv-testkit-run-'));
    try {
      for (const [path, bytes] of a.files) {
        const file = join(dir, ...path.split('/'));
        await fs.mkdir(dirname(file), { recursive: true });
        await fs.writeFile(file, bytes);
      }
      return (await compareOutputs(dir, b.files, { format })).map((d) => `${d.kind} ${d.detail}`);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }
  const problems: string[] = [];
  const paths = new Set([...a.files.keys(), ...b.files.keys()]);
  for (const path of [...paths].sort()) {
    const x = a.files.get(path);
    const y = b.files.get(path);
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
