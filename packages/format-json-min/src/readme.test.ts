import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { memorySink, openTaskSource, parseLabelConfig, runExport } from '@lsconv/core';
import { describe, expect, it } from 'vitest';
import { jsonMin } from './json-min.js';

// The README's example is checked against the example fixture, so the docs cannot drift
// from the behaviour. JSON blocks are compared as JSON: the repository formatter may
// re-indent code blocks inside Markdown.
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

describe('README', () => {
  it('has the standard headings in order', () => {
    const found = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(found).toEqual(HEADINGS);
  });

  it('says there are no options, as the definition declares', () => {
    expect(Object.keys(jsonMin.options)).toEqual([]);
    expect(readme).toMatch(/## Options\n\nNone\.\n/);
  });

  it('shows the example fixture and exactly the JSON written for it', async () => {
    const tasksText = readFileSync(join(exampleDir, 'tasks.json'), 'utf8');
    const configText = readFileSync(join(exampleDir, 'config.xml'), 'utf8');
    expect(JSON.parse(blockAfter('`tasks.json`:'))).toEqual(JSON.parse(tasksText));
    expect(blockAfter('`config.xml`:')).toBe(configText.trimEnd());
    const sink = memorySink();
    await runExport({
      format: jsonMin,
      tasks: openTaskSource(join(exampleDir, 'tasks.json')),
      config: parseLabelConfig(configText),
      sink,
    });
    expect(JSON.parse(blockAfter('`result.json`:'))).toEqual(JSON.parse(sink.text('result.json')));
  });
});
