import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORE_VERSION, discoverPlugins } from './registry.js';

/** Writes a fake host project with plugin packages in node_modules. */
function host(plugins: Record<string, { pkg: Record<string, unknown>; entry?: string }>) {
  const dir = mkdtempSync(join(tmpdir(), 'lsconv-host-'));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'host',
      dependencies: Object.fromEntries(Object.keys(plugins).map((n) => [n, '*'])),
    }),
  );
  for (const [name, { pkg, entry }] of Object.entries(plugins)) {
    const pdir = join(dir, 'node_modules', name);
    mkdirSync(pdir, { recursive: true });
    writeFileSync(join(pdir, 'package.json'), JSON.stringify({ name, version: '1.0.0', ...pkg }));
    if (entry !== undefined) writeFileSync(join(pdir, 'index.mjs'), entry);
  }
  return dir;
}

// A plugin written as a third party would, without importing core: the definition
// carries the same marker fields defineFormat produces.
const goodEntry = `export const demo = Object.freeze({ kind: 'lsconv-format', apiVersion: 1, id: 'DEMO', title: 'Demo', description: 'd', output: 'file', tags: [], options: {}, supports: () => ({ ok: true }), export: async () => {} });`;

describe('discoverPlugins', () => {
  it('loads marked dependencies, and reports broken and incompatible ones by name', async () => {
    const dir = host({
      'lsconv-format-demo': { pkg: { lsconv: { plugins: './index.mjs' } }, entry: goodEntry },
      'lsconv-format-broken': {
        pkg: { lsconv: { plugins: './index.mjs' } },
        entry: `throw new Error('boom at import');`,
      },
      'lsconv-format-old': {
        pkg: { lsconv: { plugins: './index.mjs' }, peerDependencies: { '@lsconv/core': '^99.0.0' } },
        entry: goodEntry,
      },
      'lsconv-format-unmarked': { pkg: {}, entry: goodEntry },
      'left-pad': { pkg: { lsconv: { plugins: './index.mjs' } }, entry: 'throw new Error("never loaded")' },
    });
    const registry = await discoverPlugins({ cwd: dir, workspace: false });
    expect([...registry.formats.keys()]).toEqual(['JSON', 'DEMO']);
    expect(registry.format('demo').id).toBe('DEMO');
    expect(registry.formats.get('DEMO')!.origin).toMatchObject({
      package: 'lsconv-format-demo',
      version: '1.0.0',
    });
    const problems = Object.fromEntries(registry.problems.map((p) => [p.package, p]));
    expect(problems['lsconv-format-broken']).toMatchObject({
      code: 'PLUGIN_LOAD',
      reason: expect.stringContaining('boom at import'),
    });
    expect(problems['lsconv-format-old']).toMatchObject({
      code: 'PLUGIN_INCOMPATIBLE',
      reason: expect.stringContaining(CORE_VERSION),
    });
    expect(problems['lsconv-format-unmarked']).toMatchObject({ reason: expect.stringContaining('marker') });
    expect(problems['left-pad']).toBeUndefined();
    expect(() => registry.format('nope')).toThrow(/unknown format "nope".*JSON, DEMO/);
  });

  it('uses an explicit list instead of discovery', async () => {
    const dir = host({
      'lsconv-format-demo': { pkg: { lsconv: { plugins: './index.mjs' } }, entry: goodEntry },
    });
    const registry = await discoverPlugins({ cwd: dir, explicit: [] });
    expect([...registry.formats.keys()]).toEqual(['JSON']);
    const again = await discoverPlugins({ cwd: dir, explicit: ['lsconv-format-demo', 'missing-one'] });
    expect([...again.formats.keys()]).toEqual(['JSON', 'DEMO']);
    expect(again.problems.map((p) => p.package)).toEqual(['missing-one']);
  });
});
