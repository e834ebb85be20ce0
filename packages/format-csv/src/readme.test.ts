import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type FormatDefinition,
  memorySink,
  type OptionSpecs,
  openTaskSource,
  optionFlag,
  parseLabelConfig,
  runExport,
} from '@lsconv/core';
import { describe, expect, it } from 'vitest';
import { csv, tsv } from './csv.js';

// The README's options table and example are checked against the definitions and the
// example fixture, so the docs cannot drift from the behaviour. Tables are compared
// cell by cell and JSON as JSON: the repository formatter may re-pad Markdown.
const pkgDir = join(import.meta.dirname, '..');
const readme = readFileSync(join(pkgDir, 'README.md'), 'utf8');
const exampleDir = join(pkgDir, 'fixtures', 'example');

const HEADINGS = [
  'What it is',
  'Install',
  'Use (CLI and API)',
  'Options',
  'Supported tags',
  'Example (in → out)',
  'Differences from the Python converter',
];

/** The fenced code block that follows a line starting with `label`. */
function blockAfter(label: string): string {
  const at = readme.indexOf(`\n${label}`);
  expect(at, `README has no "${label}" line`).toBeGreaterThanOrEqual(0);
  const match = /```[a-z]*\n([\s\S]*?)\n```/.exec(readme.slice(at));
  expect(match, `README has no code block after "${label}"`).not.toBeNull();
  return match?.[1] ?? '';
}

/** Table rows of the README as trimmed cells. */
function tableRows(): string[][] {
  return readme
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) =>
      line
        .slice(1, -1)
        .split(' | ')
        .map((cell) => cell.trim()),
    );
}

/** The options table rows the definitions call for (defaults per format when they differ). */
function optionRows(formats: readonly FormatDefinition<any>[]): string[][] {
  const [first] = formats;
  if (!first) return [];
  return Object.entries(first.options as OptionSpecs).map(([name, spec]) => {
    const defaults = formats.map((f) => JSON.stringify(f.options[name]?.default));
    const defaultText =
      new Set(defaults).size === 1
        ? `\`${defaults[0]}\``
        : defaults.map((d, i) => `\`${d}\` (${formats[i]?.id})`).join(', ');
    return [`\`--${optionFlag(name, spec)}\``, `\`${name}\``, spec.type, defaultText, spec.description];
  });
}

describe('README', () => {
  it('has the standard headings in order', () => {
    const found = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(found).toEqual(HEADINGS);
  });

  it('documents every option as the definitions declare it', () => {
    expect(Object.keys(csv.options)).toEqual(Object.keys(tsv.options));
    const rows = tableRows();
    for (const row of optionRows([csv, tsv])) expect(rows).toContainEqual(row);
  });

  it('shows the example fixture and exactly the CSV written for it', async () => {
    const tasksText = readFileSync(join(exampleDir, 'tasks.json'), 'utf8');
    const configText = readFileSync(join(exampleDir, 'config.xml'), 'utf8');
    expect(JSON.parse(blockAfter('`tasks.json`:'))).toEqual(JSON.parse(tasksText));
    expect(blockAfter('`config.xml`:')).toBe(configText.trimEnd());
    const sink = memorySink();
    await runExport({
      format: csv,
      tasks: openTaskSource(join(exampleDir, 'tasks.json')),
      config: parseLabelConfig(configText),
      sink,
    });
    expect(blockAfter('`result.csv` (`-f CSV`):')).toBe(sink.text('result.csv').replaceAll('\r\n', '\n').trimEnd());
  });
});
