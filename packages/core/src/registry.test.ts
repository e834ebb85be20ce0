import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { simpleWorkspacePackages } from './plugin-discovery.js';
import {
  CORE_VERSION,
  loadRegistry,
  matchesPattern,
  OFFICIAL_FORMAT_PACKAGES,
  simpleRangeSatisfied,
} from './registry.js';

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

describe('loadRegistry from a folder', () => {
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
      'lsconv-format-unmarked': { pkg: { keywords: ['lsconv-plugin'] }, entry: goodEntry },
      // A helper library named like a plugin, without the marker or the keyword: not a plugin.
      'lsconv-format-helpers': { pkg: {}, entry: 'throw new Error("never loaded")' },
      'left-pad': { pkg: { lsconv: { plugins: './index.mjs' } }, entry: 'throw new Error("never loaded")' },
    });
    const registry = await loadRegistry({ cwd: dir, workspace: false });
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
    expect(problems['lsconv-format-helpers']).toBeUndefined();
    expect(() => registry.format('nope')).toThrow(/unknown format "nope".*JSON, DEMO/);
  });

  it('uses an explicit list instead of discovery', async () => {
    const dir = host({
      'lsconv-format-demo': { pkg: { lsconv: { plugins: './index.mjs' } }, entry: goodEntry },
    });
    const registry = await loadRegistry({ cwd: dir, explicit: [] });
    expect([...registry.formats.keys()]).toEqual(['JSON']);
    const again = await loadRegistry({ cwd: dir, explicit: ['lsconv-format-demo', 'missing-one'] });
    expect([...again.formats.keys()]).toEqual(['JSON', 'DEMO']);
    expect(again.problems.map((p) => p.package)).toEqual(['missing-one']);
  });
});

/** Writes a package folder (package.json and an entry) under `root`. */
function writePackage(root: string, name: string, pkg: Record<string, unknown>, entry?: string) {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', ...pkg }));
  if (entry !== undefined) writeFileSync(join(dir, 'index.mjs'), entry);
  return dir;
}

const demoEntry = (id: string) => goodEntry.replace("'DEMO'", `'${id}'`);

