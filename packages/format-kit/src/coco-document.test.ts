import { memorySink } from '@lsconv/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BRUSH_COCO_LAYOUT,
  COCO_LAYOUT,
  CocoDocumentWriter,
  type CocoLayout,
  type CocoSection,
  cocoInfoBlock,
} from './coco-document.js';

async function written(
  layout: CocoLayout,
  fill: (doc: CocoDocumentWriter) => Promise<void>,
  sections: (doc: CocoDocumentWriter) => CocoSection[],
): Promise<string> {
  const doc = await CocoDocumentWriter.create('kit-test', layout);
  try {
    await fill(doc);
    const sink = memorySink();
    await doc.write(sink, 'out.json', sections(doc));
    await sink.commit();
    return new TextDecoder().decode(sink.files.get('out.json'));
  } finally {
    await doc.dispose();
  }
}

describe('CocoDocumentWriter', () => {
  const originalTz = process.env.TZ;
  afterEach(() => {
    if (originalTz === undefined) delete process.env.TZ;
    else process.env.TZ = originalTz;
  });

  it("writes COCO's layout: a row a line, values indented by two", async () => {
    const text = await written(
      COCO_LAYOUT,
      async (doc) => {
        await doc.images.push({ id: 0, file_name: 'a.jpg' });
        await doc.images.push({ id: 1, file_name: 'b.jpg' });
      },
      (doc) => [
        ['images', doc.images],
        ['categories', { value: [{ id: 0, name: 'Car' }] }],
        ['annotations', doc.annotations],
        ['info', { value: { year: 2024 } }],
      ],
    );
    expect(text).toBe(
      '{\n"images": [\n{"id":0,"file_name":"a.jpg"},\n{"id":1,"file_name":"b.jpg"}\n],\n' +
        '"categories": [\n  {\n    "id": 0,\n    "name": "Car"\n  }\n],\n' +
        '"annotations": [\n\n],\n"info": {\n  "year": 2024\n}\n}\n',
    );
    expect(JSON.parse(text).annotations).toEqual([]);
  });

  it("writes BRUSH_TO_COCO's layout: compact rows four spaces in, [] when empty", async () => {
    const text = await written(
      BRUSH_COCO_LAYOUT,
      async (doc) => {
        await doc.annotations.pushJson('{"id":0}');
        await doc.annotations.pushJson('{"id":1}');
      },
      (doc) => [
        ['images', doc.images],
        ['annotations', doc.annotations],
        ['categories', { rows: [{ id: 1 }, { id: 2 }] }],
        ['info', { value: { year: 2024, version: '1.0' } }],
      ],
    );
    expect(text).toBe(
      '{\n  "images": [],\n  "annotations": [\n    {"id":0},\n    {"id":1}\n  ],\n' +
        '  "categories": [\n    {"id":1},\n    {"id":2}\n  ],\n  "info": {"year":2024,"version":"1.0"}\n}\n',
    );
  });

  it('writes the info block in UTC or in local time', () => {
    process.env.TZ = 'Asia/Tokyo';
    // 2023-12-31 20:00 UTC is already 2024-01-01 in Tokyo.
    const now = new Date(Date.UTC(2023, 11, 31, 20, 0, 0));
    const fields = { description: 'd', contributor: 'c' };
    expect(cocoInfoBlock({ ...fields, url: '' }, 'utc', now)).toEqual({
      year: 2023,
      version: '1.0',
      description: 'd',
      contributor: 'c',
      url: '',
      date_created: '2023-12-31 20:00:00.000000',
    });
    const local = cocoInfoBlock(fields, 'local', now);
    expect(Object.keys(local)).toEqual(['year', 'version', 'description', 'contributor', 'date_created']);
    expect(local.year).toBe(2024);
    expect(local.date_created).toBe('2024-01-01 05:00:00.000000');
  });
});
