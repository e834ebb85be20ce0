// Releases: versions are independent per package. `changeset version` runs on a
// temporary copy of the package manifests, changelogs and the changesets config, never
// on the real ones.
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = join(import.meta.dirname, '..');
// The semver copy core uses for the same peer-range check when it loads plugins.
const semver = createRequire(join(repo, 'packages', 'core', 'package.json'))(
  'semver',
) as typeof import('semver');
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

interface Manifest {
  name: string;
  version: string;
  peerDependencies?: Record<string, string>;
}

/** Copies the release-relevant files to a temp folder, adds a changeset, runs `changeset version`. */
async function version(
  changeset: string,
): Promise<{ dir: string; manifests: Map<string, Manifest>; before: Map<string, Manifest> }> {
  const dir = mkdtempSync(join(tmpdir(), 'lsconv-release-'));
  temps.push(dir);
  const files = ['package.json', 'pnpm-workspace.yaml', '.changeset/config.json'];
  for (const group of ['packages', 'apps']) {
    for (const name of readdirSync(join(repo, group))) {
      for (const file of ['package.json', 'CHANGELOG.md']) {
        if (existsSync(join(repo, group, name, file))) files.push(join(group, name, file));
      }
    }
  }
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    cpSync(join(repo, file), join(dir, file));
  }
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, '.changeset', 'sample.md'), changeset);
  const read = (root: string) =>
    new Map(
      files
        .filter((f) => f.endsWith('/package.json'))
        .map((f) => JSON.parse(readFileSync(join(root, f), 'utf8')) as Manifest)
        .map((m) => [m.name, m]),
    );
  const before = read(dir);
  await run(process.execPath, [join(repo, 'node_modules', '@changesets', 'cli', 'bin.js'), 'version'], {
    cwd: dir,
  });
  return { dir, manifests: read(dir), before };
}

const plugins = (m: Map<string, Manifest>) =>
  [...m.values()].filter((p) => p.name.startsWith('@lsconv/format-'));

describe('changesets', () => {
  it('is configured for independent versions', () => {
    const config = JSON.parse(readFileSync(join(repo, '.changeset', 'config.json'), 'utf8'));
    expect(config.fixed).toEqual([]);
    expect(config.linked).toEqual([]);
    expect(config.access).toBe('public');
  });

  it('a core minor bumps core only (plus dependents by patch), never plugins to a major', async () => {
    const { dir, manifests, before } = await version(
      '---\n"@lsconv/core": minor\n"@lsconv/format-csv": patch\n---\n\nA sample change.\n',
    );
    const core = manifests.get('@lsconv/core')!;
    expect(core.version).toBe(semver.inc(before.get('@lsconv/core')!.version, 'minor'));
    expect(plugins(manifests).length).toBeGreaterThan(0);
    for (const plugin of plugins(manifests)) {
      const old = before.get(plugin.name)!;
      expect(semver.major(plugin.version), plugin.name).toBe(semver.major(old.version));
      expect(semver.satisfies(core.version, plugin.peerDependencies!['@lsconv/core']!), plugin.name).toBe(
        true,
      );
      if (plugin.name !== '@lsconv/format-csv') expect(plugin.version, plugin.name).toBe(old.version);
    }
    expect(manifests.get('@lsconv/format-csv')!.version).toBe(
      semver.inc(before.get('@lsconv/format-csv')!.version, 'patch'),
    );
    // The CLI depends on core directly: a patch release picks up the new core.
    expect(manifests.get('@lsconv/cli')!.version).toBe(
      semver.inc(before.get('@lsconv/cli')!.version, 'patch'),
    );
    const changelog = readFileSync(join(dir, 'packages', 'format-csv', 'CHANGELOG.md'), 'utf8');
    expect(changelog).toMatch(/## 0\.1\.1\n\n### Patch Changes\n\n- A sample change\./);
    expect(readFileSync(join(dir, 'packages', 'core', 'CHANGELOG.md'), 'utf8')).toContain(
      '### Minor Changes',
    );
    expect(existsSync(join(dir, '.changeset', 'sample.md'))).toBe(false);
  }, 60_000);

  it('a core major takes the plugins along (their peer range no longer holds)', async () => {
    const { manifests, before } = await version('---\n"@lsconv/core": major\n---\n\nA breaking change.\n');
    const core = manifests.get('@lsconv/core')!;
    expect(core.version).toBe('1.0.0');
    for (const plugin of plugins(manifests)) {
      expect(plugin.version, plugin.name).not.toBe(before.get(plugin.name)!.version);
      expect(semver.satisfies(core.version, plugin.peerDependencies!['@lsconv/core']!), plugin.name).toBe(
        true,
      );
    }
  }, 60_000);
});
