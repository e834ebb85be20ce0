import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rect, runFormat, startSlowMediaServer, tinyPng } from '@lsconv/testkit';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { pythonVocBox, voc, vocBox, vocXml } from './index.js';

const CONFIG = `<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="label" toName="image"><Label value="Car"/><Label value="Airplane"/></RectangleLabels>
  <PolygonLabels name="poly" toName="image"><Label value="Lake"/></PolygonLabels>
</View>`;

const parse = (xml: string) =>
  new XMLParser({ parseTagValue: false }).parse(xml) as { annotation: Record<string, any> };

describe('vocXml', () => {
  it('escapes the five XML characters, keeps other text as is, and writes empty elements open and closed', () => {
    const xml = vocXml({
      folder: 'images',
      filename: `a&b<c>"d'e\n\tf`,
      annotator: '1',
      width: 10,
      height: '',
      depth: 3,
      objects: [{ name: 'x&y', xmin: 1, ymin: 2.5, xmax: 3, ymax: 4 }],
    });
    expect(xml).toContain(`<filename>a&amp;b&lt;c&gt;&quot;d&apos;e\n\tf</filename>\n`);
    expect(xml).toContain('<height></height>\n');
    expect(xml).toContain('<name>x&amp;y</name>\n');
    expect(xml).toContain(
      '<bndbox>\n<xmin>1</xmin>\n<ymin>2.5</ymin>\n<xmax>3</xmax>\n<ymax>4</ymax>\n</bndbox>\n</object>\n</annotation>\n',
    );
    expect(parse(xml).annotation.filename).toBe(`a&b<c>"d'e\n\tf`);
  });

  it('writes the elements in the order of the reference (minidom, no indentation)', () => {
    const xml = vocXml({
      folder: 'images',
      filename: 'a&b.jpg',
      annotator: 'me@example.org',
      width: 640,
      height: 480,
      depth: 3,
      objects: [{ name: 'Car', xmin: 1, ymin: 2, xmax: 3, ymax: 4 }],
    });
    expect(
      xml.startsWith(
        '<?xml version="1.0" encoding="utf-8"?>\n<annotation>\n<folder>images</folder>\n<filename>a&amp;b.jpg</filename>\n<source>\n<database>MyDatabase</database>',
      ),
    ).toBe(true);
    const tags = [...xml.matchAll(/<([a-z]+)>/g)].map((m) => m[1]);
    expect(tags).toEqual([
      'annotation',
      'folder',
      'filename',
      'source',
      'database',
      'annotation',
      'image',
      'flickrid',
      'annotator',
      'owner',
      'flickrid',
      'name',
      'size',
      'width',
      'height',
      'depth',
      'segmented',
      'object',
      'name',
      'pose',
      'truncated',
      'difficult',
      'bndbox',
      'xmin',
      'ymin',
      'xmax',
      'ymax',
    ]);
  });
});

describe('boxes', () => {
  it('truncates x, y, width and height separately in python mode', () => {
    // x = 10.9 px, w = 10.9 px: int(10.9) + int(10.9) = 20, while the true right edge is 21.8.
    expect(
      pythonVocBox({ type: 'RectangleLabels', x: 10.9, y: 0, width: 10.9, height: 50 }, 100, 100),
    ).toEqual({ xmin: 10, ymin: 0, xmax: 20, ymax: 50 });
    expect(vocBox({ type: 'RectangleLabels', x: 10.9, y: 0, width: 10.9, height: 50 }, 100, 100)).toEqual({
      xmin: 11,
      ymin: 0,
      xmax: 22,
      ymax: 50,
      clipped: false,
    });
  });

  it('applies rotation in pixels and clips to the image', () => {
    const box = vocBox(
      { type: 'RectangleLabels', x: 10, y: 10, width: 20, height: 10, rotation: 90 },
      200,
      100,
    )!;
    // 40×10 px rotated 90° about (20, 10): x from 10 to 20, y from 10 to 50.
    expect(box).toEqual({ xmin: 10, ymin: 10, xmax: 20, ymax: 50, clipped: false });
    expect(vocBox({ type: 'RectangleLabels', x: 95, y: 95, width: 10, height: 10 }, 200, 100)).toEqual({
      xmin: 190,
      ymin: 95,
      xmax: 200,
      ymax: 100,
      clipped: true,
    });
  });
});

