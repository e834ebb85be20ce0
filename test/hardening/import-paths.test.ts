// File names inside a dataset (VOC <filename>, COCO file_name) are data, not paths to
// follow: an importer reads image sizes only from files inside the dataset folder, never
// from `../` or absolute names pointing elsewhere on the machine.
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { containedPath } from '@lsconv/core';
import { cocoImporter } from '@lsconv/format-coco';
import { vocImporter } from '@lsconv/format-voc';
import { runImport } from '@lsconv/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** A PNG header big enough for the size probe (the pixels do not matter). */
function png(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(25);
  ihdr.writeUInt32BE(13, 0);
  ihdr.write('IHDR', 4, 'latin1');
  ihdr.writeUInt32BE(width, 8);
  ihdr.writeUInt32BE(height, 12);
  ihdr[16] = 8;
  ihdr[17] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    ihdr,
    deflateSync(Buffer.alloc(4)),
  ]);
}

let root: string;
let dataset: string;
beforeAll(async () => {
  root = await fs.mkdtemp(join(tmpdir(), 'lsconv-import-paths-'));
  dataset = join(root, 'dataset');
  await fs.mkdir(join(dataset, 'images'), { recursive: true });
  // A file outside the dataset that a hostile name points at, and a legitimate one inside.
  await fs.writeFile(join(root, 'secret.png'), png(1234, 567));
  await fs.writeFile(join(dataset, 'images', 'inside.png'), png(40, 30));
});
afterAll(() => fs.rm(root, { recursive: true, force: true }));

describe('containedPath', () => {
  it('keeps names inside the root and refuses the others', () => {
    expect(containedPath('/data', 'a/b.png')).toBe('/data/a/b.png');
    expect(containedPath('/data', '..secret.png')).toBe('/data/..secret.png');
    for (const name of ['../x.png', 'a/../../x.png', '/etc/passwd', '', '.', 'a\0b']) {
      expect(containedPath('/data', name), name).toBeUndefined();
    }
  });
});

describe('importers and hostile file names', () => {
  it('VOC: a <filename> outside the image folder is not read; the inside one is', async () => {
    const ann = join(dataset, 'Annotations');
    await fs.mkdir(ann, { recursive: true });
    const xml = (name: string) =>
      `<annotation><filename>${name}</filename><object><name>cat</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax></bndbox></object></annotation>`;
    await fs.writeFile(join(ann, 'a.xml'), xml('inside.png'));
    await fs.writeFile(join(ann, 'b.xml'), xml('../../secret.png'));
    await fs.writeFile(join(ann, 'c.xml'), xml(join(root, 'secret.png')));
    const { tasks } = await runImport(vocImporter, dataset);
    const sizes = tasks.map((t) => t.annotations?.[0]?.result?.[0]?.original_width);
    expect(sizes).toEqual([40, undefined, undefined]);
    expect(JSON.stringify(tasks)).not.toContain('1234');
  });

  it('COCO: a file_name outside the dataset folder is not read; the inside one is', async () => {
    const file = join(dataset, 'coco.json');
    await fs.writeFile(
      file,
      JSON.stringify({
        images: [
          { id: 1, file_name: 'inside.png' },
          { id: 2, file_name: '../secret.png' },
          { id: 3, file_name: join(root, 'secret.png') },
        ],
        categories: [{ id: 1, name: 'cat' }],
        annotations: [1, 2, 3].map((id) => ({ id, image_id: id, category_id: 1, bbox: [1, 1, 4, 4] })),
      }),
    );
    const { tasks } = await runImport(cocoImporter, file);
    const sizes = tasks.map((t) => t.annotations?.[0]?.result?.[0]?.original_width);
    expect(sizes[0]).toBe(40);
    expect(JSON.stringify(tasks)).not.toContain('1234');
  });
});
