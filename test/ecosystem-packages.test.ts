// The packages as users get them: every publishable package is packed with `pnpm pack`,
// linted with publint and arethetypeswrong on the tarball, and installed with npm into
// empty projects (only third-party dependencies come from the registry). Needs the
// packages built (`pnpm build`).
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { OFFICIAL_FORMAT_PACKAGES } from '@lsconv/core';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = join(import.meta.dirname, '..');
// The semver copy core uses for the same peer-range check when it loads plugins.
const semver = createRequire(join(repo, 'packages', 'core', 'package.json'))(
  'semver',
) as typeof import('semver');
const pluginFixtures = join(import.meta.dirname, 'fixtures', 'plugins');
const work = mkdtempSync(join(tmpdir(), 'lsconv-eco-'));
const tarballDir = join(work, 'tarballs');

/** Workspace packages that are published (the server is built and checked by its own suite). */
function publishable(): { name: string; dir: string }[] {
  const out: { name: string; dir: string }[] = [];
  for (const group of ['packages', 'apps']) {
    for (const name of readdirSync(join(repo, group)).sort()) {
      const dir = join(repo, group, name);
      const file = join(dir, 'package.json');
      if (!existsSync(file)) continue;
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name: string; private?: boolean };
      if (pkg.private || pkg.name === '@lsconv/server') continue;
      out.push({ name: pkg.name, dir });
    }
  }
  return out;
}

const packages = publishable();
const tarballs = new Map<string, string>();

async function pack(dir: string, tool: 'pnpm' | 'npm'): Promise<string> {
  // One folder per package, so the packs can run at once.
  const dest = mkdtempSync(join(tarballDir, 'p-'));
  const args =
    tool === 'pnpm' ? ['pack', '--pack-destination', dest] : ['pack', '--silent', '--pack-destination', dest];
  await run(tool, args, { cwd: dir });
  const added = readdirSync(dest);
  if (added.length !== 1) throw new Error(`packing ${dir} gave ${added.join(', ') || 'nothing'}`);
  return join(dest, added[0]!);
}

/** An empty npm project with the given tarballs installed (and extra package.json fields). */
async function project(
  name: string,
  specs: string[],
  extra: Record<string, unknown> = {},
  flags: string[] = [],
) {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name, private: true, type: 'module', ...extra }, null, 2),
  );
  await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...flags, ...specs],
    {
      cwd: dir,
    },
  );
  return dir;
}

async function lsconv(dir: string, args: string[]): Promise<string> {
  const { stdout } = await run(join(dir, 'node_modules', '.bin', 'lsconv'), args, { cwd: dir });
  return stdout;
}

interface Listing {
  formats: { id: string; package: string }[];
  problems: { package: string; code: string; reason: string }[];
}

const tgz = (name: string) => {
  const file = tarballs.get(name);
  if (!file) throw new Error(`no tarball for ${name}`);
  return file;
};

const typeProblems = new Map<string, unknown[]>();

/** arethetypeswrong's problems for ESM consumers (CommonJS resolution is out of scope: the packages are ESM only). */
async function attw(tarball: string): Promise<unknown[]> {
  const bin = join(repo, 'node_modules', '.bin', 'attw');
  // attw exits non-zero when it finds problems; the JSON report is on stdout either way.
  const { stdout } = await run(bin, [tarball, '--format', 'json'], { cwd: work }).catch(
    (error: { stdout?: string }) => ({
      stdout: error.stdout ?? '',
    }),
  );
  const report = JSON.parse(stdout) as { analysis: { problems: { resolutionKind?: string }[] } };
  return report.analysis.problems.filter(
    (p) => p.resolutionKind !== 'node10' && p.resolutionKind !== 'node16-cjs',
  );
}

let single = '';
let outside = '';
let meta = '';

