// Fuzz properties of the importers: generated COCO JSON, VOC folders and YOLO folders.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadDefinitions, params, RUNS, RunTally } from './harness.js';
import { checkImport, DATASETS, fuzzImport, IMPORTERS, writeDataset } from './importer-properties.js';

const { importers } = await loadDefinitions();
// Each case writes a dataset to disk and imports it four times: fewer cases than for exports.
const runs = Math.ceil(RUNS / 5);

for (const id of IMPORTERS) {
  const importer = importers.find((i) => i.id === id)!;
  describe(`fuzz import ${id}`, () => {
    it(`${runs} generated datasets, both compat modes: no crash, valid tasks, every object accounted for, deterministic; at least half import`, async () => {
      const tally = new RunTally(`import ${id}`);
      await fc.assert(
        fc.asyncProperty(DATASETS[id], async (dataset) => {
          const { input, remove } = writeDataset(dataset);
          try {
            let imported = true;
            for (const compat of ['default', 'python'] as const) {
              const first = await fuzzImport(importer, input, dataset.options, compat);
              checkImport(first, dataset);
              imported &&= first.ok;
              const second = await fuzzImport(importer, input, dataset.options, compat);
              expect(second.ok ? second.text : second).toEqual(first.ok ? first.text : first);
            }
            tally.count(imported);
          } finally {
            remove();
          }
        }),
        params(runs),
      );
      tally.expectShare();
    });
  });
}