describe('VOC: differences from the Python converter', () => {
  const task = (id: number, image: string, results: unknown[], extra: Record<string, unknown> = {}) => ({
    id,
    data: { image },
    annotations: [
      { id, completed_by: { email: 'a@x.org' }, created_at: '2024-01-01', result: results, ...extra },
    ],
  });

  it('applies rotation, which the Python converter ignores (LS#5914)', async () => {
    const tasks = [task(1, 'https://e.org/a.jpg', [rect('r', 'Car', 10, 10, 20, 10, { rotation: 90 })])];
    const py = parse(
      (await runFormat(voc, tasks, CONFIG, 'python')).text('Annotations/' + xmlName('https://e.org/a.jpg')),
    );
    const ours = parse(
      (await runFormat(voc, tasks, CONFIG, 'default')).text('Annotations/' + xmlName('https://e.org/a.jpg')),
    );
    expect(py.annotation.object.bndbox).toEqual({ xmin: '20', ymin: '10', xmax: '60', ymax: '20' });
    expect(ours.annotation.object.bndbox).toEqual({ xmin: '10', ymin: '10', xmax: '20', ymax: '50' });
  });

  it('exports the latest annotation, not the oldest (LS#5421)', async () => {
    const t = {
      id: 1,
      data: { image: 'https://e.org/a.jpg' },
      annotations: [
        { id: 1, created_at: '2024-01-01', result: [rect('o', 'Car', 1, 1, 5, 5)] },
        { id: 2, created_at: '2024-03-01', result: [rect('n', 'Airplane', 1, 1, 5, 5)] },
      ],
    };
    const path = 'Annotations/' + xmlName('https://e.org/a.jpg');
    expect(parse((await runFormat(voc, [t], CONFIG, 'python')).text(path)).annotation.object.name).toBe(
      'Car',
    );
    expect(parse((await runFormat(voc, [t], CONFIG, 'default')).text(path)).annotation.object.name).toBe(
      'Airplane',
    );
  });

  it('reports the boxes of newer annotations that the oldest one overwrites in python mode', async () => {
    const t = {
      id: 1,
      data: { image: 'https://e.org/a.jpg' },
      annotations: [
        { id: 1, created_at: '2024-01-01', result: [rect('o', 'Car', 1, 1, 5, 5)] },
        {
          id: 2,
          created_at: '2024-03-01',
          result: [rect('n', 'Airplane', 1, 1, 5, 5), rect('m', 'Car', 2, 2, 5, 5)],
        },
      ],
    };
    const { report } = await runFormat(voc, [t], CONFIG, 'python');
    expect(report.regionsWritten).toBe(1);
    expect(report.countsByCode()['overwritten-annotation']).toBe(2);
  });

  it('reports polygons instead of dropping them silently (LSC#168)', async () => {
    const poly = {
      id: 'p',
      from_name: 'poly',
      to_name: 'image',
      type: 'polygonlabels',
      original_width: 10,
      original_height: 10,
      value: {
        points: [
          [1, 1],
          [5, 1],
          [5, 5],
        ],
        polygonlabels: ['Lake'],
      },
    };
    const run = await runFormat(
      voc,
      [task(1, 'https://e.org/a.jpg', [rect('r', 'Car', 1, 1, 5, 5), poly])],
      CONFIG,
      'default',
    );
    expect(run.report.countsByCode()['unsupported-region']).toBe(1);
  });

  it('never overwrites a file when two images share a base name (LSC#132)', async () => {
    const tasks = [
      task(1, '/data/upload/1/same.jpg', [rect('a', 'Car', 1, 1, 5, 5)]),
      task(2, '/data/upload/2/same.jpg', [rect('b', 'Airplane', 1, 1, 5, 5)]),
    ];
    const ours = await runFormat(voc, tasks, CONFIG, 'default');
    expect([...ours.sink.files.keys()].sort()).toEqual(['Annotations/same-2.xml', 'Annotations/same.xml']);
    const py = await runFormat(voc, tasks, CONFIG, 'python');
    expect([...py.sink.files.keys()]).toEqual(['Annotations/same.xml']);
    expect(py.report.countsByCode()['duplicate-file-name']).toBe(1);
  });

  it('creates images/ even when nothing is copied, and honours --image-dir in <folder>', async () => {
    const run = await runFormat(
      voc,
      [task(1, 'https://e.org/a.jpg', [rect('r', 'Car', 1, 1, 5, 5)])],
      CONFIG,
      'default',
      { imageDir: 'pics' },
    );
    expect(run.sink.dirs.has('pics')).toBe(true);
    expect(parse(run.text('Annotations/' + xmlName('https://e.org/a.jpg'))).annotation.folder).toBe('pics');
  });
});

