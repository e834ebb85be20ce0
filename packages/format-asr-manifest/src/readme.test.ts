import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { memorySink, openTaskSource, parseLabelConfig, runExport } from '@lsconv/core';
import { describe, expect, it } from 'vitest';
import { asrManifest } from './asr-manifest.js';

// The README's example is checked against the example fixture, so the docs cannot drift.
const pkgDir = join(import.meta.dirname, '..');
const readme = readFileSync(join(pkgDir, 'README.md'), 'utf8');
const exampleDir = join(pkgDir, 'fixtures', 'example');

/** The contents of every fenced block of a language (the README may be reformatted). */
function blocks(lang: string): string[] {
  return [...readme.matchAll(new RegExp(`^\`\`\`${lang}\n([\\s\\S]*?)\n\`\`\`$`, 'gm'))].map(
    (m) => m[1] ?? '',
  );
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

  it('says the format has no options, and it has none', () => {
    expect(Object.keys(asrManifest.options)).toEqual([]);
    expect(readme).toContain('The format has no options of its own.');
  });

  it('shows the example fixture and exactly the manifest written for it', async () => {
    const tasksText = readFileSync(join(exampleDir, 'tasks.json'), 'utf8').trimEnd();
    const configText = readFileSync(join(exampleDir, 'config.xml'), 'utf8').trimEnd();
    expect(blocks('json').map((b) => JSON.parse(b))).toContainEqual(JSON.parse(tasksText));
    expect(blocks('xml')).toContain(configText);
    const sink = memorySink();
    await runExport({
      format: asrManifest,
      tasks: openTaskSource(join(exampleDir, 'tasks.json')),
      config: parseLabelConfig(configText),
      sink,
      resources: { uploadDir: join(exampleDir, 'upload'), baseDir: exampleDir, download: true },
    });
    expect(blocks('jsonl')).toContain(sink.text('manifest.json').trimEnd());
    expect([...sink.files.keys()].sort()).toEqual(['audio/hello.wav', 'audio/privet.flac', 'manifest.json']);
  });
});
