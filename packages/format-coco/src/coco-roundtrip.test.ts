import { promises as fs, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConversionReport, resolveOptions, type Task } from '@lsconv/core';
import { loadConformanceCases, runFormat } from '@lsconv/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { coco } from './coco.js';
import { cocoImporter } from './coco-import.js';

const tmp: string[] = [];
afterAll(async () => {
  for (const dir of tmp) await fs.rm(dir, { recursive: true, force: true });
});

/** Differences between two JSON values, numbers within 1e-6; `skip` keys are not compared. */
export function jsonDiffs(
  a: unknown,
  b: unknown,
  path = '$',
  skip: ReadonlySet<string> = new Set(),
): string[] {
  if (typeof a === 'number' && typeof b === 'number')
    return Math.abs(a - b) <= 1e-6 ? [] : [`${path}: ${a} ≠ ${b}`];
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return [`${path}: ${a.length} items ≠ ${b.length}`];
    return a.flatMap((x, i) => jsonDiffs(x, b[i], `${path}[${i}]`, skip));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys]
      .filter((k) => !skip.has(k))
      .flatMap((k) =>
        jsonDiffs((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`, skip),
      );
  }
  return a === b ? [] : [`${path}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`];
}

async function roundTrip(tasks: Task[], config: string): Promise<string[]> {
  const first = await runFormat(coco, tasks, config, 'default');
  const dir = await fs.mkdtemp(join(tmpdir(), 'lsconv-coco-rt-'));
  tmp.push(dir);
  await fs.writeFile(join(dir, 'result.json'), first.text('result.json'));
  const report = new ConversionReport('import coco');
  const options = resolveOptions('coco', cocoImporter.options, {});
  const imported = await cocoImporter.run({
    input: join(dir, 'result.json'),
    options,
    report,
    compat: 'default',
    signal: new AbortController().signal,
  });
  const second = await runFormat(coco, [...(imported.tasks as Task[])], imported.labelConfig, 'default');
  // Image paths follow where the images are served (the import's URLs), so only their base names must match.
  const a = first.json('result.json');
  const b = second.json('result.json');
  for (const doc of [a, b])
    for (const image of doc.images) image.file_name = String(image.file_name).split('/').pop();
  return jsonDiffs(a, b, '$', new Set(['info']));
}

describe('COCO export → import → export', () => {
  const cases = loadConformanceCases().filter((c) => c.tasksFile && c.configFile && c.outputs.COCO);
  it('has vision cases', () => expect(cases.length).toBeGreaterThan(5));
  for (const c of cases) {
    it(c.name, async () => {
      const tasks = JSON.parse(readFileSync(c.tasksFile!, 'utf8')) as Task[];
      expect(await roundTrip(tasks, readFileSync(c.configFile!, 'utf8'))).toEqual([]);
    });
  }
  it('the comparison notices a changed coordinate', () => {
    expect(jsonDiffs({ bbox: [1, 2] }, { bbox: [1, 2.001] })).toHaveLength(1);
    expect(jsonDiffs({ bbox: [1, 2] }, { bbox: [1, 2 + 1e-9] })).toEqual([]);
  });
});
