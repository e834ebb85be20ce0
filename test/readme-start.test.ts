// The top-level README says how to start the server and what the output folder rule and
// the exit codes are: a user reading only that page finds them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const readme = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
const scripts = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')).scripts;

describe('the top-level README', () => {
  it('says where to start the server, with a command the workspace has', () => {
    expect(readme).toMatch(/^## Start the server$/m);
    expect(readme).toContain('pnpm lsconv-server --port');
    expect(scripts['lsconv-server']).toBeDefined();
  });

  it('states the output folder rule and the exit codes', () => {
    expect(readme).toMatch(/--merge/);
    expect(readme).toMatch(/exits 3/);
    expect(readme).toMatch(/--fail-on/);
  });
});
