import { readFileSync } from 'node:fs';
import { type FormatDefinition, isLsconvError, type MemorySink, openTaskSource } from '@lsconv/core';
import { expect } from 'vitest';
import type { ConformanceCase } from '../cases.js';
import { compareOutputs, formatDifferences } from '../compare.js';
import { caseConfig } from './context.js';
import type { Add, FormatSuiteOptions, Runner, Translate } from './types.js';

/**
 * The conformance checks: every case with reference output for the format, exported
 * with `compat: 'python'` and compared per NORMALISE.md (documented deviations must still
 * differ); every case where the reference failed must fail clearly or write output.
 */
export function registerConformance(
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
