// Fuzzed exports into a real folder (nothing may appear outside it, and it must hold
// what a memory sink holds), and through the worker pool (same bytes as one thread).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { directorySink, loadRegistry, parseLabelConfig } from '@lsconv/core';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { formatCaseArb, rawJsonText } from './arbitraries.js';
import { GROUPS, supportedFamilies } from './export-properties.js';
import {
  finishResources,
  fuzzExport,
  listTree,
  loadDefinitions,
  params,
  ROOT,
  RUNS,
  RunTally,
  snapshot,
  sources,
  tempDir,
} from './harness.js';

const { formats } = await loadDefinitions();
afterAll(() => {
  expect(finishResources()).toEqual([]);
});
const sinkRuns = Math.max(10, Math.ceil(RUNS / 40));
// Every pooled export starts two worker threads: a few cases per format are enough.
const threadRuns = Math.max(3, Math.ceil(RUNS / 300));

describe('fuzz into a folder', () => {
  for (const format of formats.filter((f) => !GROUPS.images!.includes(f.id))) {
    it(`${format.id}: ${sinkRuns} exports write only inside the output folder, the same files as in memory; at least half succeed`, async () => {
      const tally = new RunTally(`${format.id} into a folder`);
      await fc.assert(
        fc.asyncProperty(formatCaseArb(supportedFamilies(format)), async (c) => {
          const config = parseLabelConfig(c.config.xml);
          const { dir, remove } = tempDir();
          try {
            const out = join(dir, 'out', 'nested');
            const run = {
              format,
              config,
              tasks: sources.objects(c.tasks),
              compat: 'default' as const,
              force: true,
            };
            const onDisk = await fuzzExport({ ...run, sink: directorySink(out) });
            const inMemory = await fuzzExport(run);
            const tree = listTree(dir);
            for (const path of tree) expect(path.startsWith('out/nested/'), `wrote ${path}`).toBe(true);
            tally.count(onDisk.ok);
            if (!onDisk.ok || !inMemory.ok) {
              expect(onDisk.ok).toBe(inMemory.ok);
              expect(tree).toEqual([]);
              return;
            }
            expect(tree.map((p) => p.slice('out/nested/'.length))).toEqual([...inMemory.files.keys()].sort());
            for (const [path, bytes] of inMemory.files) {
              expect(Buffer.compare(readFileSync(join(out, path)), Buffer.from(bytes)), path).toBe(0);
            }
          } finally {
            remove();
          }
        }),
        params(sinkRuns),
      );
      tally.expectShare();
    });
  }
});

const registry = await loadRegistry({ cwd: ROOT });
const pooled = formats.filter((f) => f.prepare && registry.formats.get(f.id)?.origin.entry);

describe('fuzz through the worker pool', () => {
  it('has formats with a prepare step (the packages are built)', () => {
    expect(pooled.map((f) => f.id)).toContain('JSON_MIN');
  });
  for (const format of pooled) {
    it(`${format.id}: ${threadRuns} exports, threads 2 writes what threads 1 writes; at least half succeed`, async () => {
      const formatModule = registry.formats.get(format.id)!.origin.entry!;
      const tally = new RunTally(`${format.id} through the pool`);
      await fc.assert(
        fc.asyncProperty(formatCaseArb(supportedFamilies(format)), fc.boolean(), async (c, floats) => {
          const config = parseLabelConfig(c.config.xml);
          const text = rawJsonText(c.tasks, true, floats);
          for (const compat of ['default', 'python'] as const) {
            const run = { format, config, tasks: sources.text(text), compat, force: true };
            const single = await fuzzExport(run);
            const pool = await fuzzExport({ ...run, threads: 2, formatModule });
            expect(snapshot(pool)).toEqual(snapshot(single));
            tally.count(single.ok);
          }
        }),
        params(threadRuns),
      );
      tally.expectShare();
    });
  }
});
