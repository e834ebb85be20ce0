import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostFolders, pluginSpec } from './discovery.js';
import { fakeIo, REPO } from './test-helpers.js';

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

describe('hostFolders', () => {
  it("starts with the CLI's own package folder", () => {
    expect(hostFolders()[0]).toBe(join(REPO, 'apps/cli'));
  });
});
