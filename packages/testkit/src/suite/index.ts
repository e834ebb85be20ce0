import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompatMode, FormatDefinition } from '@lsconv/core';
import { afterAll, describe, it } from 'vitest';
import { type ConformanceCase, loadConformanceCases } from '../cases.js';
import { registerConformance } from './conformance.js';
import { defaultExportArgs, makeRunner } from './context.js';
import { edgeContext, registerRunCases, registerSelectionCases } from './edge-cases.js';
import { registerPromiseCases } from './edge-promises.js';
import { registerMetadata } from './metadata.js';
import { registerPrepareParity } from './prepare-parity.js';
import { pickSample, sampleFromCase } from './sample.js';
import { registerSupport } from './support.js';
import {
  type Add,
  type FormatSuite,
  type FormatSuiteOptions,
  type Runner,
  type Sample,
  SUITE_GROUPS,
  type SuiteCheck,
} from './types.js';

export { defaultExportArgs, LABEL_STUDIO_FORMATS } from './context.js';
export { HUGE_ID, UNICODE_SUFFIX } from './edge-promises.js';
export type { FormatPromises, FormatSuite, FormatSuiteOptions, SampleCase, SuiteCheck } from './types.js';
export { SUITE_GROUPS } from './types.js';
export { annotationOptionPromises, visionPrepareSample } from './vision.js';

/** The compat modes the edge cases and prepare parity run in by default: what users pick. */
export const COMPAT_MODES: readonly CompatMode[] = Object.freeze(['default', 'python']);

/**
 * Registers the shared suite of a format (or of each of several formats) with
 * vitest: metadata, every conformance case with reference output for the format
 * (compared per NORMALISE.md), reference failures, the Label Studio support rule,
 * the shared edge cases (empty export, task without annotations, cancelled
 * annotations, several annotators, unicode, huge ids, determinism, no input
 * mutation, single pass, cancellation) and, for a format with `prepare`, prepare
 * parity; the edge cases and prepare parity in every compat mode.
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
      for (const group of SUITE_GROUPS) {
        const checks = suite.checks.filter((c) => c.group === group);
        if (checks.length === 0) continue;
        describe(group, () => {
          for (const check of checks) {
            const name = checkKey(check);
            it(check.knownBug ? `${name} (expected to fail, known bug: ${check.knownBug})` : name, () =>
              check.run(),
            );
          }
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
    cases = loadConformanceCases(options.conformanceDir);
  } catch (error) {
    casesError = error as Error;
  }
  const id = typeof format?.id === 'string' ? format.id : String(format?.id);
  const translate = options.exportArgs ?? defaultExportArgs;
  // Created by the resolver only if something is downloaded; removed by cleanup().
  const cacheDir = join(tmpdir(), `lsconv-testkit-cache-${process.pid}-${randomBytes(4).toString('hex')}`);
  const run = makeRunner(format, options, cacheDir);
  const checks: SuiteCheck[] = [];
  const add =
    (group: SuiteCheck['group'], compat?: CompatMode): Add =>
    (name, fn) =>
      checks.push({ group, ...(compat ? { compat } : {}), name, run: async () => fn() });

  if (options.metadata !== false) registerMetadata(format, add('metadata'));
  if (options.conformance !== false) {
    if (cases) {
      registerConformance(format, options, cases, translate, run, add('conformance'));
      if (options.support !== false) registerSupport(format, cases, translate, run, add('supported configs'));
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
  if (!sample) {
    add('edge cases')('has a sample case', () => {
      throw new Error(
        problem ??
          `@lsconv/testkit: no conformance case fits format ${id} — pass options.sampleCase ({ config, tasks }) to describeFormatSuite`,
      );
    });
  } else registerModes(format, options, sample, run, cacheDir, add);
  markKnownBugs(checks, options.knownBugs ?? {});
  return { format, checks, cleanup: () => fs.rm(cacheDir, { recursive: true, force: true }) };
}

/** The edge cases and prepare parity, once per compat mode. */
function registerModes(
  format: FormatDefinition<any>,
  options: FormatSuiteOptions,
  sample: Sample,
  run: Runner,
  cacheDir: string,
  add: (group: SuiteCheck['group'], compat?: CompatMode) => Add,
): void {
  const translate = options.exportArgs ?? defaultExportArgs;
  const extra = (options.prepareSamples ?? []).map((s, i) =>
    sampleFromCase(s, `prepareSamples[${i}]`, translate),
  );
  for (const compat of options.compat ?? COMPAT_MODES) {
    if (options.edgeCases !== false) {
      const ctx = edgeContext(format, options, sample, run, cacheDir, compat);
      const it = add('edge cases', compat);
      registerSelectionCases(ctx, it);
      registerPromiseCases(ctx, it);
      registerRunCases(ctx, it);
    }
    if (options.prepareParity !== false)
      registerPrepareParity(
        format,
        options,
        [sample, ...extra],
        run,
        cacheDir,
        compat,
        add('prepare parity', compat),
      );
  }
}

/** A check's name as tests show it and `options.knownBugs` names it. */
function checkKey(check: SuiteCheck): string {
  return check.compat ? `${check.name} [compat ${check.compat}]` : check.name;
}

/**
 * Turns the checks named in `knownBugs` into expected failures: each passes while it
 * fails, and fails once the bug is fixed. An entry naming no check gets a failing check.
 */
function markKnownBugs(checks: SuiteCheck[], knownBugs: NonNullable<FormatSuiteOptions['knownBugs']>): void {
  const unused = new Set(Object.keys(knownBugs));
  for (const check of checks) {
    const key = checkKey(check);
    const entry = knownBugs[key];
    if (entry === undefined) continue;
    unused.delete(key);
    const { bug, message } = typeof entry === 'string' ? { bug: entry, message: undefined } : entry;
    const run = check.run;
    check.knownBug = bug;
    check.run = async () => {
      try {
        await run();
      } catch (error) {
        const text = error instanceof Error ? error.message : String(error);
        if (message && !message.test(text))
          throw new Error(`@lsconv/testkit: "${key}" fails, but not with the known bug (${bug}): ${text}`, {
            cause: error,
          });
        return;
      }
      throw new Error(
        `@lsconv/testkit: "${key}" passes now: the known bug (${bug}) is fixed, remove it from options.knownBugs`,
      );
    };
  }
  for (const key of unused) {
    checks.push({
      group: 'edge cases',
      name: `known bug "${key}" names a check`,
      run: async () => {
        throw new Error(
          `@lsconv/testkit: options.knownBugs names "${key}", which is no check of this format`,
        );
      },
    });
  }
}