function xmlName(url: string): string {
  // `<md5(url)[:8]>__<stem>.xml`, the reference's name for a URL
  return `${createHash('md5').update(url).digest('hex').slice(0, 8)}__${url
    .split('/')
    .pop()!
    .replace(/\.[^.]+$/, '')}.xml`;
}

describe('VOC with downloads on', () => {
  it('fetches the next uploads while it writes one, and reads each size from its file', async () => {
    const server = await startSlowMediaServer(
      (path) => {
        const n = /filepath=upload\/1\/img-(\d+)\.png$/.exec(path)?.[1];
        return n === undefined ? undefined : tinyPng(10 + Number(n), 5);
      },
      40,
      // Answers wait until five requests overlap: the test counts what the format asks for at once.
      { holdUntilInFlight: 5 },
    );
    const cacheDir = mkdtempSync(join(tmpdir(), 'lsconv-voc-cache-'));
    try {
      // No original_width/height: the size must come from the file.
      const tasks = Array.from({ length: 20 }, (_, n) => {
        const region = rect(`r${n}`, 'Car', 10, 10, 50, 50) as Record<string, unknown>;
        delete region.original_width;
        delete region.original_height;
        return {
          id: n + 1,
          data: { image: `/data/upload/1/img-${n}.png` },
          annotations: [{ id: n + 1, result: [region] }],
        };
      });
      const run = await runFormat(
        voc,
        tasks,
        CONFIG,
        'default',
        {},
        {
          download: true,
          lsUrl: server.url,
          lsToken: 'test-token',
          cacheDir,
        },
      );
      for (let n = 0; n < tasks.length; n++) {
        const size = parse(run.text(`Annotations/img-${n}.xml`)).annotation.size;
        expect([Number(size.width), Number(size.height)]).toEqual([10 + n, 5]);
      }
      // One at a time, no two requests would overlap.
      expect(server.maxInFlight).toBeGreaterThan(4);
    } finally {
      await server.close();
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});

describe('labels that XML cannot hold', () => {
  it('skips a region whose label holds a character XML forbids, in both modes; the file stays well-formed', async () => {
    const { XMLValidator } = await import('fast-xml-parser');
    const tasks = [
      {
        id: 1,
        data: { image: 'https://e.org/a.jpg' },
        annotations: [
          {
            id: 1,
            result: [
              rect('a', 'bell\u0007x', 10, 10, 20, 20),
              rect('b', 'Car\nPedestrian', 10, 10, 20, 20),
              rect('c', { a: 1 } as unknown as string, 10, 10, 20, 20),
            ],
          },
        ],
      },
    ];
    const config = `<View><Image name="image" value="$image"/><RectangleLabels name="label" toName="image"><Label value="Car"/></RectangleLabels></View>`;
    for (const compat of ['default', 'python'] as const) {
      const run = await runFormat(voc, tasks, config, compat);
      const [file] = [...run.sink.files.keys()].filter((f) => f.endsWith('.xml'));
      const xml = run.text(file!);
      expect(XMLValidator.validate(xml), compat).toBe(true);
      const doc = new XMLParser({ isArray: (n) => n === 'object' }).parse(xml) as {
        annotation: { object: { name: string }[] };
      };
      expect(doc.annotation.object.map((o) => o.name).sort(), compat).toEqual([
        'Car\nPedestrian',
        "{'a': 1}",
      ]);
      expect(run.report.countsByCode()['label-not-writable'], compat).toBe(1);
      expect(run.report.entries().find((e) => e.code === 'label-not-writable')?.reason, compat).toMatch(
        /U\+0007/,
      );
    }
  });
});