beforeAll(async () => {
  mkdirSync(tarballDir);
  const fixtures = readdirSync(pluginFixtures).sort();
  const packed = await Promise.all([
    ...packages.map(async (p) => [p.name, await pack(p.dir, 'pnpm')] as const),
    ...fixtures.map(async (name) => [name, await pack(join(pluginFixtures, name), 'npm')] as const),
  ]);
  for (const [name, file] of packed) tarballs.set(name, file);
  const officialOverrides = Object.fromEntries(
    packages.filter((p) => p.name.startsWith('@lsconv/')).map((p) => [p.name, `file:${tgz(p.name)}`]),
  );
  const typed = packages.filter(
    (p) => JSON.parse(readFileSync(join(p.dir, 'package.json'), 'utf8')).exports?.['.'],
  );
  const checks = Promise.all(typed.map(async (p) => typeProblems.set(p.name, await attw(tgz(p.name)))));
  [single, outside, meta] = await Promise.all([
    // format-csv depends on @lsconv/format-kit, which no registry serves here: its tarball comes along.
    project('single-format', [
      tgz('@lsconv/core'),
      tgz('@lsconv/cli'),
      tgz('@lsconv/format-kit'),
      tgz('@lsconv/format-csv'),
    ]),
    // An old plugin next to a newer core is what `--legacy-peer-deps` (or --force) lets users install.
    project(
      'outside-plugin',
      [
        tgz('@lsconv/core'),
        tgz('@lsconv/cli'),
        tgz('lsconv-format-labelme'),
        tgz('lsconv-format-incompatible'),
        tgz('lsconv-format-broken'),
      ],
      {},
      ['--legacy-peer-deps'],
    ),
    // The meta package pulls the CLI and the formats by version; overrides point them at the tarballs.
    project('meta', [tgz('lsconv')], { overrides: officialOverrides }),
  ]);
  await checks;
}, 240_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

const rootEngines = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).engines.node as string;

describe('every publishable package', () => {
  it('is found', () => {
    expect(packages.map((p) => p.name)).toEqual(
      expect.arrayContaining(['@lsconv/core', '@lsconv/cli', 'lsconv', '@lsconv/format-csv']),
    );
  });

  it("are the official formats of core's catalogue, each with its format ids", () => {
    const plugins = packages.filter(
      (p) => JSON.parse(readFileSync(join(p.dir, 'package.json'), 'utf8')).lsconv?.plugins !== undefined,
    );
    expect(plugins.map((p) => p.name).sort()).toEqual(Object.keys(OFFICIAL_FORMAT_PACKAGES).sort());
  });

  for (const { name, dir } of packages) {
    describe(name, () => {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

      it('declares the publishing metadata', () => {
        expect(pkg.type).toBe('module');
        // Every package declares the workspace's floor (the release the floor smoke check runs on).
        expect(pkg.engines?.node).toBe(rootEngines);
        expect(pkg.sideEffects === false || Array.isArray(pkg.sideEffects)).toBe(true);
        expect(pkg.keywords).toContain('lsconv');
        expect(pkg.repository?.directory).toBe(dir.slice(repo.length + 1));
        expect(pkg.files).toEqual(expect.arrayContaining(['README.md', 'CHANGELOG.md']));
        expect(existsSync(join(dir, 'CHANGELOG.md'))).toBe(true);
        expect(pkg.exports?.['./package.json']).toBe('./package.json');
        if (pkg.exports?.['.']) {
          expect(pkg.exports['.']).toEqual({ types: './dist/index.d.ts', import: './dist/index.js' });
        }
        if (name === '@lsconv/format-kit') {
          // A library the format packages depend on, not a plugin: the registry passes it over.
          expect(pkg.lsconv).toBeUndefined();
          expect(pkg.keywords).not.toContain('lsconv-plugin');
          expect(pkg.peerDependencies?.['@lsconv/core']).toBeDefined();
          expect(pkg.dependencies?.['@lsconv/core']).toBeUndefined();
        }
        // A format package (format-kit, a helper library, is none: it has no marker).
        if (pkg.lsconv?.plugins !== undefined || name in OFFICIAL_FORMAT_PACKAGES) {
          expect(pkg.keywords).toContain('lsconv-plugin');
          // The marker lists the package's format ids, as core's catalogue of official formats does.
          expect(pkg.lsconv).toEqual({ plugins: './dist/index.js', formats: OFFICIAL_FORMAT_PACKAGES[name] });
          const range = pkg.peerDependencies?.['@lsconv/core'];
          const core = JSON.parse(readFileSync(join(repo, 'packages', 'core', 'package.json'), 'utf8'));
          expect(semver.satisfies(core.version, range), `${range} holds ${core.version}`).toBe(true);
          // A core minor must stay inside the range (no forced plugin majors); a core major must not.
          expect(semver.satisfies(semver.inc(core.version, 'minor')!, range)).toBe(true);
          expect(semver.satisfies(semver.inc(core.version, 'major')!, range)).toBe(false);
          expect(pkg.dependencies?.['@lsconv/core']).toBeUndefined();
        }
      });

      it('passes publint on its tarball', async () => {
        const tarball = readFileSync(tgz(name));
        const { messages, pkg: packed } = await publint({
          pack: {
            tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength),
          },
          level: 'warning',
        });
        expect(messages.map((m) => formatMessage(m, packed) ?? m.code)).toEqual([]);
        // The packed manifest has no workspace: ranges left.
        expect(JSON.stringify(packed)).not.toContain('workspace:');
      });

      if (pkg.exports?.['.']) {
        it('has correct types for ESM consumers (arethetypeswrong on the tarball)', () => {
          expect(typeProblems.get(name)).toEqual([]);
        });
      } else {
        // The meta package: a command only, so there are no types to check.
        it('has no entry point to type: only its package.json exported, no main or types, one command', () => {
          expect(pkg.exports).toEqual({ './package.json': './package.json' });
          expect(pkg.main).toBeUndefined();
          expect(pkg.types).toBeUndefined();
          expect(Object.keys(pkg.bin ?? {})).toEqual(['lsconv']);
          expect(typeProblems.has(name)).toBe(false);
        });
      }
    });
  }
});

