import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  memorySink,
  type OptionSpec,
  openTaskSource,
  optionFlag,
  parseLabelConfig,
  runExport,
} from '@lsconv/core';
import { describe, expect, it } from 'vitest';
import { conll2003 } from './conll2003.js';
import { treebankTokens } from './treebank-tokenizer.js';

// The README's options table and example are checked against the definition and the
// example fixture, so the docs cannot drift from the behaviour.
const pkgDir = join(import.meta.dirname, '..');
const readme = readFileSync(join(pkgDir, 'README.md'), 'utf8');
const exampleDir = join(pkgDir, 'fixtures', 'example');

/** The contents of every fenced block of a language (the README may be reformatted). */
function blocks(lang: string): string[] {
  return [...readme.matchAll(new RegExp(`^\`\`\`${lang}\n([\\s\\S]*?)\n\`\`\`$`, 'gm'))].map(
    (m) => m[1] ?? '',
  );
}

/** A markdown table row with the cell padding removed. */
function squeeze(row: string): string {
  return row.replace(/ *\| */g, '|').trim();
}

const HEADINGS = [
  'What it is',
  'Install',
  'Use (CLI and API)',
  'Options',
  'Supported tags',
  'Example (in → out)',
  'Differences from the Python converter',
];

describe('README', () => {
  it('has the standard headings in order', () => {
    expect([...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1])).toEqual(HEADINGS);
  });

  it('documents every option as the definition declares it', () => {
    for (const [name, spec] of Object.entries(conll2003.options) as [string, OptionSpec][]) {
      const def = spec.default === undefined ? '—' : `\`${JSON.stringify(spec.default)}\``;
      const row = `| \`--${optionFlag(name, spec)}\` | \`${name}\` | ${spec.type} | ${def} | ${spec.description} |`;
      expect(readme.split('\n').map(squeeze)).toContain(squeeze(row));
    }
  });

  it('shows the example fixture and exactly the file written for it', async () => {
    const tasksText = readFileSync(join(exampleDir, 'tasks.json'), 'utf8').trimEnd();
    const configText = readFileSync(join(exampleDir, 'config.xml'), 'utf8').trimEnd();
    expect(blocks('json').map((b) => JSON.parse(b))).toContainEqual(JSON.parse(tasksText));
    expect(blocks('xml')).toContain(configText);
    const sink = memorySink();
    await runExport({
      format: conll2003,
      tasks: openTaskSource(join(exampleDir, 'tasks.json')),
      config: parseLabelConfig(configText),
      sink,
    });
    expect(blocks('text')).toContain(sink.text('result.conll').trimEnd());
  });

  it('shows the tokenizer example as it runs', () => {
    const shown = treebankTokens("They'll pay $3.88.")
      .map((t) => `${t.text} [${t.start},${t.end})`)
      .join(' ');
    expect(readme).toContain(`// → ${shown}`);
  });
});