describe('loadRegistry', () => {
  it("takes the plugin patterns from the host's package.json, and matches nothing else", async () => {
    const root = mkdtempSync(join(tmpdir(), 'lsconv-host-'));
    const host = writePackage(root, 'my-tool', {
      lsconv: { pluginPatterns: ['my-fmt-*'] },
      dependencies: { 'my-fmt-a': '*', 'lsconv-format-b': '*' },
    });
    writePackage(
      join(host, 'node_modules'),
      'my-fmt-a',
      { lsconv: { plugins: './index.mjs' } },
      demoEntry('A'),
    );
    writePackage(
      join(host, 'node_modules'),
      'lsconv-format-b',
      { lsconv: { plugins: './index.mjs' } },
      demoEntry('B'),
    );
    const registry = await loadRegistry({ host, cwd: root, workspace: false });
    expect([...registry.formats.keys()]).toEqual(['JSON', 'A']);
    expect(registry.problems).toEqual([]);
  });

  it('finds the packages installed beside a globally installed host, and none in a project it does not declare', async () => {
    // npm install -g --prefix P: P/lib/node_modules/<each package>, no package.json around them.
    const modules = join(mkdtempSync(join(tmpdir(), 'lsconv-global-')), 'lib', 'node_modules');
    const host = writePackage(modules, '@lsconv/cli', { lsconv: { pluginPatterns: ['@lsconv/format-*'] } });
    writePackage(modules, '@lsconv/format-x', { lsconv: { plugins: './index.mjs' } }, demoEntry('X'));
    writePackage(modules, '@lsconv/testkit', {}, 'throw new Error("never loaded")');
    writePackage(modules, 'other', { lsconv: { plugins: './index.mjs' } }, 'throw new Error("never loaded")');
    const elsewhere = mkdtempSync(join(tmpdir(), 'lsconv-cwd-'));
    const registry = await loadRegistry({ host, cwd: elsewhere, workspace: false });
    expect([...registry.formats.keys()]).toEqual(['JSON', 'X']);
    expect(registry.formats.get('X')!.origin.package).toBe('@lsconv/format-x');
    expect(registry.problems).toEqual([]);
    // Inside a project, only what the project declares counts.
    const project = mkdtempSync(join(tmpdir(), 'lsconv-project-'));
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'p', dependencies: { '@lsconv/cli': '*' } }),
    );
    const inProject = writePackage(join(project, 'node_modules'), '@lsconv/cli', {
      lsconv: { pluginPatterns: ['@lsconv/format-*'] },
    });
    writePackage(
      join(project, 'node_modules'),
      '@lsconv/format-x',
      { lsconv: { plugins: './index.mjs' } },
      demoEntry('X'),
    );
    const bare = await loadRegistry({ host: inProject, cwd: elsewhere, workspace: false });
    expect([...bare.formats.keys()]).toEqual(['JSON']);
  });

  it("finds the project around a host in a package manager's store (pnpm's node_modules/.pnpm)", async () => {
    const project = mkdtempSync(join(tmpdir(), 'lsconv-pnpm-'));
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'p', dependencies: { 'fmt-z': '*' } }),
    );
    const host = writePackage(
      join(project, 'node_modules', '.pnpm', 'the-cli@1.0.0', 'node_modules'),
      'the-cli',
      {
        lsconv: { pluginPatterns: ['fmt-*'] },
      },
    );
    writePackage(
      join(project, 'node_modules'),
      'fmt-z',
      { lsconv: { plugins: './index.mjs' } },
      demoEntry('Z'),
    );
    const elsewhere = mkdtempSync(join(tmpdir(), 'lsconv-cwd-'));
    const registry = await loadRegistry({ host, cwd: elsewhere, workspace: false });
    expect([...registry.formats.keys()]).toEqual(['JSON', 'Z']);
  });

  it('loads the dependencies of a meta package that declares patterns itself', async () => {
    const modules = join(mkdtempSync(join(tmpdir(), 'lsconv-meta-')), 'node_modules');
    const cli = writePackage(modules, 'the-cli', { lsconv: { pluginPatterns: ['fmt-*', 'meta'] } });
    writeFileSync(
      join(modules, '..', 'package.json'),
      JSON.stringify({ name: 'p', dependencies: { meta: '*' } }),
    );
    writePackage(modules, 'meta', { lsconv: { pluginPatterns: ['fmt-*'] }, dependencies: { 'fmt-y': '*' } });
    writePackage(modules, 'fmt-y', { lsconv: { plugins: './index.mjs' } }, demoEntry('Y'));
    const registry = await loadRegistry({ host: cli, cwd: modules, workspace: false });
    expect([...registry.formats.keys()]).toEqual(['JSON', 'Y']);
    expect(registry.problems).toEqual([]);
  });

  it("gives core's built-in formats an ordinary origin with an entry module", async () => {
    const registry = await loadRegistry({ cwd: tmpdir(), workspace: false });
    const origin = registry.formats.get('JSON')!.origin;
    expect(origin).toMatchObject({ package: '@lsconv/core', version: CORE_VERSION });
    const module = (await import(origin.entry!)) as Record<string, unknown>;
    expect(Object.values(module)).toContain(registry.formats.get('JSON')!.format);
  });

  it('names the package of an unknown official format id', async () => {
    const registry = await loadRegistry({ cwd: tmpdir(), workspace: false });
    expect(() => registry.format('coco')).toThrow(
      expect.objectContaining({ hint: expect.stringContaining('npm install @lsconv/format-coco') }),
    );
    expect(OFFICIAL_FORMAT_PACKAGES['@lsconv/format-coco']).toContain('COCO');
  });
});

describe('matchesPattern', () => {
  it('matches * within one path segment', () => {
    expect(matchesPattern('@lsconv/format-coco', '@lsconv/format-*')).toBe(true);
    expect(matchesPattern('@acme/lsconv-format-x', '@*/lsconv-format-*')).toBe(true);
    expect(matchesPattern('@lsconv/core', '@lsconv/format-*')).toBe(false);
    expect(matchesPattern('lsconv-format-a/b', 'lsconv-format-*')).toBe(false);
    expect(matchesPattern('lsconv-format-a.b', 'lsconv-format-*')).toBe(true);
    expect(matchesPattern('lsconvXformat-a', 'lsconv.format-*')).toBe(false);
  });
});

