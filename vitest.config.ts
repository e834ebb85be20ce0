import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { configDefaults, defineConfig } from 'vitest/config';

/** Test files that run alone, after the rest of the suite. */
const ALONE = '**/*.alone.test.ts';

// Tests import every workspace package from its TypeScript source, so a test run
// never depends on a stale build. Plugin discovery tests load `dist/` on purpose.
const root = import.meta.dirname;
const alias: Record<string, string> = {};
for (const group of ['packages', 'apps']) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    const pkgFile = join(dir, name, 'package.json');
    const entry = join(dir, name, 'src', 'index.ts');
    if (!existsSync(pkgFile) || !existsSync(entry)) continue;
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { name: string };
    alias[pkg.name] = resolve(entry);
  }
}

export default defineConfig({
  resolve: { alias },
  test: {
    globalSetup: ['test/state-dir.setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Vitest runs one file at a time on two cores (its default is one fewer than the
    // cores). Most files wait on child processes, worker threads or sockets, so two at a
    // time take the suite from about 650 s to about 510 s there.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'suite',
          include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ALONE],
          sequence: { groupOrder: 0 },
        },
      },
      // Files that time how fast something answers run after the others, one at a time:
      // the two cores are then theirs, so a late answer means a slow server, not a busy machine.
      {
        extends: true,
        test: { name: 'alone', include: [ALONE], maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
