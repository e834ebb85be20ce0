// Every format the registry discovers, and every importer, is fuzzed by one of the files here.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadRegistry } from '@lsconv/core';
import { describe, expect, it } from 'vitest';
import { GROUPS } from './export-properties.js';
import { loadDefinitions, ROOT } from './harness.js';
import { IMPORTERS } from './importer-properties.js';

const fuzzed = Object.values(GROUPS).flat();

describe('fuzz coverage', () => {
  it('fuzzes every format and importer of the workspace sources', async () => {
    const { formats, importers } = await loadDefinitions();
    expect(formats.length).toBeGreaterThan(10);
    expect(formats.map((f) => f.id).sort()).toEqual([...fuzzed].sort());
    expect(importers.map((i) => i.id).sort()).toEqual([...IMPORTERS].sort());
  });
  it.runIf(existsSync(join(ROOT, 'packages/format-coco/dist/index.js')))(
    'fuzzes every format the registry discovers',
    async () => {
      const registry = await loadRegistry({ cwd: ROOT });
      expect(registry.problems).toEqual([]);
      for (const id of registry.formats.keys()) expect(fuzzed).toContain(id);
      for (const id of registry.importers.keys()) expect(IMPORTERS).toContain(id);
    },
  );
});