describe('a single-format install (core, cli, format-csv and the kit it needs from tarballs)', () => {
  const example = join(repo, 'packages', 'format-csv', 'fixtures', 'example');

  it('the CLI sees that format and no other', async () => {
    const listing = JSON.parse(await lsconv(single, ['formats', '--json'])) as Listing;
    expect(listing.formats.map((f) => f.id).sort()).toEqual(['CSV', 'JSON', 'TSV']);
    expect(listing.formats.find((f) => f.id === 'CSV')?.package).toBe('@lsconv/format-csv');
    expect(listing.problems).toEqual([]);
  });

  it('the CLI converts with it, and the library gives the same file', async () => {
    const args = ['-i', join(example, 'tasks.json'), '-c', join(example, 'config.xml'), '-f', 'CSV'];
    await lsconv(single, ['export', ...args, '-o', join(single, 'cli-out')]);
    const script = join(single, 'convert.mjs');
    writeFileSync(
      script,
      [
        "import { readFileSync } from 'node:fs';",
        "import { directorySink, openTaskSource, parseLabelConfig, runExport } from '@lsconv/core';",
        "import { csv } from '@lsconv/format-csv';",
        'const [tasks, config, out] = process.argv.slice(2);',
        "const report = await runExport({ format: csv, tasks: openTaskSource(tasks), config: parseLabelConfig(readFileSync(config, 'utf8')), sink: directorySink(out) });",
        'console.log(JSON.stringify({ items: report.itemsWritten }));',
      ].join('\n'),
    );
    const { stdout } = await run(
      process.execPath,
      [script, join(example, 'tasks.json'), join(example, 'config.xml'), join(single, 'lib-out')],
      {
        cwd: single,
      },
    );
    expect(JSON.parse(stdout).items).toBeGreaterThan(0);
    const fromCli = readFileSync(join(single, 'cli-out', 'result.csv'), 'utf8');
    expect(fromCli.split('\r\n')[0]).toContain('"annotator"');
    expect(readFileSync(join(single, 'lib-out', 'result.csv'), 'utf8')).toBe(fromCli);
  });

  it('an official format that is not installed is refused, naming its package', async () => {
    const error = await lsconv(single, [
      'export',
      '-i',
      join(example, 'tasks.json'),
      '-o',
      join(single, 'x'),
      '-f',
      'COCO',
    ]).then(
      () => undefined,
      (e: { stderr: string }) => e,
    );
    // An official format names the package that provides it.
    expect(error?.stderr).toMatch(/unknown format "COCO".*@lsconv\/format-coco/);
    expect(existsSync(join(single, 'x'))).toBe(false);
  });
});

