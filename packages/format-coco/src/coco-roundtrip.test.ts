import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConversionReport, resolveOptions, type Task } from '@lsconv/core';
import { loadConformanceCases, runFormat } from '@lsconv/testkit';
import { describe, expect, it } from 'vitest';
import { coco } from './coco.js';
import { cocoImporter } from './coco-import.js';

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

/** A COCO document with category ids replaced by names, and categories sorted by name. */
function byName(doc: any): any {
  const names = new Map<unknown, string>(doc.categories.map((c: any) => [c.id, c.name]));
  const out = structuredClone(doc);
  for (const c of out.categories) delete c.id;
  out.categories.sort((a: any, b: any) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const a of out.annotations) a.category_id = names.get(a.category_id);
  // Image paths follow where the images are served (the import's URLs): their base names must match.
  for (const image of out.images) image.file_name = String(image.file_name).split('/').pop();
  return out;
}

/**
 * Imports the Python converter's COCO file (an input lsconv did not write) and exports
 * it again with `--compat python`: the same images, annotations and category names.
 */
async function roundTrip(reference: string): Promise<string[]> {
  const report = new ConversionReport('import coco');
  const options = resolveOptions('coco', cocoImporter.options, {});
  const imported = await cocoImporter.run({
    input: reference,
    options,
    report,
    compat: 'default',
    signal: new AbortController().signal,
  });
  const again = await runFormat(coco, [...(imported.tasks as Task[])], imported.labelConfig, 'python');
  const expected = JSON.parse(readFileSync(reference, 'utf8'));
  expect(expected.annotations.length, `${reference} has annotations to carry`).toBeGreaterThan(0);
  return jsonDiffs(byName(expected), byName(again.json('result.json')), '$', new Set(['info']));
}

describe('COCO: the reference output → import → export', () => {
  // A reference whose file_name is a URL query (the Python converter names storage-proxy
  // images `?filepath=…`) names no file the importer could give back: left out, said here.
  const namesFiles = (c: { outputs: { COCO?: string } }) =>
    !(
      JSON.parse(readFileSync(join(c.outputs.COCO!, 'result.json'), 'utf8')) as {
        images: { file_name: unknown }[];
      }
    ).images.some((image) => String(image.file_name).includes('?'));
  const cases = loadConformanceCases().filter((c) => c.outputs.COCO && namesFiles(c));
  it('has vision cases', () => expect(cases.length).toBeGreaterThan(5));
  for (const c of cases) {
    it(c.name, async () => {
      expect(await roundTrip(join(c.outputs.COCO!, 'result.json'))).toEqual([]);
    });
  }
  it('the comparison notices a changed coordinate', () => {
    expect(jsonDiffs({ bbox: [1, 2] }, { bbox: [1, 2.001] })).toHaveLength(1);
    expect(jsonDiffs({ bbox: [1, 2] }, { bbox: [1, 2 + 1e-9] })).toEqual([]);
  });
  it('the comparison notices a changed category, not a renumbered one', () => {
    const doc = (ids: [number, number], cat: number) => ({
      images: [],
      categories: [
        { id: ids[0], name: 'a' },
        { id: ids[1], name: 'b' },
      ],
      annotations: [{ id: 0, category_id: cat }],
    });
    expect(jsonDiffs(byName(doc([0, 1], 0)), byName(doc([1, 0], 1)))).toEqual([]);
    expect(jsonDiffs(byName(doc([0, 1], 0)), byName(doc([0, 1], 1)))).toHaveLength(1);
  });
});
