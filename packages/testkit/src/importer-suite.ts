import { join } from 'node:path';
import type { ImporterDefinition, OptionSpecs } from '@lsconv/core';
import { describe, expect, it } from 'vitest';
import { loadConformanceCases } from './cases.js';
import { compareOutputs } from './compare.js';
import { importOptionsFromArgs, runImport } from './run-format.js';

/**
 * Registers an importer's conformance tests: every case whose import spec names it runs
 * with the Python converter's arguments in `python` compat mode, and its tasks and
 * labeling config must equal `expected/IMPORT_<ID>/` (compared per NORMALISE.md).
 */
export function describeImporterConformance(importer: ImporterDefinition<OptionSpecs>, minCases = 1): void {
  const outputId = `IMPORT_${importer.id.toUpperCase()}`;
  describe(`${importer.id} importer: conformance (compat python)`, () => {
    const cases = loadConformanceCases().filter(
      (c) => c.importSpec?.importer === importer.id && c.outputs[outputId],
    );
    it('has cases', () => expect(cases.length).toBeGreaterThanOrEqual(minCases));
    for (const c of cases) {
      it(c.name, async () => {
        const spec = c.importSpec!;
        const { tasks, labelConfig } = await runImport(
          importer,
          join(c.dir, spec.input),
          importOptionsFromArgs(spec.args),
          'python',
        );
        const files = new Map<string, Uint8Array>([
          ['output.json', Buffer.from(JSON.stringify(tasks))],
          ['output.label_config.xml', Buffer.from(labelConfig)],
        ]);
        expect(await compareOutputs(c.outputs[outputId]!, files, { format: outputId })).toEqual([]);
      });
    }
  });
}
