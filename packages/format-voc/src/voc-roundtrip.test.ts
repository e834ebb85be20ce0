import { promises as fs, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConversionReport, resolveOptions, type Task } from '@lsconv/core';
import { loadConformanceCases, runFormat } from '@lsconv/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { voc } from './voc.js';
import { parseVocXml, vocImporter } from './voc-import.js';

const tmp: string[] = [];
afterAll(async () => {
  for (const dir of tmp) await fs.rm(dir, { recursive: true, force: true });
});

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

describe('VOC export → import → export', () => {
  const cases = loadConformanceCases().filter((c) => c.tasksFile && c.configFile && c.outputs.VOC);
  it('has vision cases', () => expect(cases.length).toBeGreaterThan(4));
  for (const c of cases) {
    it(c.name, async () => {
      const tasks = JSON.parse(readFileSync(c.tasksFile!, 'utf8')) as Task[];
      const first = await runFormat(voc, tasks, readFileSync(c.configFile!, 'utf8'), 'default');
      const dir = await fs.mkdtemp(join(tmpdir(), 'lsconv-voc-rt-'));
      tmp.push(dir);
      for (const [path, bytes] of first.sink.files) {
        await fs.mkdir(join(dir, path, '..'), { recursive: true });
        await fs.writeFile(join(dir, path), bytes);
      }
      const options = resolveOptions('voc', vocImporter.options, {});
      const imported = await vocImporter.run({
        input: dir,
        options,
        report: new ConversionReport('import voc'),
        compat: 'default',
        signal: new AbortController().signal,
      });
      const second = await runFormat(voc, [...(imported.tasks as Task[])], imported.labelConfig, 'default');
      expect(boxes(second.sink.files)).toEqual(boxes(first.sink.files));
    });
  }
});
