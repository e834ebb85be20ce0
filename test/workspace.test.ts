// Deleting a format package must leave the rest building and passing (DESIGN.md):
// copy the workspace without packages/format-csv, build every package there with the
// same compiler, and ask the CLI which formats it sees.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..');
const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');

describe('a workspace without packages/format-csv', () => {
  const copy = mkdtempSync(join(tmpdir(), 'lsconv-ws-'));
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it('still builds and lists the other formats', () => {
    const skip = new Set(['node_modules', 'dist', '.turbo', '.git', 'examples-out', 'coverage']);
    cpSync(repo, copy, {
      recursive: true,
      verbatimSymlinks: true,
      filter: (source) => {
        const rel = relative(repo, source);
        if (rel === join('packages', 'format-csv') || rel.startsWith(join('packages', 'format-csv') + '/'))
          return false;
        const parts = rel.split('/');
        // Keep each package's node_modules (symlinks only); the root store is linked below.
        if (parts.length === 1 && skip.has(parts[0]!)) return false;
        return !parts.some((p, i) => (p === 'dist' || p === '.turbo') && i > 0);
      },
    });
    symlinkSync(join(repo, 'node_modules'), join(copy, 'node_modules'));
    const packages = ['packages', 'apps'].flatMap((group) =>
      existsSync(join(copy, group))
        ? readdirSync(join(copy, group)).map((name) => join(copy, group, name))
        : [],
    );
    // Core first, then the kit the format packages depend on, then the rest.
    const first = [join(copy, 'packages', 'core'), join(copy, 'packages', 'format-kit')];
    const ordered = [...first, ...packages.filter((p) => !first.includes(p))];
    for (const dir of ordered) {
      if (!existsSync(join(dir, 'tsconfig.build.json'))) continue;
      execFileSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.build.json')], {
        cwd: dir,
        stdio: 'pipe',
      });
    }
    const out = execFileSync(
      process.execPath,
      [join(copy, 'apps', 'cli', 'dist', 'bin.js'), 'formats', '--json'],
      {
        cwd: copy,
        encoding: 'utf8',
      },
    );
    const listed = JSON.parse(out) as { formats: { id: string }[]; problems: unknown[] };
    const ids = listed.formats.map((f) => f.id);
    expect(ids).toContain('JSON');
    expect(ids).toContain('JSON_MIN');
    expect(ids).not.toContain('CSV');
    expect(ids).not.toContain('TSV');
    expect(listed.problems).toEqual([]);
  }, 300_000);
});
