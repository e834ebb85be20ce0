import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI_NAME = '@lsconv/cli';

/** The folder of the `@lsconv/cli` package this code runs from (`dist/` and `src/` sit one level below it). */
export function cliPackageDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  let dir = here;
  for (;;) {
    if (readPackage(join(dir, 'package.json'))?.name === CLI_NAME) return dir;
    const parent = dirname(dir);
    if (parent === dir) return dirname(here);
    dir = parent;
  }
}

/** This CLI's version. */
export function cliVersion(): string {
  return readPackage(join(cliPackageDir(), 'package.json'))?.version ?? '0.0.0';
}

function readPackage(file: string): { name?: string; version?: string } | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
  } catch {
    return undefined;
  }
}
