import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConversionReport, resolveOptions, type Task } from '@lsconv/core';
import { loadConformanceCases, runFormat } from '@lsconv/testkit';
import { describe, expect, it } from 'vitest';
import { voc } from './voc.js';
import { parseVocXml, vocImporter } from './voc-import.js';

/** The boxes and sizes of a VOC export, by file name (without the image-derived prefix). */
function boxes(files: ReadonlyMap<string, Uint8Array>): string[] {
  return [...files]
    .filter(([p]) => p.startsWith('Annotations/'))
    .map(([, bytes]) => {
      const v = parseVocXml(Buffer.from(bytes).toString('utf8'));
      return JSON.stringify([v.width, v.height, v.objects]);
    })
    .sort();
}

/**
 * Differences between two lists of `boxes()`: the same sizes, names and number of objects,
 * coordinates within two pixels (VOC's whole pixels go through percentages on the way back,
 * and the reference truncates a corner and a size, each of which may drop one).
 */
function boxDiffs(expected: string[], actual: string[]): string[] {
  if (expected.length !== actual.length) return [`${expected.length} files ≠ ${actual.length}`];
  const out: string[] = [];
  expected.forEach((e, i) => {
    const [ew, eh, eo] = JSON.parse(e);
    const [aw, ah, ao] = JSON.parse(actual[i]!);
    if (ew !== aw || eh !== ah || eo.length !== ao.length) {
      out.push(`${e} ≠ ${actual[i]}`);
      return;
    }
    eo.forEach((o: Record<string, unknown>, k: number) => {
      for (const [key, v] of Object.entries(o)) {
        const w = ao[k][key];
        if (typeof v === 'number' ? Math.abs(v - w) > 2 : v !== w) out.push(`${e}: ${key} ${v} ≠ ${w}`);
      }
    });
  });
  return out;
}

/** The boxes and sizes of the XML files under a folder's Annotations/. */
function referenceBoxes(dir: string): string[] {
  const files = new Map<string, Uint8Array>();
  for (const name of readdirSync(join(dir, 'Annotations')))
    files.set(`Annotations/${name}`, readFileSync(join(dir, 'Annotations', name)));
  return boxes(files);
}

describe('VOC: the reference output → import → export', () => {
  // The Python converter's folders (an input lsconv did not write), exported again with
  // --compat python: the same sizes and objects in every file.
  const cases = loadConformanceCases().filter((c) => c.outputs.VOC);
  it('has vision cases', () => expect(cases.length).toBeGreaterThan(4));
  for (const c of cases) {
    it(c.name, async () => {
      const expected = referenceBoxes(c.outputs.VOC!);
      expect(
        expected.some((b) => JSON.parse(b)[2].length > 0),
        'the reference has objects to carry',
      ).toBe(true);
      // Images named by their own URLs, so no two files share a name on the way back.
      const options = resolveOptions('voc', vocImporter.options, {
        imageRootUrl: 'https://example.com/JPEGImages/',
      });
      const imported = await vocImporter.run({
        input: c.outputs.VOC!,
        options,
        report: new ConversionReport('import voc'),
        compat: 'default',
        signal: new AbortController().signal,
      });
      const again = await runFormat(voc, [...(imported.tasks as Task[])], imported.labelConfig, 'python');
      expect(boxDiffs(expected, boxes(again.sink.files))).toEqual([]);
    });
  }
  it('the comparison notices a moved box', () => {
    const xml = (xmin: number) =>
      new TextEncoder().encode(
        `<annotation><size><width>10</width><height>10</height><depth>3</depth></size><object><name>a</name><bndbox><xmin>${xmin}</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax></bndbox></object></annotation>`,
      );
    const at = (xmin: number) => boxes(new Map([['Annotations/a.xml', xml(xmin)]]));
    expect(boxDiffs(at(1), at(3))).toEqual([]);
    expect(boxDiffs(at(1), at(4))).toHaveLength(1);
    expect(boxDiffs(at(1), [])).toHaveLength(1);
  });
});