describe('a community format from outside the repository', () => {
  const example = join(import.meta.dirname, 'fixtures', 'labelme-example');

  it('is listed, and the incompatible and broken plugins are named and skipped', async () => {
    const listing = JSON.parse(await lsconv(outside, ['formats', '--json'])) as Listing;
    expect(listing.formats.find((f) => f.id === 'LABELME')?.package).toBe('lsconv-format-labelme');
    expect(listing.formats.map((f) => f.id)).not.toContain('FUTURE');
    const problems = Object.fromEntries(listing.problems.map((p) => [p.package, p]));
    expect(problems['lsconv-format-incompatible']?.code).toBe('PLUGIN_INCOMPATIBLE');
    expect(problems['lsconv-format-incompatible']?.reason).toContain('^99.0.0');
    expect(problems['lsconv-format-broken']?.code).toBe('PLUGIN_LOAD');
    expect(problems['lsconv-format-broken']?.reason).toContain('fails on purpose');
    const text = await lsconv(outside, ['formats']);
    expect(text).toContain('lsconv-format-incompatible');
    expect(text).toContain('lsconv-format-broken');
  });

  it('exports with `lsconv export -f LABELME`', async () => {
    const out = join(outside, 'labelme-out');
    await lsconv(outside, [
      'export',
      '-i',
      join(example, 'tasks.json'),
      '-c',
      join(example, 'config.xml'),
      '-o',
      out,
      '-f',
      'LABELME',
    ]);
    expect(readdirSync(out).sort()).toEqual(['.lsconv-output', 'cat.json']);
    const doc = JSON.parse(readFileSync(join(out, 'cat.json'), 'utf8'));
    expect(doc).toMatchObject({ imagePath: 'cat.jpg', imageWidth: 200, imageHeight: 100, imageData: null });
    expect(doc.shapes).toEqual([
      {
        label: 'Cat',
        points: [
          [20, 20],
          [120, 60],
        ],
        group_id: null,
        description: '',
        shape_type: 'rectangle',
        flags: {},
      },
      {
        label: 'Cat',
        points: [
          [0, 0],
          [100, 0],
          [100, 50],
        ],
        group_id: null,
        description: '',
        shape_type: 'polygon',
        flags: {},
      },
    ]);
  });
});

describe('the batteries-included `lsconv` package', () => {
  it('brings the CLI with every official format', async () => {
    const workspace = JSON.parse(
      (
        await run(process.execPath, [join(repo, 'apps', 'cli', 'dist', 'bin.js'), 'formats', '--json'], {
          cwd: repo,
        })
      ).stdout,
    ) as Listing;
    const official = workspace.formats.map((f) => f.id).sort();
    const listing = JSON.parse(await lsconv(meta, ['formats', '--json'])) as Listing;
    expect(listing.formats.map((f) => f.id).sort()).toEqual(official);
    expect(listing.problems).toEqual([]);
  });

  it('depends on every official format, while @lsconv/cli depends on core only', () => {
    const metaPkg = JSON.parse(readFileSync(join(repo, 'packages', 'lsconv', 'package.json'), 'utf8'));
    // The format packages, not the kit they depend on (it comes along with them).
    const formats = packages.filter((p) => p.name in OFFICIAL_FORMAT_PACKAGES).map((p) => p.name);
    expect(Object.keys(metaPkg.dependencies)).toEqual(expect.arrayContaining(['@lsconv/cli', ...formats]));
    const cliPkg = JSON.parse(readFileSync(join(repo, 'apps', 'cli', 'package.json'), 'utf8'));
    expect(Object.keys(cliPkg.dependencies ?? {})).toEqual(['@lsconv/core']);
  });
});
