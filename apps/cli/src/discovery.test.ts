import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRegistry, pluginSpec } from './discovery.js';
import { fakeIo, TEST_PLUGIN } from './test-helpers.js';

describe('pluginSpec', () => {
  const io = fakeIo({ cwd: '/work/project' });
  it('keeps package names and makes paths absolute against the current folder', () => {
    expect(pluginSpec(io, 'lsconv-format-x')).toBe('lsconv-format-x');
    expect(pluginSpec(io, '@acme/lsconv-format-x')).toBe('@acme/lsconv-format-x');
    expect(pluginSpec(io, 'plugins/mine')).toBe('/work/project/plugins/mine');
    expect(pluginSpec(io, './mine')).toBe('/work/project/mine');
    expect(pluginSpec(io, '../mine')).toBe('/work/mine');
    expect(pluginSpec(io, '/abs/mine')).toBe('/abs/mine');
  });
});

describe('loadRegistry', () => {
  it("loads the plugins the host's package.json names, from any current folder", async () => {
    const host = mkdtempSync(join(tmpdir(), 'lsconv-cli-host-'));
    writeFileSync(
      join(host, 'package.json'),
      JSON.stringify({
        name: 'a-host',
        lsconv: { pluginPatterns: ['lsconv-format-*'] },
        dependencies: { 'lsconv-format-cli-test': '*' },
      }),
    );
    mkdirSync(join(host, 'node_modules'));
    symlinkSync(TEST_PLUGIN, join(host, 'node_modules', 'lsconv-format-cli-test'), 'dir');
    const cwd = mkdtempSync(join(tmpdir(), 'lsconv-cli-cwd-'));
    const registry = await loadRegistry(fakeIo({ cwd, host }), []);
    expect([...registry.formats.keys()]).toEqual(['JSON', 'TEST_ITEMS']);
    expect(registry.formats.get('TEST_ITEMS')!.origin.package).toBe('lsconv-format-cli-test');
    // Without a host, the CLI's own package is the host: it depends on no format.
    expect([...(await loadRegistry(fakeIo({ cwd }), [])).formats.keys()]).toEqual(['JSON']);
  });
});
