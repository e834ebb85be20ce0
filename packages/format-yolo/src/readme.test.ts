import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { memorySink, openTaskSource, parseLabelConfig, runExport } from '@lsconv/core';
import { describe, expect, it } from 'vitest';
import { yolo, yoloObb, yoloObbWithImages, yoloWithImages } from './index.js';

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
    for (const f of [yoloObb, yoloWithImages, yoloObbWithImages])
      expect(Object.keys(f.options)).toEqual(Object.keys(yolo.options));
    for (const [name, spec] of Object.entries(yolo.options)) {
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

  it('shows the example fixture and the files written for it', async () => {
    const tasksText = readFileSync(join(exampleDir, 'tasks.json'), 'utf8');
    const configText = readFileSync(join(exampleDir, 'config.xml'), 'utf8');
    expect(JSON.parse(blockAfter('`tasks.json`:'))).toEqual(JSON.parse(tasksText));
    expect(blockAfter('`config.xml`:')).toBe(configText.trimEnd());
    const sink = memorySink();
    await runExport({
      format: yolo,
      tasks: openTaskSource(join(exampleDir, 'tasks.json')),
      config: parseLabelConfig(configText),
      sink,
    });
    expect(blockAfter('`labels/1ba98c8f__street.txt`')).toBe(
      sink.text('labels/1ba98c8f__street.txt').trimEnd(),
    );
    expect(sink.text('labels/ec1c4533__empty.txt')).toBe('');
    expect(blockAfter('`classes.txt`:')).toBe(sink.text('classes.txt').trimEnd());
    expect(blockAfter('`data.yaml`:')).toBe(sink.text('data.yaml').trimEnd());
  });
});
