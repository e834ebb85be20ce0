// The properties every format must keep on generated input, registered per format.
import { type FormatDefinition, type LabelConfig, parseLabelConfig } from '@lsconv/core';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { FAMILIES, type FuzzCase, type FuzzConfig, formatCaseArb, rawJsonText } from './arbitraries.js';
import {
  finishResources,
  fuzzExport,
  inputRegions,
  isCleanPath,
  type Outcome,
  params,
  RUNS,
  RunTally,
  SEED,
  skipCounts,
  snapshot,
  sources,
} from './harness.js';

/** The format groups, one test file each (so the two cores share the work). */
export const GROUPS: Record<string, readonly string[]> = {
  text: ['JSON', 'JSON_MIN', 'CSV', 'TSV', 'CONLL2003', 'ASR_MANIFEST'],
  vision: ['COCO', 'VOC', 'YOLO', 'YOLO_OBB'],
  images: ['COCO_WITH_IMAGES', 'YOLO_WITH_IMAGES', 'YOLO_OBB_WITH_IMAGES'],
  brush: ['BRUSH_TO_NUMPY', 'BRUSH_TO_PNG', 'BRUSH_TO_COCO'],
};

/** Options that make a format export every annotation, so every region must be accounted for. */
function fuzzOptions(format: FormatDefinition<any>): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  const spec = (format.options as Record<string, { type: string; choices?: readonly string[] }>).annotation;
  if (spec?.choices?.includes('all')) options.annotation = 'all';
  return options;
}

function parse(xml: string): LabelConfig | undefined {
  try {
    return parseLabelConfig(xml, { file: 'config.xml' });
  } catch (error) {
    // A generated config the parser refuses must be refused with an LsconvError.
    if ((error as { name?: string }).name !== 'LsconvError') throw error;
    return undefined;
  }
}

/** The config families a format supports (most of a sample of each family passes its `supports`). */
export function supportedFamilies(format: FormatDefinition<any>): fc.Arbitrary<FuzzConfig>[] {
  return Object.values(FAMILIES).filter((family) => {
    const sample = fc.sample(family, { numRuns: 20, seed: SEED });
    const ok = sample.filter((c) => {
      const config = parse(c.xml);
      return config !== undefined && format.supports(config).ok;
    });
    return ok.length >= sample.length / 2;
  });
}

/**
 * The checks on one export. True when they checked something: the export succeeded
 * and had regions to account for (the rest were refused or empty input).
 */
function checkOutcome(
  outcome: Outcome,
  tasks: readonly unknown[],
  config: LabelConfig,
  what: string,
): boolean {
  if (!outcome.ok) return false;
  for (const path of outcome.files.keys())
    expect(isCleanPath(path), `${what}: output path ${JSON.stringify(path)}`).toBe(true);
  for (const path of outcome.dirs)
    expect(isCleanPath(path), `${what}: output folder ${JSON.stringify(path)}`).toBe(true);
  const { report } = outcome;
  const expected = inputRegions(tasks, config, report);
  const skips = skipCounts(report);
  const accounted = report.regionsWritten + (skips.region ?? 0);
  expect(
    accounted,
    `${what}: ${expected} input regions but ${report.regionsWritten} written and ${skips.region ?? 0} skipped\n${report.summaryLines().join('\n')}`,
  ).toBeGreaterThanOrEqual(expected);
  return expected > 0;
}

const compatArb = fc.constantFrom('default' as const, 'python' as const);

/**
 * `runs` generated exports of hand-built task objects (NaN and Infinity included): no
 * crash, clean paths, every region accounted for, and, for every fourth case, the same
 * result a second time. Fails unless at least half the runs reach a successful export
 * with regions to account for.
 */
export async function objectExportsProperty(format: FormatDefinition<any>, runs: number): Promise<void> {
  const options = fuzzOptions(format);
  const tally = new RunTally(`${format.id} exports`);
  await fc.assert(
    fc.asyncProperty(
      formatCaseArb(supportedFamilies(format)),
      fc.boolean(),
      compatArb,
      fc.nat(3),
      async (c: FuzzCase, force, compat, again) => {
        const config = parse(c.config.xml);
        if (!config) return tally.count(false);
        const run = { format, config, tasks: sources.objects(c.tasks), compat, force, options };
        const first = await fuzzExport(run);
        tally.count(checkOutcome(first, c.tasks, config, `${format.id} ${compat}`));
        if (again === 0) expect(snapshot(await fuzzExport(run))).toEqual(snapshot(first));
      },
    ),
    params(runs),
  );
  tally.expectShare();
}

/**
 * `runs` generated exports from raw JSON text (huge numbers, ids beyond 2^53, Python's
 * `3.0`): the checks of `objectExportsProperty`, and no number printed as an object.
 */
export async function rawExportsProperty(format: FormatDefinition<any>, runs: number): Promise<void> {
  const options = fuzzOptions(format);
  const tally = new RunTally(`${format.id} raw exports`);
  await fc.assert(
    fc.asyncProperty(
      formatCaseArb(supportedFamilies(format)),
      fc.boolean(),
      compatArb,
      fc.boolean(),
      fc.boolean(),
      fc.nat(3),
      async (c: FuzzCase, force, compat, huge, floats, again) => {
        const config = parse(c.config.xml);
        if (!config) return tally.count(false);
        const text = rawJsonText(c.tasks, huge, floats);
        const parsed = JSON.parse(text) as unknown[];
        const run = { format, config, tasks: sources.text(text), compat, force, options };
        const first = await fuzzExport(run);
        tally.count(checkOutcome(first, parsed, config, `${format.id} ${compat} raw`));
        // Numbers kept as written (raw JSON values) never print as an object.
        if (first.ok)
          for (const [path, bytes] of first.files)
            expect(Buffer.from(bytes).includes('[object Object]'), path).toBe(false);
        if (again === 0) expect(snapshot(await fuzzExport(run))).toEqual(snapshot(first));
      },
    ),
    params(runs),
  );
  tally.expectShare();
}

/** Raw-text exports per property: a tenth of the runs, and at least 20 so the checked share means something. */
const rawRuns = Math.max(20, Math.ceil(RUNS / 10));

/** Registers the export properties of each format. */
export function describeExportFuzz(formats: readonly FormatDefinition<any>[]): void {
  afterAll(() => {
    expect(finishResources(), 'files written next to the media, outside the output').toEqual([]);
  });
  for (const format of formats) {
    describe(`fuzz ${format.id}`, () => {
      // One export per case in a generated compat mode, and a second one for every fourth
      // case to check determinism: the budget is about a millisecond or two per export.
      it(`${RUNS} generated exports (hand-built task objects, NaN and Infinity included): no crash, clean paths, every region accounted for, deterministic; at least half reach a successful export with regions`, () =>
        objectExportsProperty(format, RUNS));
      it(`${rawRuns} generated exports from raw JSON text (huge numbers, ids beyond 2^53, Python's 3.0); at least half reach a successful export with regions`, () =>
        rawExportsProperty(format, rawRuns));
    });
  }
}
