import { readFileSync } from 'node:fs';
import { type FormatDefinition, isLsconvError, type LabelConfig } from '@lsconv/core';
import { expect } from 'vitest';
import type { ConformanceCase } from '../cases.js';
import { caseConfig, LABEL_STUDIO_FORMATS } from './context.js';
import type { Add, Runner, Translate } from './types.js';

/**
 * The support checks: for the formats Label Studio knows, `supports(config)` agrees with
 * each case's `supported_formats.json`; every refusal has a reason, and `runExport`
 * rejects it with UNSUPPORTED_CONFIG naming that reason (or, for a refusal marked
 * `exportable`, exports with a warning naming it).
 */
export function registerSupport(
  format: FormatDefinition<any>,
  cases: ConformanceCase[],
  translate: Translate,
  run: Runner,
  it: Add,
): void {
  const exportCases = cases.filter((c) => c.configFile && c.tasksFile);
  const known = LABEL_STUDIO_FORMATS.includes(format.id);
  const checkRefusal = async (
    c: ConformanceCase,
    config: LabelConfig,
    reason: string,
    exportable = false,
  ) => {
    expect(reason.trim().length, `supports() refused case ${c.name} without a reason`).toBeGreaterThan(0);
    if (exportable) {
      // Not offered by Label Studio, but exported (as the Python command line does), with a warning.
      const { report } = await run(
        { config, extra: translate(c.exportArgs, c.dir) },
        JSON.parse(readFileSync(c.tasksFile!, 'utf8')) as unknown[],
      );
      expect(report.toJSON().warnings.join('\n')).toContain(reason);
      return;
    }
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
        if (!answer.ok) await checkRefusal(c, config, answer.reason, answer.exportable);
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
      if (!answer.ok) await checkRefusal(c, config, answer.reason, answer.exportable);
    });
  }
}
