import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type FormatDefinition,
  memorySink,
  openTaskSource,
  optionFlag,
  parseLabelConfig,
  runExport,
} from '@lsconv/core';
import { describe, expect, it } from 'vitest';
import { brushToCoco, brushToNumpy, brushToPng } from './index.js';

// The README's options table and example are checked against the definitions and the
// example fixture, so the docs cannot drift from the behaviour.
const pkgDir = join(import.meta.dirname, '..');
const readme = readFileSync(join(pkgDir, 'README.md'), 'utf8');
const exampleDir = join(pkgDir, 'fixtures', 'example');
const configText = readFileSync(join(exampleDir, 'config.xml'), 'utf8').trimEnd();

/** The parsed JSON of every ```json block (the README is formatted by biome, so text may differ). */
const jsonBlocks = [...readme.matchAll(/```json\n([\s\S]*?)\n```/g)].map((m) => JSON.parse(m[1]!) as unknown);
const shows = (value: unknown) => jsonBlocks.some((block) => JSON.stringify(block) === JSON.stringify(value));

const HEADINGS = [
  'What it is',
  'Install',
  'Use (CLI and API)',
  'Options',
  'Supported tags',
  'Example (in → out)',
  'Differences from the Python converter',
];

async function run(
  format: FormatDefinition<any>,
  compat: 'python' | 'default',
  options: Record<string, unknown> = {},
) {
  const sink = memorySink();
  await runExport({
    format,
    tasks: openTaskSource(join(exampleDir, 'tasks.json')),
    config: parseLabelConfig(configText),
    sink,
    compat,
    options,
  });
  return sink;
}

describe('README', () => {
  it('has the standard headings in order', () => {
    expect([...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1])).toEqual(HEADINGS);
  });

  it('lists every option with its flag, default and description', () => {
    const rows = readme
      .split('\n')
      .filter((l) => l.startsWith('| BRUSH'))
      .map((l) => l.split(/(?<!\\)\|/).map((cell) => cell.trim()));
    const documented = rows.length;
    let declared = 0;
    for (const format of [brushToNumpy, brushToPng, brushToCoco]) {
      for (const [name, spec] of Object.entries(format.options)) {
        declared++;
        const row = rows.find((r) => r[2] === `\`${name}\`` && r[1]!.includes(format.id));
        expect(row, `${format.id} ${name}`).toBeDefined();
        expect(row![3]).toBe(`\`--${optionFlag(name, spec)}\``);
        expect(row![5]).toBe(spec.type === 'boolean' ? `\`${spec.default}\`` : `\`${String(spec.default)}\``);
        expect(row![6]).toBe(spec.description);
      }
    }
    // NUMPY and PNG share one row per option.
    expect(declared - Object.keys(brushToNumpy.options).length).toBe(documented);
  });

  it('shows the example fixture and what the formats write for it', async () => {
    expect(readme).toContain(`\`\`\`xml\n${configText}\n\`\`\``);
    expect(shows(JSON.parse(readFileSync(join(exampleDir, 'tasks.json'), 'utf8')))).toBe(true);

    const png = await run(brushToPng, 'default');
    expect([...png.files.keys()].sort()).toEqual(['masks.json', 'street-01__Car.png', 'street-01__Road.png']);
    expect(shows(JSON.parse(png.text('masks.json')))).toBe(true);

    const semantic = await run(brushToPng, 'default', { semantic: true });
    expect([...semantic.files.keys()].sort()).toEqual(['masks.json', 'street-01.png']);
    expect(shows(JSON.parse(semantic.text('masks.json')))).toBe(true);

    const python = await run(brushToPng, 'python');
    for (const name of python.files.keys()) expect(readme).toContain(`\`${name}\``);
    expect(python.files.size).toBe(2);

    const coco = await run(brushToCoco, 'python');
    expect(shows(JSON.parse(coco.text('result_coco.json')).annotations)).toBe(true);
  });
});