describe('the quick readers of plugin metadata', () => {
  it('reads the usual pnpm-workspace.yaml as YAML does, and leaves every other form to the parser', () => {
    const usual = [
      'packages:\n  - packages/*\n  - apps/*\n  - tools/floor\n\n# a comment\nallowBuilds:\n  node: true\n',
      'packages: # where\n- \'a b/*\'   # quoted\n\n- "c"\n- d#e\n- f # g\nother: 1\n',
      'onlyBuiltDependencies:\n  - esbuild\n',
      'packages:\r\n  - x/*\r\n',
    ];
    for (const text of usual) {
      const parsed = (parseYaml(text) as { packages?: string[] }).packages ?? [];
      expect(simpleWorkspacePackages(text)).toEqual(parsed);
    }
    for (const text of [
      'packages: [a, b]\n',
      'packages:\n  - &x a\n',
      'packages:\n  - "a\\tb"\n',
      'packages:\n  - a: b\n',
      'packages:\n  - a\n    b\n',
      '"packages":\n  - a\n',
      'packages:\n  - - a\n',
      "packages:\n  - 'it''s'\n",
    ]) {
      expect(simpleWorkspacePackages(text)).toBeUndefined();
    }
  });

  it('checks the usual version ranges as semver does, and leaves the others to it', () => {
    const versions = ['0.1.0', '0.1.5', '0.2.0', '1.0.0', '1.2.3', '2.0.0', '0.0.3', '0.0.4'];
    const ranges = [
      '>=0.1.0 <1.0.0',
      '^0.1.0',
      '^1.2.0',
      '^0.0.3',
      '~0.1.2',
      '1.2.3',
      '=1.0.0',
      '>0.1.0',
      '<=1.0.0',
    ];
    for (const version of versions) {
      for (const range of ranges) {
        expect(simpleRangeSatisfied(version, range), `${version} ${range}`).toBe(
          semver.satisfies(version, range, { includePrerelease: true }),
        );
      }
    }
    for (const range of ['1.x', '>=1 <2', '^1.0.0 || ^2.0.0', '*', '', '1.0.0 - 2.0.0']) {
      expect(simpleRangeSatisfied('1.0.0', range), range).toBeUndefined();
    }
    expect(simpleRangeSatisfied('1.0.0-rc.1', '^1.0.0')).toBeUndefined();
  });
});

describe('loadRegistry in a pnpm workspace', () => {
  it('reads pnpm-workspace.yaml as YAML: flow lists, quotes, comments and anchors alike', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lsconv-ws-'));
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'ws', private: true }));
    // A flow list with a comment and a quoted entry: a line-by-line reading of "- item" finds none.
    writeFileSync(
      join(root, 'pnpm-workspace.yaml'),
      'packages: [ "plugins/*", \'extra\' ] # where the plugins live\nallowBuilds:\n  node: true\n',
    );
    for (const [folder, name] of [
      ['plugins/one', 'lsconv-format-one'],
      ['extra', 'lsconv-format-extra'],
    ] as const) {
      mkdirSync(join(root, folder), { recursive: true });
      writeFileSync(
        join(root, folder, 'package.json'),
        JSON.stringify({ name, version: '1.0.0', lsconv: { plugins: './index.mjs' } }),
      );
      writeFileSync(
        join(root, folder, 'index.mjs'),
        goodEntry.replaceAll('DEMO', name.slice(14).toUpperCase()),
      );
    }
    const registry = await loadRegistry({ cwd: root });
    expect([...registry.formats.keys()].sort()).toEqual(['EXTRA', 'JSON', 'ONE']);
    // A file that is not YAML at all loads no workspace package, and says nothing worse.
    writeFileSync(join(root, 'pnpm-workspace.yaml'), 'packages: [unclosed\n');
    expect([...(await loadRegistry({ cwd: root })).formats.keys()]).toEqual(['JSON']);
  });
});

describe('loadRegistry for one format', () => {
  it('imports only the packages that list the format, and those that list none', async () => {
    const dir = host({
      'lsconv-format-demo': {
        pkg: { lsconv: { plugins: './index.mjs', formats: ['DEMO'] } },
        entry: goodEntry,
      },
      // Would fail if imported: listing only other formats keeps it unloaded.
      'lsconv-format-other': {
        pkg: { lsconv: { plugins: './index.mjs', formats: ['OTHER'] } },
        entry: 'throw new Error("imported although not asked for")',
      },
      'lsconv-format-unlisted': {
        pkg: { lsconv: { plugins: './index.mjs' } },
        entry: goodEntry.replaceAll('DEMO', 'UNLISTED'),
      },
    });
    const one = await loadRegistry({ cwd: dir, workspace: false, format: 'demo' });
    expect([...one.formats.keys()].sort()).toEqual(['DEMO', 'JSON', 'UNLISTED']);
    expect(one.problems).toEqual([]);
    // The built-in JSON needs no listed package.
    expect(
      [...(await loadRegistry({ cwd: dir, workspace: false, format: 'JSON' })).formats.keys()].sort(),
    ).toEqual(['JSON', 'UNLISTED']);
    // A format nobody lists: everything loads, so the error can name what is installed.
    const all = await loadRegistry({ cwd: dir, workspace: false, format: 'NOPE' });
    expect(all.problems.map((p) => p.package)).toEqual(['lsconv-format-other']);
    expect(() => all.format('NOPE')).toThrow(/unknown format/);
  });
});
