// `pnpm new-format <name>` scaffolds a package that builds, passes its tests out of the
// box and is listed by `lsconv formats`. The generator writes into a temporary
// workspace whose node_modules link to this repository's core, testkit and vitest.
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script without type declarations
import * as docs from '../scripts/docs.mjs';
// @ts-expect-error: a plain ESM script without type declarations
import * as generator from '../scripts/new-format.mjs';

const run = promisify(execFile);
const repo = join(import.meta.dirname, '..');
const { formatNames } = generator as { formatNames: (name: string) => Record<string, string> };
const { FORMAT_README_HEADINGS } = docs as { FORMAT_README_HEADINGS: string[] };

/** The environment without the variables of the vitest running this test. */
function childEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_OPTIONS'),
  );
}

describe('pnpm new-format', () => {
  const root = mkdtempSync(join(tmpdir(), 'lsconv-gen-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('derives the names', () => {
    expect(formatNames('my-format')).toMatchObject({
      packageName: '@lsconv/format-my-format',
      id: 'MY_FORMAT',
      exportName: 'myFormat',
    });
    expect(() => formatNames('Bad Name')).toThrow(/lower-case/);
  });

  it('scaffolds a package that builds, passes its tests and is listed by lsconv formats', async () => {
    mkdirSync(join(root, 'packages'));
    mkdirSync(join(root, 'node_modules', '@lsconv'), { recursive: true });
    cpSync(join(repo, 'tsconfig.base.json'), join(root, 'tsconfig.base.json'));
    writeFileSync(join(root, 'pnpm-workspace.yaml'), 'packages:\n  - packages/*\n');
    for (const name of ['core', 'testkit'])
      symlinkSync(join(repo, 'packages', name), join(root, 'node_modules', '@lsconv', name));
    for (const name of ['vitest', '@types'])
      symlinkSync(join(repo, 'node_modules', name), join(root, 'node_modules', name));

    const script = join(repo, 'scripts', 'new-format.mjs');
    await run(process.execPath, [script, '--root', root, 'demo', '--no-install']);
    const dir = join(root, 'packages', 'format-demo');
    for (const file of [
      'package.json',
      'README.md',
      'CHANGELOG.md',
      'src/index.ts',
      'src/demo.ts',
      'src/demo.test.ts',
      'fixtures/example/tasks.json',
    ]) {
      expect(existsSync(join(dir, file)), file).toBe(true);
    }
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    expect([...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1])).toEqual(FORMAT_README_HEADINGS);
    for (const section of ['options', 'tags', 'example'])
      expect(readme).toContain(`<!-- lsconv:${section}:start -->`);
    // A second run must not overwrite the package.
    await expect(run(process.execPath, [script, '--root', root, 'demo', '--no-install'])).rejects.toThrow(
      /already exists/,
    );

    const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
    await run(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: dir });
    const vitest = join(repo, 'node_modules', 'vitest', 'vitest.mjs');
    const report = join(root, 'vitest-report.json');
    await run(process.execPath, [vitest, 'run', '--reporter=json', `--outputFile.json=${report}`], {
      cwd: dir,
      env: childEnv(),
    });
    const result = JSON.parse(readFileSync(report, 'utf8')) as {
      numFailedTests: number;
      numPassedTests: number;
    };
    expect(result.numFailedTests).toBe(0);
    expect(result.numPassedTests).toBeGreaterThan(5);

    const cli = join(repo, 'apps', 'cli', 'dist', 'bin.js');
    const listing = JSON.parse(
      (await run(process.execPath, [cli, 'formats', '--json'], { cwd: root })).stdout,
    ) as {
      formats: { id: string; package: string }[];
      problems: unknown[];
    };
    expect(listing.formats.find((f) => f.id === 'DEMO')?.package).toBe('@lsconv/format-demo');
    expect(listing.problems).toEqual([]);
  }, 120_000);
});
