import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rect, runFormat, startSlowMediaServer, tinyPng } from '@lsconv/testkit';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  coco,
  cocoKeypoints,
  cocoWithImages,
  keypointsBbox,
  polygonPixels,
  rectanglePixels,
} from './index.js';

const CONFIG = `<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="label" toName="image"><Label value="Car"/><Label value="Airplane"/></RectangleLabels>
  <PolygonLabels name="poly" toName="image"><Label value="Lake"/></PolygonLabels>
  <EllipseLabels name="ell" toName="image"><Label value="Ball"/></EllipseLabels>
  <Choices name="quality" toName="image"><Choice value="Blurry"/></Choices>
</View>`;

const twoAnnotations = [
  {
    id: 1,
    data: { image: 'https://example.org/a.jpg' },
    annotations: [
      {
        id: 11,
        completed_by: 1,
        created_at: '2024-01-01T00:00:00Z',
        result: [rect('old', 'Car', 10, 10, 10, 10)],
      },
      {
        id: 12,
        completed_by: 2,
        created_at: '2024-02-01T00:00:00Z',
        result: [rect('new', 'Airplane', 50, 50, 10, 10)],
      },
    ],
  },
];

describe('helpers', () => {
  it('builds COCO keypoints in order with v=2 and their bbox', () => {
    const kps = cocoKeypoints(
      [
        {
          type: 'KeyPointLabels',
          x: 50,
          y: 50,
          keypointlabels: ['nose'],
          original_width: 200,
          original_height: 100,
        },
        {
          type: 'KeyPointLabels',
          x: 10,
          y: 20,
          keypointlabels: ['eye'],
          original_width: 200,
          original_height: 100,
        },
      ],
      ['eye', 'nose', 'ear'],
    );
    expect(kps).toEqual([20, 20, 2, 100, 50, 2, 0, 0, 0]);
    expect(keypointsBbox(kps)).toEqual([20, 20, 80, 30]);
    expect(keypointsBbox([0, 0, 0])).toEqual([0, 0, 0, 0]);
  });

  it('converts rectangles and polygons to pixels, clipping to the image', () => {
    const r = rectanglePixels({ type: 'RectangleLabels', x: 90, y: 10, width: 20, height: 10 }, 200, 100)!;
    expect(r.bbox).toEqual([180, 10, 20, 10]);
    expect(r.clipped).toBe(true);
    const p = polygonPixels(
      {
        type: 'PolygonLabels',
        points: [
          [0, 0],
          [50, 0],
          [50, 50],
        ],
      },
      200,
      100,
    )!;
    expect(p.segmentation).toEqual([[0, 0, 100, 0, 100, 50]]);
    expect(p.area).toBe(2500);
    expect(p.clipped).toBe(false);
  });
});

