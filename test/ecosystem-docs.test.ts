// The generated README sections (options, supported tags, example, the root formats
// table) must match the built definitions and fixtures: `pnpm run docs` regenerates them and
// this test runs the generator in check mode. Needs the packages built.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script without type declarations
import * as docs from '../scripts/docs.mjs';

const repo = join(import.meta.dirname, '..');
const { FORMAT_README_HEADINGS, generate, loadWorkspace, staleFiles } = docs as {
  FORMAT_README_HEADINGS: string[];
  generate: (root: string, options?: object) => Promise<{ file: string; text: string }[]>;
  loadWorkspace: (root: string) => Promise<{ packages: { name: string; dir: string; formats: any[] }[] }>;
  staleFiles: (root: string, options?: object) => Promise<string[]>;
};

describe('generated docs', () => {
  it('are up to date (pnpm run docs --check)', async () => {
    expect(await staleFiles(repo)).toEqual([]);
  });

  it('every format package README has the standard headings, in order', async () => {
    const { packages } = await loadWorkspace(repo);
    expect(packages.length).toBeGreaterThan(0);
    for (const p of packages) {
      const readme = readFileSync(join(p.dir, 'README.md'), 'utf8');
      expect(
        [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]),
        p.name,
      ).toEqual(FORMAT_README_HEADINGS);
    }
  });

  it('go stale when an option description changes, and are fresh again after regenerating', async () => {
    const { packages } = await loadWorkspace(repo);
    const csvPackage = packages.find((p) => p.name === '@lsconv/format-csv');
    expect(csvPackage).toBeDefined();
    const changed = csvPackage!.formats.map((format) => ({
      ...format,
      options: {
        ...format.options,
        separator: { ...format.options.separator, description: 'A changed description.' },
      },
    }));
    const overrideFormats = new Map([['@lsconv/format-csv', changed]]);
    expect(await staleFiles(repo, { overrideFormats })).toEqual(['packages/format-csv/README.md']);
    // What `pnpm run docs` would write, read back instead of the files on disk.
    const written = new Map(
      (await generate(repo, { overrideFormats })).map(({ file, text }) => [file, text]),
    );
    expect(written.get(join(csvPackage!.dir, 'README.md'))).toContain('A changed description.');
    const readText = (file: string) => written.get(file) ?? readFileSync(file, 'utf8');
    expect(await staleFiles(repo, { overrideFormats, readText })).toEqual([]);
  });

  it('go stale when the example output is edited by hand, but not when it is only reformatted', async () => {
    const jsonMinReadme = (edit: (output: string) => string) => (file: string) => {
      const text = readFileSync(file, 'utf8');
      if (!file.endsWith(join('format-json-min', 'README.md'))) return text;
      const at = text.indexOf('Output:');
      expect(at).toBeGreaterThan(0);
      return text.slice(0, at) + edit(text.slice(at));
    };
    const edited = jsonMinReadme((output) => output.replace('"Positive"', '"Negative"'));
    expect(await staleFiles(repo, { readText: edited })).toEqual(['packages/format-json-min/README.md']);
    const reindented = jsonMinReadme((output) => output.replace(/\n( +)"/g, '\n$1  "'));
    expect(await staleFiles(repo, { readText: reindented })).toEqual([]);
  });
});
