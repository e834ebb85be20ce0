import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXPORT_FLAGS, PYTHON_FLAGS, RESOURCE_FLAGS } from './commands/export.js';
import { IMPORT_FLAGS } from './commands/import.js';
import { REPO } from './test-helpers.js';

const readme = readFileSync(join(REPO, 'apps/cli/README.md'), 'utf8');

describe('README', () => {
  it('has the agreed headings', () => {
    const headings = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(headings).toEqual([
      'What it is',
      'Install',
      'Use',
      'Commands and flags',
      'Exit codes',
      "Differences from the Python converter's CLI",
    ]);
  });

  it('documents every flag and environment variable the commands take', () => {
    for (const flag of [...EXPORT_FLAGS, ...RESOURCE_FLAGS, ...PYTHON_FLAGS, ...IMPORT_FLAGS]) {
      expect(readme, flag.name).toContain(`--${flag.name}`);
      if (flag.short) expect(readme, flag.name).toContain(`-${flag.short}, --${flag.name}`);
      if (flag.env) expect(readme, flag.env).toContain(`\`${flag.env}\``);
    }
  });
});