describe('COCO: the info date', () => {
  const saved = { tz: process.env.TZ, epoch: process.env.SOURCE_DATE_EPOCH };
  afterEach(() => {
    for (const [key, value] of [
      ['TZ', saved.tz],
      ['SOURCE_DATE_EPOCH', saved.epoch],
    ] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it("is the process's local time with --compat python (the converter's datetime.now()), UTC by default", async () => {
    process.env.TZ = 'Asia/Tokyo';
    // 2023-12-31 20:00 UTC is 2024-01-01 05:00 in Tokyo.
    process.env.SOURCE_DATE_EPOCH = String(Date.UTC(2023, 11, 31, 20) / 1000);
    const py = (await runFormat(coco, twoAnnotations, CONFIG, 'python')).json('result.json').info;
    expect([py.year, py.date_created]).toEqual([2024, '2024-01-01 05:00:00.000000']);
    const ours = (await runFormat(coco, twoAnnotations, CONFIG, 'default')).json('result.json').info;
    expect([ours.year, ours.date_created]).toEqual([2023, '2023-12-31 20:00:00.000000']);
  });
});

describe('COCO: differences from the Python converter', () => {
  it('one image entry per image, not per annotation (LS#5421, python-converter.md §1 #15)', async () => {
    const py = await runFormat(coco, twoAnnotations, CONFIG, 'python');
    const ours = await runFormat(coco, twoAnnotations, CONFIG, 'default');
    expect(py.json('result.json').images).toHaveLength(2);
    const result = ours.json('result.json');
    expect(result.images).toHaveLength(1);
    // latest annotation by default
    expect(result.annotations).toHaveLength(1);
    expect(
      result.categories.find((c: { id: number }) => c.id === result.annotations[0].category_id).name,
    ).toBe('Airplane');
  });

  it('chooses the annotation deterministically with --annotation', async () => {
    const first = await runFormat(coco, twoAnnotations, CONFIG, 'default', {}, {}, { annotation: 'first' });
    const r = first.json('result.json');
    expect(r.categories.find((c: { id: number }) => c.id === r.annotations[0].category_id).name).toBe('Car');
    const all = (
      await runFormat(coco, twoAnnotations, CONFIG, 'default', {}, {}, { annotation: 'all' })
    ).json('result.json');
    expect(all.images).toHaveLength(1);
    expect(all.annotations.map((a: { image_id: number }) => a.image_id)).toEqual([0, 0]);
    const gt = structuredClone(twoAnnotations);
    (gt[0]!.annotations[0] as Record<string, unknown>).ground_truth = true;
    const g = (await runFormat(coco, gt, CONFIG, 'default', {}, {}, { annotation: 'ground-truth' })).json(
      'result.json',
    );
    expect(g.categories.find((c: { id: number }) => c.id === g.annotations[0].category_id).name).toBe('Car');
  });

  it('applies rotation in pixel space, not in percent (LSC#131, LS#2293)', async () => {
    // 10%×10% of a 1000×100 image = 100×10 px, rotated 90° about its top-left corner.
    const size = { width: 1000, height: 100 };
    const tasks = [
      {
        id: 1,
        data: { image: 'https://example.org/wide.jpg' },
        annotations: [{ id: 1, result: [rect('r', 'Car', 40, 40, 10, 10, { rotation: 90 }, size)] }],
      },
    ];
    const py = (await runFormat(coco, tasks, CONFIG, 'python')).json('result.json').annotations[0];
    const ours = (await runFormat(coco, tasks, CONFIG, 'default')).json('result.json').annotations[0];
    // Python: the envelope is computed in percent units, so the box stays 100 px wide and 10 px high.
    expect(py.bbox.map((v: number) => Math.round(v))).toEqual([300, 40, 100, 10]);
    // Ours: the rotated box is 10 px wide and 100 px high, hanging left of x=400 (clipped at the bottom).
    expect(ours.bbox.map((v: number) => Math.round(v * 1e6) / 1e6)).toEqual([390, 40, 10, 60]);
    expect(ours.segmentation[0]).toHaveLength(8);
  });

  it('category ids: only shape labels, not Choices (LS#3556)', async () => {
    const py = (await runFormat(coco, twoAnnotations, CONFIG, 'python')).json('result.json');
    const ours = (await runFormat(coco, twoAnnotations, CONFIG, 'default')).json('result.json');
    expect(py.categories.map((c: { name: string }) => c.name)).toContain('Blurry');
    expect(ours.categories.map((c: { name: string }) => c.name)).not.toContain('Blurry');
    // EllipseLabels are no COCO shape either, so 'Ball' gets no category.
    expect(ours.categories.map((c: { name: string }) => c.name)).toEqual(['Airplane', 'Car', 'Lake']);
  });

  it('clips coordinates to the image and says so in the report (LS#5014)', async () => {
    const tasks = [
      {
        id: 1,
        data: { image: 'https://example.org/a.jpg' },
        annotations: [{ id: 1, result: [rect('r', 'Car', 90, 90, 20, 20)] }],
      },
    ];
    const py = await runFormat(coco, tasks, CONFIG, 'python');
    const ours = await runFormat(coco, tasks, CONFIG, 'default');
    expect(py.json('result.json').annotations[0].bbox).toEqual([180, 90, 40, 20]);
    expect(ours.json('result.json').annotations[0].bbox).toEqual([180, 90, 20, 10]);
    expect(ours.report.warnings.join('\n')).toMatch(/clipped/);
    expect(py.report.warnings.join('\n')).not.toMatch(/clipped/);
  });

  it('reports regions COCO cannot carry instead of dropping them silently (LS#5901)', async () => {
    const tasks = [
      {
        id: 1,
        data: { image: 'https://example.org/a.jpg' },
        annotations: [
          {
            id: 1,
            result: [
              {
                id: 'e1',
                from_name: 'ell',
                to_name: 'image',
                type: 'ellipselabels',
                original_width: 10,
                original_height: 10,
                value: { x: 1, y: 1, radiusX: 2, radiusY: 2, ellipselabels: ['Ball'] },
              },
              rect('r', 'Car', 1, 1, 2, 2),
            ],
          },
        ],
      },
    ];
    for (const compat of ['python', 'default'] as const) {
      const run = await runFormat(coco, tasks, CONFIG, compat);
      expect(run.json('result.json').annotations).toHaveLength(1);
      expect(run.report.countsByCode()['unsupported-region']).toBe(1);
    }
  });

  it('links keypoints to their parent rectangle; keypoints without model_index still export', async () => {
    const config = `<View><Image name="image" value="$image"/>
      <RectangleLabels name="label" toName="image"><Label value="person"/></RectangleLabels>
      <KeyPointLabels name="kp" toName="image"><Label value="nose"/><Label value="eye"/></KeyPointLabels></View>`;
    const kp = (id: string, label: string, x: number, y: number, parentID?: string) => ({
      id,
      from_name: 'kp',
      to_name: 'image',
      type: 'keypointlabels',
      original_width: 200,
      original_height: 100,
      parentID,
      value: { x, y, width: 0.5, keypointlabels: [label] },
    });
    const tasks = [
      {
        id: 1,
        data: { image: 'https://example.org/p.jpg' },
        annotations: [
          {
            id: 1,
            result: [
              rect('p1', 'person', 10, 10, 50, 50),
              kp('k1', 'eye', 20, 20, 'p1'),
              kp('k2', 'nose', 30, 30, 'p1'),
            ],
          },
        ],
      },
    ];
    await expect(runFormat(coco, tasks, config, 'python')).rejects.toThrow(/model_index/);
    const result = (await runFormat(coco, tasks, config, 'default')).json('result.json');
    expect(result.annotations).toHaveLength(1);
    expect(result.annotations[0].keypoints).toEqual([60, 30, 2, 40, 20, 2]);
    expect(result.annotations[0].num_keypoints).toBe(2);
    expect(result.categories[0]).toMatchObject({ name: 'person', keypoints: ['nose', 'eye'], skeleton: [] });
  });

  it('reports a polygon with a point that is not [x, y] instead of crashing (python mode)', async () => {
    const poly = (id: string, points: unknown[]) => ({
      id,
      from_name: 'poly',
      to_name: 'image',
      type: 'polygonlabels',
      original_width: 10,
      original_height: 10,
      value: { points, polygonlabels: ['Lake'] },
    });
    const tasks = [
      {
        id: 1,
        data: { image: 'https://example.org/p.jpg' },
        annotations: [
          {
            id: 1,
            result: [
              poly('a', [null]),
              poly('b', [
                [1, 1],
                ['x', 2],
                [3, 3],
              ]),
              poly('c', [
                [1, 1],
                [2, 2],
                [3, 1],
              ]),
            ],
          },
        ],
      },
    ];
    for (const compat of ['python', 'default'] as const) {
      const { report, json } = await runFormat(coco, tasks, CONFIG, compat);
      expect(json('result.json').annotations, compat).toHaveLength(1);
      expect(report.countsByCode()['missing-coordinates'], compat).toBe(2);
    }
  });

  it('counts every keypoint merged into an annotation as a region, and reports those it cannot place', async () => {
    const config = `<View><Image name="image" value="$image"/>
      <RectangleLabels name="label" toName="image"><Label value="person"/></RectangleLabels>
      <KeyPointLabels name="kp" toName="image"><Label value="nose" model_index="0"/><Label value="eye" model_index="1"/></KeyPointLabels></View>`;
    const kp = (id: string, label: string, parentID?: string) => ({
      id,
      from_name: 'kp',
      to_name: 'image',
      type: 'keypointlabels',
      original_width: 200,
      original_height: 100,
      parentID,
      value: { x: 10, y: 10, width: 0.5, keypointlabels: [label] },
    });
    const result = [
      rect('p1', 'person', 10, 10, 50, 50),
      kp('k1', 'eye', 'p1'),
      kp('k2', 'nose'),
      kp('k3', 'eye'),
      kp('k4', 'tail'),
    ];
    const tasks = [{ id: 1, data: { image: 'https://example.org/p.jpg' }, annotations: [{ id: 1, result }] }];
    for (const compat of ['default', 'python'] as const) {
      const { report } = await runFormat(coco, tasks, config, compat);
      // The rectangle, and three of the four points (the `tail` one has no place in the list).
      expect(report.regionsWritten, compat).toBe(4);
      expect(report.countsByCode()['unplaced-keypoint'], compat).toBe(1);
    }
  });

  it('lists images without annotations, with null size when unknown', async () => {
    const tasks = [{ id: 5, data: { image: 'https://example.org/empty.jpg' }, annotations: [] }];
    const result = (await runFormat(coco, tasks, CONFIG, 'default')).json('result.json');
    expect(result.images).toEqual([
      {
        width: null,
        height: null,
        id: 0,
        file_name: expect.stringMatching(/^images\/[0-9a-f]{8}__empty\.jpg$/),
      },
    ]);
    expect(result.annotations).toEqual([]);
  });

  it('streams many tasks through the spill files into one valid result.json', async () => {
    const tasks = Array.from({ length: 3000 }, (_, i) => ({
      id: i,
      data: { image: `https://example.org/${i}.jpg` },
      annotations: [
        { id: i, result: [rect(`r${i}`, 'Car', 1, 1, 5, 5), rect(`s${i}`, 'Airplane', 10, 10, 5, 5)] },
      ],
    }));
    const result = (await runFormat(coco, tasks, CONFIG, 'default')).json('result.json');
    expect(result.images).toHaveLength(3000);
    expect(result.annotations).toHaveLength(6000);
    expect(result.annotations[5999]).toMatchObject({ id: 5999, image_id: 2999 });
  });
});

describe('COCO_WITH_IMAGES', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lsconv-coco-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('copies local images into images/ and reads sizes from them', async () => {
    writeFileSync(join(dir, 'photo.png'), tinyPng(7, 5));
    const tasks = [{ id: 1, data: { image: join(dir, 'photo.png') }, annotations: [] }];
    const run = await runFormat(cocoWithImages, tasks, CONFIG, 'default', {}, { baseDir: dir });
    const image = run.json('result.json').images[0];
    expect(image).toMatchObject({ width: 7, height: 5, id: 0 });
    expect(run.sink.files.has(image.file_name)).toBe(true);
    expect(image.file_name).toMatch(/^images\/.*photo\.png$/);
  });

  it('honours --image-dir', async () => {
    const tasks = [{ id: 1, data: { image: join(dir, 'photo.png') }, annotations: [] }];
    const run = await runFormat(
      cocoWithImages,
      tasks,
      CONFIG,
      'default',
      { imageDir: 'media' },
      { baseDir: dir },
    );
    expect(run.json('result.json').images[0].file_name).toMatch(/^media\//);
    expect(run.sink.dirs.has('media')).toBe(true);
  });
});

describe('COCO_WITH_IMAGES from a web server', () => {
  it('downloads the images from a loopback HTTP server into images/', async () => {
    const { createServer } = await import('node:http');
    const png = tinyPng(11, 6);
    const requests: string[] = [];
    const server = createServer((req, res) => {
      requests.push(req.url ?? '');
      if (req.url === '/media/cam-1/frame.png') {
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length });
        res.end(png);
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as { port: number };
    const cacheDir = mkdtempSync(join(tmpdir(), 'lsconv-coco-cache-'));
    try {
      const tasks = [
        {
          id: 1,
          data: { image: `http://127.0.0.1:${port}/media/cam-1/frame.png` },
          annotations: [{ id: 1, result: [rect('a', 'Car', 10, 10, 50, 50, {}, { width: 11, height: 6 })] }],
        },
        { id: 2, data: { image: `http://127.0.0.1:${port}/media/missing.png` }, annotations: [] },
      ];
      const run = await runFormat(cocoWithImages, tasks, CONFIG, 'default', {}, { download: true, cacheDir });
      const result = run.json('result.json');
      const first = result.images[0];
      expect(first.file_name).toMatch(/^images\/[0-9a-f]{8}__frame\.png$/);
      expect(Buffer.from(run.sink.files.get(first.file_name)!)).toEqual(png);
      expect(first).toMatchObject({ width: 11, height: 6 });
      expect(requests).toContain('/media/cam-1/frame.png');
      // The missing image is a report entry, not a crash, and the export goes on.
      expect(result.images).toHaveLength(2);
      expect(
        run.report.entries().some((e) => e.kind === 'resource' && String(e.reason).includes('404')),
      ).toBe(true);
    } finally {
      server.close();
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it('fetches the next images while it writes one, and keeps the task order', async () => {
    const server = await startSlowMediaServer(
      (path) => {
        const n = /^\/img\/(\d+)\.png$/.exec(path)?.[1];
        return n === undefined ? undefined : tinyPng(10 + Number(n), 5);
      },
      40,
      // Answers wait until five requests overlap: the test counts what the format asks for at once.
      { holdUntilInFlight: 5 },
    );
    const cacheDir = mkdtempSync(join(tmpdir(), 'lsconv-coco-cache-'));
    try {
      const tasks = Array.from({ length: 24 }, (_, n) => ({
        id: n + 1,
        data: { image: `${server.url}/img/${n}.png` },
        annotations: [{ id: n + 1, result: [rect(`r${n}`, 'Car', 10, 10, 50, 50)] }],
      }));
      const run = await runFormat(cocoWithImages, tasks, CONFIG, 'default', {}, { cacheDir });
      const images = run.json('result.json').images as { id: number; file_name: string }[];
      expect(images.map((i) => i.id)).toEqual(tasks.map((_, n) => n));
      images.forEach((image, n) => {
        expect(image.file_name).toMatch(new RegExp(`__${n}\\.png$`));
        expect(Buffer.from(run.sink.files.get(image.file_name)!)).toEqual(tinyPng(10 + n, 5));
      });
      // One at a time, no two requests would overlap.
      expect(server.maxInFlight).toBeGreaterThan(4);
    } finally {
      await server.close();
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it('without copying, fetches only the images whose size it must read, ahead of writing them', async () => {
    const server = await startSlowMediaServer(
      (path) => {
        const n = /filepath=upload\/1\/img-(\d+)\.png$/.exec(path)?.[1];
        return n === undefined ? undefined : tinyPng(10 + Number(n), 5);
      },
      40,
      // Answers wait until five requests overlap: the test counts what the format asks for at once.
      { holdUntilInFlight: 5 },
    );
    const cacheDir = mkdtempSync(join(tmpdir(), 'lsconv-coco-cache-'));
    try {
      const task = (n: number, sized: boolean) => {
        const region = rect(`r${n}`, 'Car', 10, 10, 50, 50) as Record<string, unknown>;
        if (!sized) {
          delete region.original_width;
          delete region.original_height;
        }
        return {
          id: n + 1,
          data: { image: `/data/upload/1/img-${n}.png` },
          annotations: [{ id: n + 1, result: [region] }],
        };
      };
      const resources = { download: true, lsUrl: server.url, lsToken: 'test-token', cacheDir };
      // Sizes in the results: the images are names only, and nothing is fetched.
      const sized = Array.from({ length: 12 }, (_, n) => task(n, true));
      await runFormat(coco, sized, CONFIG, 'default', {}, resources);
      expect(server.requests).toBe(0);
      // No sizes: each image is read, fetched several at a time.
      const unsized = Array.from({ length: 20 }, (_, n) => task(n, false));
      const run = await runFormat(coco, unsized, CONFIG, 'default', {}, resources);
      const images = run.json('result.json').images as { width: number; height: number }[];
      expect(images.map((i) => [i.width, i.height])).toEqual(unsized.map((_, n) => [10 + n, 5]));
      expect(server.maxInFlight).toBeGreaterThan(4);
    } finally {
      await server.close();
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});

describe('image sizes of 0 or below', () => {
  it('are no size: the region is skipped and reported by default, never a box with null or negative sizes', async () => {
    const config = `<View><Image name="image" value="$image"/><RectangleLabels name="label" toName="image"><Label value="Car"/></RectangleLabels></View>`;
    const task = (id: number, w: number, h: number) => ({
      id,
      data: { image: `https://e.org/${id}.jpg` },
      annotations: [{ id, result: [rect(`r${id}`, 'Car', 10, 10, 20, 20, {}, { width: w, height: h })] }],
    });
    const run = await runFormat(
      coco,
      [task(1, -100, 50), task(2, 0, 0), task(3, 100, 80)],
      config,
      'default',
    );
    const doc = run.json('result.json') as { annotations: { bbox: number[] }[] };
    expect(doc.annotations.map((a) => a.bbox)).toEqual([[10, 8, 20, 16]]);
    const regions = run.report
      .entries()
      .filter((e) => e.code === 'missing-image-size' && e.kind === 'region');
    expect(regions.map((e) => e.regionId)).toEqual(['r1', 'r2']);
  });
});
