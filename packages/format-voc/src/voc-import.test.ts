import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLabelConfig } from '@lsconv/core';
import { runImport } from '@lsconv/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { parseVocXml, vocImporter } from './voc-import.js';

const tmp: string[] = [];
afterAll(async () => {
  for (const dir of tmp) await fs.rm(dir, { recursive: true, force: true });
});
async function writeFiles(files: Record<string, string>): Promise<string> {
  const root = await fs.mkdtemp(join(tmpdir(), 'lsconv-voc-import-'));
  tmp.push(root);
  for (const [path, content] of Object.entries(files)) {
    await fs.mkdir(join(root, path, '..'), { recursive: true });
    await fs.writeFile(join(root, path), content);
  }
  return root;
}

const xml = (
  file: string,
  objects: string,
  size = '<size><width>200</width><height>100</height><depth>3</depth></size>',
) =>
  `<?xml version="1.0"?><annotation><folder>JPEGImages</folder><filename>${file}</filename>${size}${objects}</annotation>`;
const obj = (name: string, box: [number, number, number, number]) =>
  `<object><name>${name}</name><difficult>0</difficult><bndbox><xmin>${box[0]}</xmin><ymin>${box[1]}</ymin><xmax>${box[2]}</xmax><ymax>${box[3]}</ymax></bndbox></object>`;

describe('voc importer', () => {
  it('parses VOC XML, one or several objects', () => {
    expect(parseVocXml(xml('a.jpg', obj('cat', [1, 2, 3, 4]))).objects).toEqual([
      { name: 'cat', xmin: 1, ymin: 2, xmax: 3, ymax: 4 },
    ]);
    expect(parseVocXml(xml('a.jpg', obj('a', [1, 2, 3, 4]) + obj('b', [5, 6, 7, 8]))).objects).toHaveLength(
      2,
    );
    expect(() => parseVocXml('<root/>')).toThrow(/annotation/);
  });

  it('decodes numeric character references in names and file names', () => {
    const parsed = parseVocXml(xml('caf&#233;.jpg', obj('caf&#xE9; &#38; co &amp;#233;', [1, 2, 3, 4])));
    expect(parsed.filename).toBe('café.jpg');
    expect(parsed.objects[0]?.name).toBe('café & co &#233;');
    expect(() => parseVocXml(xml('a.jpg', obj('&#0;', [1, 2, 3, 4])))).toThrow(/does not allow/);
  });

  it('imports Annotations/*.xml boxes with local-files URLs and a config of their labels', async () => {
    const dir = await writeFiles({
      'Annotations/b.xml': xml('b.jpg', obj('dog', [20, 10, 120, 60]) + obj('cat', [0, 0, 200, 100])),
      'Annotations/a.xml': xml('a.jpg', ''),
      'JPEGImages/b.jpg': 'not read: the XML has the size',
    });
    const { tasks, labelConfig, report } = await runImport(vocImporter, dir);
    expect(tasks.map((t) => t.data.image)).toEqual([
      '/data/local-files/?d=JPEGImages/a.jpg',
      '/data/local-files/?d=JPEGImages/b.jpg',
    ]);
    const result = tasks[1]!.annotations![0]!.result!;
    expect(result[0]).toMatchObject({
      type: 'rectanglelabels',
      from_name: 'label',
      to_name: 'image',
      original_width: 200,
      original_height: 100,
      value: { x: 10, y: 10, width: 50, height: 50, rotation: 0, rectanglelabels: ['dog'] },
    });
    expect(parseLabelConfig(labelConfig).controls.get('label')?.labels).toEqual(['cat', 'dog']);
    expect(report.toJSON().skipped).toEqual([]);
  });

  it('reports broken files and objects with the file name', async () => {
    const dir = await writeFiles({
      'Annotations/a.xml': xml(
        'a.jpg',
        obj('cat', [5, 5, 1, 1]) + '<object><name>x</name></object>' + obj('ok', [0, 0, 1, 1]),
      ),
      'Annotations/b.xml': '<annotation><oops',
      'Annotations/c.xml': xml('c.jpg', obj('cat', [0, 0, 1, 1]), ''),
    });
    const { tasks, report } = await runImport(vocImporter, dir, { outType: 'predictions' });
    expect(tasks).toHaveLength(2);
    expect((tasks[0]!.predictions![0] as { result: unknown[] }).result).toHaveLength(1);
    const skipped = report.toJSON().skipped;
    expect(skipped.map((s) => s.code).sort()).toEqual(['bad-object', 'bad-xml', 'missing-image-size']);
    expect(skipped.find((s) => s.code === 'bad-object')!.count).toBe(2);
    expect(skipped.find((s) => s.code === 'bad-xml')!.examples[0]).toMatchObject({
      file: 'Annotations/b.xml',
    });
  });

  it('reports a truncated file (no </annotation>) with the line, instead of importing it', async () => {
    const whole = xml('t.jpg', obj('cat', [0, 0, 1, 1]));
    const dir = await writeFiles({
      'Annotations/t.xml': whole.replace('</annotation>', ''),
      'Annotations/u.xml': whole.replace('<object>', '<object><name>dog</name><object>'),
      'Annotations/ok.xml': whole,
    });
    const { tasks, report } = await runImport(vocImporter, dir);
    expect(tasks).toHaveLength(1);
    const bad = report.entries().filter((e) => e.code === 'bad-xml');
    expect(bad.map((e) => e.file).sort()).toEqual(['Annotations/t.xml', 'Annotations/u.xml']);
    expect(bad[0]!.reason).toMatch(/not well-formed: .*\(line \d+\)/);
  });

  it('reports a box that overflows to Infinity in percent instead of importing it', async () => {
    const dir = await writeFiles({
      'Annotations/a.xml': xml(
        'a.jpg',
        obj('tiny', [0, 0, 1, 1]) + obj('ok', [0, 0, 0, 0]),
        '<size><width>5e-324</width><height>1</height><depth>3</depth></size>',
      ),
    });
    const { tasks, report } = await runImport(vocImporter, dir);
    const result = (tasks[0]!.annotations![0] as { result: { value: Record<string, number> }[] }).result;
    expect(result).toHaveLength(1);
    expect(
      Object.values(result[0]!.value)
        .filter((v) => typeof v === 'number')
        .every(Number.isFinite),
    ).toBe(true);
    expect(report.countsByCode()['bad-object']).toBe(1);
    expect(report.regionsWritten).toBe(1);
  });

  it('does not take a <filename> of .. or / for an image (it names a folder, or nothing)', async () => {
    const png = Buffer.from([
      137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 8, 0, 0, 0, 6, 8, 2, 0, 0, 0,
    ]);
    const dir = await writeFiles({
      'Annotations/a.xml': xml('..', obj('cat', [0, 0, 1, 1])),
      'Annotations/b.xml': xml('/', obj('cat', [0, 0, 1, 1])),
    });
    await fs.mkdir(join(dir, 'JPEGImages'), { recursive: true });
    await fs.writeFile(join(dir, 'JPEGImages', 'b.jpg'), png);
    const { tasks } = await runImport(vocImporter, dir);
    expect(tasks.map((t) => t.data.image)).toEqual([
      '/data/local-files/?d=JPEGImages/..',
      '/data/local-files/?d=JPEGImages/b.jpg',
    ]);
    const rooted = await runImport(vocImporter, dir, { imageRootUrl: 'http://h/x/' });
    expect(rooted.tasks.map((t) => t.data.image)).toEqual(['http://h/x/..', 'http://h/x/b.jpg']);
  });
});
