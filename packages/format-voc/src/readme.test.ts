import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { memorySink, openTaskSource, parseLabelConfig, runExport } from '@lsconv/core';
import { describe, expect, it } from 'vitest';
import { voc } from './index.js';

// The README's options table and example are checked against the definition and the
// example fixture, so the docs cannot drift from the behaviour.
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

function blockAfter(label: string): string {
  const at = readme.indexOf(`\n${label}`);
  expect(at, `README has no "${label}" line`).toBeGreaterThanOrEqual(0);
  const match = /```[a-z]*\n([\s\S]*?)\n```/.exec(readme.slice(at));
  expect(match, `README has no code block after "${label}"`).not.toBeNull();
  return match?.[1] ?? '';
}

describe('README', () => {
  it('has the standard headings in order', () => {
    expect([...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1])).toEqual(HEADINGS);
  });

  it('lists every option with its flag, default and description', () => {
    for (const [name, spec] of Object.entries(voc.options)) {
      // Cells are compared trimmed: a Markdown formatter may pad the table.
      const cells = readme
        .split('\n')
        .map((line) => line.split(/(?<!\\)\|/).map((c) => c.trim()))
        .find((c) => c[1] === `\`${name}\``);
      expect(cells, `no row for ${name}`).toBeDefined();
      expect(cells?.[2]).toBe(`\`--${spec.flag}\``);
      expect(cells?.[4]).toBe(`\`${spec.default}\``);
      expect(cells?.[5]).toBe(spec.description);
    }
  });

  it('shows the example fixture and the XML written for it', async () => {
    const tasksText = readFileSync(join(exampleDir, 'tasks.json'), 'utf8');
    const configText = readFileSync(join(exampleDir, 'config.xml'), 'utf8');
    expect(JSON.parse(blockAfter('`tasks.json`:'))).toEqual(JSON.parse(tasksText));
    expect(blockAfter('`config.xml`:')).toBe(configText.trimEnd());
    const sink = memorySink();
    await runExport({
      format: voc,
      tasks: openTaskSource(join(exampleDir, 'tasks.json')),
      config: parseLabelConfig(configText),
      sink,
    });
    expect([...sink.files.keys()]).toEqual(['Annotations/1ba98c8f__street.xml']);
    expect(blockAfter('`Annotations/1ba98c8f__street.xml`')).toBe(
      sink.text('Annotations/1ba98c8f__street.xml').trimEnd(),
    );
  });
});
