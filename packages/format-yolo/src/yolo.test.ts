import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rect, runFormat, startSlowMediaServer, tinyPng } from '@lsconv/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import {
  classNames,
  clipPoints,
  dataYaml,
  obbCorners,
  pythonYoloBox,
  toYoloBox,
  toYoloLine,
  yolo,
  yoloObb,
  yoloWithImages,
} from './index.js';

const CONFIG = `<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="label" toName="image"><Label value="Car"/><Label value="Airplane"/></RectangleLabels>
  <PolygonLabels name="poly" toName="image"><Label value="Lake"/></PolygonLabels>
  <EllipseLabels name="ell" toName="image"><Label value="Ball"/></EllipseLabels>
  <Choices name="quality" toName="image"><Choice value="Blurry"/></Choices>
</View>`;

const POSE = `<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="label" toName="image"><Label value="person"/></RectangleLabels>
  <KeyPointLabels name="kp" toName="image"><Label value="nose" model_index="0"/><Label value="eye" model_index="1"/></KeyPointLabels>
</View>`;

/** A keypoint result of the POSE config, on a 200 × 100 image. */
const keypoint = (id: string, label: unknown, x: number, y: number, parentID?: string) => ({
  id,
  from_name: 'kp',
  to_name: 'image',
  type: 'keypointlabels',
  original_width: 200,
  original_height: 100,
  ...(parentID ? { parentID } : {}),
  value: { x, y, width: 0.5, keypointlabels: [label] },
});

const labelPath = (url: string) =>
  `labels/${createHash('md5').update(url).digest('hex').slice(0, 8)}__${url
    .split('/')
    .pop()!
    .replace(/\.[^.]+$/, '')}.txt`;
const numbers = (line: string) => line.split(' ').map(Number);

describe('pure helpers', () => {
  it('toYoloLine prints Python float repr', () => {
    expect(toYoloLine(3, [0.5, 1, 1e-5, 0.1 + 0.2])).toBe('3 0.5 1.0 1e-05 0.30000000000000004');
  });

  it('pythonYoloBox: centre and size from percent, rotation ignored', () => {
    expect(
      pythonYoloBox({ type: 'RectangleLabels', x: 10, y: 20, width: 30, height: 40, rotation: 45 }),
    ).toEqual([0.25, 0.4, 0.3, 0.4]);
    expect(pythonYoloBox({ type: 'RectangleLabels', x: 10, y: 20, width: null, height: 40 })).toBeUndefined();
  });

  it('obbCorners rotates in pixel space and normalises', () => {
    const corners = obbCorners(
      { x: 10, y: 10, width: 20, height: 10, rotation: 90 },
      { width: 200, height: 100 },
    );
    expect(corners.map(([x, y]) => [Math.round(x * 1e9) / 1e9, Math.round(y * 1e9) / 1e9])).toEqual([
      [0.1, 0.1],
      [0.1, 0.5],
      [0.05, 0.5],
      [0.05, 0.1],
    ]);
  });

  it('toYoloBox applies rotation, clips, and needs the size only for rotated boxes', () => {
    const rotated = toYoloBox(
      { x: 10, y: 10, width: 20, height: 10, rotation: 90 },
      { width: 200, height: 100 },
    )!;
    expect(rotated.box.map((v) => Math.round(v * 1e9) / 1e9)).toEqual([0.075, 0.3, 0.05, 0.4]);
    expect(toYoloBox({ x: 10, y: 10, width: 20, height: 10, rotation: 30 }, undefined)).toBeUndefined();
    const clipped = toYoloBox({ x: 90, y: 0, width: 20, height: 10 }, undefined)!;
    expect(clipped.clipped).toBe(true);
    expect(clipped.box.map((v) => Math.round(v * 1e9) / 1e9)).toEqual([0.95, 0.05, 0.1, 0.1]);
    expect(
      clipPoints([
        [-0.1, 0.5],
        [0.2, 1.3],
      ]),
    ).toEqual({
      points: [
        [0, 0.5],
        [0.2, 1],
      ],
      clipped: true,
    });
  });

  it('dataYaml lists names by id, nc and kpt_shape', () => {
    const yaml = dataYaml(
      [
        { id: 1, name: 'b "q"' },
        { id: 0, name: 'a' },
      ],
      17,
    );
    expect(yaml).toContain('nc: 2\nnames:\n  0: "a"\n  1: "b \\"q\\""\n');
    expect(yaml).toContain('kpt_shape: [17, 3]');
    expect(dataYaml([{ id: 0, name: 'a' }])).not.toContain('kpt_shape');
    expect(
      classNames([
        { id: 2, name: 'c' },
        { id: 0, name: 'a' },
      ]),
    ).toEqual(['a', 'unused-1', 'c']);
  });
});

describe('YOLO: differences from the Python converter', () => {
  const url = 'https://e.org/a.jpg';
  const twoAnnotations = [
    {
      id: 1,
      data: { image: url },
      annotations: [
        { id: 1, created_at: '2024-01-01', result: [rect('o', 'Car', 10, 10, 10, 10)] },
        { id: 2, created_at: '2024-03-01', result: [rect('n', 'Airplane', 10, 10, 10, 10)] },
      ],
    },
  ];

  it('exports the latest annotation instead of letting the oldest overwrite it (LS#5421)', async () => {
    const py = await runFormat(yolo, twoAnnotations, CONFIG, 'python');
    const ours = await runFormat(yolo, twoAnnotations, CONFIG, 'default');
    const pyClasses = py.text('classes.txt').trim().split('\n');
    const ourClasses = ours.text('classes.txt').trim().split('\n');
    expect(pyClasses[numbers(py.text(labelPath(url)))[0]!]).toBe('Car');
    expect(ourClasses[numbers(ours.text(labelPath(url)))[0]!]).toBe('Airplane');
    const first = await runFormat(yolo, twoAnnotations, CONFIG, 'default', {}, {}, { annotation: 'first' });
    expect(ourClasses[numbers(first.text(labelPath(url)))[0]!]).toBe('Car');
    const all = await runFormat(yolo, twoAnnotations, CONFIG, 'default', {}, {}, { annotation: 'all' });
    expect(all.text(labelPath(url)).trim().split('\n')).toHaveLength(2);
  });

  it('reports the lines of newer annotations that the oldest one overwrites in python mode', async () => {
    const { report } = await runFormat(yolo, twoAnnotations, CONFIG, 'python');
    expect(report.regionsWritten).toBe(1);
    expect(report.countsByCode()['overwritten-annotation']).toBe(1);
  });

  it('classes.txt holds shape labels only, not Choices (LS#3556)', async () => {
    expect((await runFormat(yolo, twoAnnotations, CONFIG, 'python')).text('classes.txt')).toBe(
      'Airplane\nBall\nBlurry\nCar\nLake\n',
    );
    expect((await runFormat(yolo, twoAnnotations, CONFIG, 'default')).text('classes.txt')).toBe(
      'Airplane\nCar\nLake\n',
    );
  });

  it('applies rotation in pixel space instead of ignoring it (LS#5223, LS#2293)', async () => {
    const tasks = [
      {
        id: 1,
        data: { image: url },
        annotations: [{ id: 1, result: [rect('r', 'Car', 10, 10, 20, 10, { rotation: 90 })] }],
      },
    ];
    const py = numbers((await runFormat(yolo, tasks, CONFIG, 'python')).text(labelPath(url)).trim());
    const ours = numbers((await runFormat(yolo, tasks, CONFIG, 'default')).text(labelPath(url)).trim());
    expect(py.slice(1)).toEqual([0.2, 0.15, 0.2, 0.1]);
    expect(ours.slice(1).map((v) => Math.round(v * 1e9) / 1e9)).toEqual([0.075, 0.3, 0.05, 0.4]);
  });

  it('clips coordinates to the image with a report entry (LS#5014, LS#5481)', async () => {
    const tasks = [
      { id: 1, data: { image: url }, annotations: [{ id: 1, result: [rect('r', 'Car', 95, 95, 10, 10)] }] },
    ];
    const py = await runFormat(yolo, tasks, CONFIG, 'python');
    const ours = await runFormat(yolo, tasks, CONFIG, 'default');
    expect(numbers(py.text(labelPath(url)).trim()).slice(1)).toEqual([1, 1, 0.1, 0.1]);
    expect(
      numbers(ours.text(labelPath(url)).trim())
        .slice(1)
        .map((v) => Math.round(v * 1e9) / 1e9),
    ).toEqual([0.975, 0.975, 0.05, 0.05]);
    expect(ours.report.warnings.join('\n')).toMatch(/clipped/);
  });

  it('never overwrites a label file when two images share a base name (LSC#132)', async () => {
    const tasks = [
      {
        id: 1,
        data: { image: '/data/upload/1/0000.jpeg' },
        annotations: [{ id: 1, result: [rect('a', 'Car', 1, 1, 5, 5)] }],
      },
      {
        id: 2,
        data: { image: '/data/upload/2/0000.jpeg' },
        annotations: [{ id: 2, result: [rect('b', 'Car', 50, 50, 5, 5)] }],
      },
    ];
    const ours = await runFormat(yolo, tasks, CONFIG, 'default');
    expect(ours.sink.files.has('labels/0000.txt')).toBe(true);
    expect(ours.sink.files.has('labels/0000-2.txt')).toBe(true);
    const py = await runFormat(yolo, tasks, CONFIG, 'python');
    expect([...py.sink.files.keys()].filter((k) => k.startsWith('labels/'))).toEqual(['labels/0000.txt']);
    expect(py.report.countsByCode()['duplicate-file-name']).toBe(1);
  });

  it('classes.txt line i is class i, also with category="N" (LS#9366)', async () => {
    const config = `<View><Image name="image" value="$image"/>
      <RectangleLabels name="label" toName="image"><Label value="Car" category="1"/><Label value="Bus" category="3"/><Label value="Person"/></RectangleLabels></View>`;
    const tasks = [
      { id: 1, data: { image: url }, annotations: [{ id: 1, result: [rect('r', 'Car', 1, 1, 5, 5)] }] },
    ];
    const py = await runFormat(yolo, tasks, config, 'python');
    const ours = await runFormat(yolo, tasks, config, 'default');
    // Car has id 1 in both; the reference lists it on line 0.
    expect(numbers(py.text(labelPath(url)))[0]).toBe(1);
    expect(py.text('classes.txt')).toBe('Car\nBus\nPerson\n');
    expect(numbers(ours.text(labelPath(url)))[0]).toBe(1);
    expect(ours.text('classes.txt')).toBe('Person\nCar\nunused-2\nBus\n');
    expect(ours.text('data.yaml')).toContain('nc: 4\n');
  });

  it('writes an Ultralytics data.yaml beside classes.txt (LS#9887)', async () => {
    const py = await runFormat(yolo, twoAnnotations, CONFIG, 'python');
    const ours = await runFormat(yolo, twoAnnotations, CONFIG, 'default');
    expect(py.sink.files.has('data.yaml')).toBe(false);
    expect(ours.text('data.yaml')).toContain('nc: 3\nnames:\n  0: "Airplane"\n  1: "Car"\n  2: "Lake"\n');
  });

  it('YOLO_OBB: rectangles without a rotation key are exported, not skipped', async () => {
    const tasks = [
      { id: 1, data: { image: url }, annotations: [{ id: 1, result: [rect('r', 'Car', 10, 10, 20, 10)] }] },
    ];
    expect((await runFormat(yoloObb, tasks, CONFIG, 'python')).text(labelPath(url))).toBe('');
    const line = numbers((await runFormat(yoloObb, tasks, CONFIG, 'default')).text(labelPath(url)).trim());
    expect(line.slice(1).map((v) => Math.round(v * 1e9) / 1e9)).toEqual([
      0.1, 0.1, 0.3, 0.1, 0.3, 0.2, 0.1, 0.2,
    ]);
  });

  it('reports regions YOLO cannot carry (LS#5901)', async () => {
    const ellipse = {
      id: 'e',
      from_name: 'ell',
      to_name: 'image',
      type: 'ellipselabels',
      original_width: 10,
      original_height: 10,
      value: { x: 5, y: 5, radiusX: 1, radiusY: 1, ellipselabels: ['Ball'] },
    };
    const tasks = [
      {
        id: 1,
        data: { image: url },
        annotations: [{ id: 1, result: [ellipse, rect('r', 'Car', 1, 1, 5, 5)] }],
      },
    ];
    for (const compat of ['python', 'default'] as const) {
      const run = await runFormat(yolo, tasks, CONFIG, compat);
      expect(run.text(labelPath(url)).trim().split('\n')).toHaveLength(1);
      expect(run.report.countsByCode()['unsupported-region']).toBe(1);
    }
  });

  it('pose: keypoints join their parent box; a keypoint without parent is reported; kpt_shape in data.yaml', async () => {
    const tasks = [
      {
        id: 1,
        data: { image: url },
        annotations: [
          {
            id: 1,
            result: [
              rect('p', 'person', 10, 10, 50, 50),
              keypoint('k1', 'eye', 20, 30, 'p'),
              keypoint('k2', 'nose', 40, 40),
            ],
          },
        ],
      },
    ];
    const py = await runFormat(yolo, tasks, POSE, 'python');
    const ours = await runFormat(yolo, tasks, POSE, 'default');
    expect(py.text(labelPath(url))).toBe('0 0.35 0.35 0.5 0.5 0.0 0.0 0 0.2 0.3 2');
    expect(ours.text(labelPath(url))).toBe('0 0.35 0.35 0.5 0.5 0.0 0.0 0 0.2 0.3 2\n');
    expect(ours.report.countsByCode()['keypoint-without-parent']).toBe(1);
    expect(ours.text('data.yaml')).toContain('kpt_shape: [2, 3]');
  });

  it('pose: every keypoint is written in its line or reported (unknown label, same label twice)', async () => {
    const tasks = [
      {
        id: 1,
        data: { image: url },
        annotations: [
          {
            id: 1,
            result: [
              rect('p', 'person', 10, 10, 50, 50),
              keypoint('k1', 'eye', 20, 30, 'p'),
              keypoint('k2', 'eye', 30, 30, 'p'),
              keypoint('k3', 'nose', 40, 30, 'p'),
              keypoint('k4', 1, 40, 30, 'p'),
            ],
          },
        ],
      },
    ];
    for (const compat of ['python', 'default'] as const) {
      const run = await runFormat(yolo, tasks, POSE, compat);
      // The later "eye" is kept, as the Python converter keeps the later dict entry.
      expect(run.text(labelPath(url)).trim(), compat).toBe('0 0.35 0.35 0.5 0.5 0.4 0.3 2 0.3 0.3 2');
      const counts = run.report.countsByCode();
      expect(counts['duplicate-keypoint'], compat).toBe(1);
      // The rectangle and its two placed keypoints are written; the others are reported.
      expect(run.report.regionsWritten, compat).toBe(3);
      expect(run.report.regionsWritten + run.report.skippedCount, compat).toBeGreaterThanOrEqual(5);
      const lostK1 = run.report.entries().find((e) => e.code === 'duplicate-keypoint');
      expect(lostK1?.regionId, compat).toBe('k1');
    }
  });

  it('a polygon point that is not an [x, y] pair is reported in both modes, not a crash', async () => {
    const poly = (points: unknown) => ({
      id: 'p',
      from_name: 'poly',
      to_name: 'image',
      type: 'polygonlabels',
      original_width: 100,
      original_height: 100,
      value: { points, polygonlabels: ['Lake'] },
    });
    const tasks = [
      { id: 1, data: { image: url }, annotations: [{ id: 1, result: [poly([null]), poly([[1, 2], [3]])] }] },
    ];
    for (const compat of ['python', 'default'] as const) {
      const run = await runFormat(yolo, tasks, CONFIG, compat);
      expect(run.report.regionsWritten, compat).toBe(0);
      expect(
        run.report.entries().filter((e) => e.kind === 'region'),
        compat,
      ).toHaveLength(2);
    }
  });

  it('pose: rectangles that share an id (or have none) each get a line; the Python mode reports the one it replaces', async () => {
    const box = (x: number) => ({ ...rect('p', 'person', x, 10, 20, 20), id: 'same' });
    const tasks = [{ id: 1, data: { image: url }, annotations: [{ id: 1, result: [box(10), box(50)] }] }];
    const ours = await runFormat(yolo, tasks, POSE, 'default');
    expect(
      ours
        .text(labelPath(url))
        .split('\n')
        .filter(Boolean)
        .map((l) => numbers(l).slice(0, 2)),
    ).toEqual([
      [0, 0.2],
      [0, 0.6],
    ]);
    expect(ours.report.regionsWritten).toBe(2);
    const py = await runFormat(yolo, tasks, POSE, 'python');
    // The reference keeps the last rectangle of an id.
    expect(numbers(py.text(labelPath(url))).slice(0, 2)).toEqual([0, 0.6]);
    expect(py.report.regionsWritten + (py.report.countsByCode()['duplicate-region-id'] ?? 0)).toBe(2);
  });
});

describe('YOLO_WITH_IMAGES', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lsconv-yolo-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('copies images next to label files with matching names, even for duplicate base names', async () => {
    writeFileSync(join(dir, 'a.png'), tinyPng(4, 4));
    const tasks = [
      {
        id: 1,
        data: { image: join(dir, 'a.png') },
        annotations: [{ id: 1, result: [rect('r', 'Car', 1, 1, 5, 5)] }],
      },
      {
        id: 2,
        data: { image: join(dir, 'a.png') },
        annotations: [{ id: 2, result: [rect('s', 'Car', 1, 1, 5, 5)] }],
      },
    ];
    const run = await runFormat(yoloWithImages, tasks, CONFIG, 'default', {}, { baseDir: dir });
    const files = [...run.sink.files.keys()].sort();
    expect(files).toEqual([
      'classes.txt',
      'data.yaml',
      'images/a-2.png',
      'images/a.png',
      'labels/a-2.txt',
      'labels/a.txt',
      'notes.json',
    ]);
  });

  it('leaves out the label file when the image cannot be copied, with a report entry', async () => {
    const tasks = [
      {
        id: 1,
        data: { image: join(dir, 'missing.png') },
        annotations: [{ id: 1, result: [rect('r', 'Car', 1, 1, 5, 5)] }],
      },
    ];
    const run = await runFormat(yoloWithImages, tasks, CONFIG, 'default', {}, { baseDir: dir });
    expect([...run.sink.files.keys()].filter((k) => k.startsWith('labels/'))).toEqual([]);
    expect(run.report.countsByCode()['image-unavailable']).toBe(1);
  });
});

describe('YOLO_WITH_IMAGES from a web server', () => {
  it('downloads each image into images/ beside its label file', async () => {
    const { createServer } = await import('node:http');
    const png = tinyPng(9, 4);
    const server = createServer((req, res) => {
      if (req.url === '/datasets/street/0001.png') {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(png);
      } else res.writeHead(404).end();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as { port: number };
    const cacheDir = mkdtempSync(join(tmpdir(), 'lsconv-yolo-cache-'));
    try {
      const url = `http://127.0.0.1:${port}/datasets/street/0001.png`;
      const tasks = [
        { id: 1, data: { image: url }, annotations: [{ id: 1, result: [rect('a', 'Car', 0, 0, 50, 50)] }] },
      ];
      const run = await runFormat(yoloWithImages, tasks, CONFIG, 'default', {}, { download: true, cacheDir });
      const images = [...run.sink.files.keys()].filter((p) => p.startsWith('images/'));
      expect(images).toHaveLength(1);
      expect(Buffer.from(run.sink.files.get(images[0]!)!)).toEqual(png);
      const stem = images[0]!.slice('images/'.length).replace(/\.png$/, '');
      const [cls, ...box] = run.text(`labels/${stem}.txt`).trim().split(' ');
      expect(run.text('classes.txt').split('\n')[Number(cls)]).toBe('Car');
      expect(box.map(Number)).toEqual([0.25, 0.25, 0.5, 0.5]);
    } finally {
      server.close();
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it('fetches the next images while it writes one', async () => {
    const server = await startSlowMediaServer(
      (path) => {
        const n = /^\/img\/(\d+)\.png$/.exec(path)?.[1];
        return n === undefined ? undefined : tinyPng(10 + Number(n), 5);
      },
      40,
      // Answers wait until five requests overlap: the test counts what the format asks for at once.
      { holdUntilInFlight: 5 },
    );
    const cacheDir = mkdtempSync(join(tmpdir(), 'lsconv-yolo-cache-'));
    try {
      const tasks = Array.from({ length: 24 }, (_, n) => ({
        id: n + 1,
        data: { image: `${server.url}/img/${n}.png` },
        annotations: [{ id: n + 1, result: [rect(`r${n}`, 'Car', 0, 0, 50, 50)] }],
      }));
      const run = await runFormat(yoloWithImages, tasks, CONFIG, 'default', {}, { cacheDir });
      for (let n = 0; n < tasks.length; n++) {
        const image = [...run.sink.files.keys()].find((p) => p.endsWith(`__${n}.png`));
        expect(image).toBeDefined();
        expect(Buffer.from(run.sink.files.get(image!)!)).toEqual(tinyPng(10 + n, 5));
        expect(run.sink.files.has(image!.replace(/^images\//, 'labels/').replace(/\.png$/, '.txt'))).toBe(
          true,
        );
      }
      // One at a time, no two requests would overlap.
      expect(server.maxInFlight).toBeGreaterThan(4);
    } finally {
      await server.close();
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});

describe('labels that a class list cannot hold', () => {
  const url = 'https://e.org/a.jpg';
  const withLabels = (...labels: unknown[]) => [
    {
      id: 1,
      data: { image: url },
      annotations: [
        { id: 1, result: labels.map((label, i) => rect(`r${i}`, label as string, 10, 10, 20, 20)) },
      ],
    },
  ];
  const BREAKING = `<View><Image name="image" value="$image"/><RectangleLabels name="label" toName="image"><Label value="Car&#10;Pedestrian"/><Label value="Bus"/></RectangleLabels></View>`;

  it('default: refuses a config label with a line break (every later class would shift), naming it', async () => {
    await expect(runFormat(yolo, withLabels('Bus'), BREAKING, 'default')).rejects.toMatchObject({
      code: 'UNSUPPORTED_CONFIG',
      message: expect.stringContaining('"Car\\nPedestrian" holds a line break'),
    });
  });

  it('compat python: writes it as the Python converter does, and warns', async () => {
    const run = await runFormat(yolo, withLabels('Bus'), BREAKING, 'python');
    expect(run.text('classes.txt')).toBe('Bus\nCar\nPedestrian\n');
    expect(run.report.warnings.join('\n')).toMatch(/line break .*classes\.txt shifts/);
  });

  it('default: skips a region whose label outside the config holds a line break; classes.txt keeps one name a line', async () => {
    const run = await runFormat(
      yolo,
      withLabels('Car', 'Car\nPedestrian', 'Line\u2028Sep'),
      CONFIG,
      'default',
    );
    expect(run.text('classes.txt').split('\n').filter(Boolean)).toEqual(['Airplane', 'Car', 'Lake']);
    expect(run.report.countsByCode()['label-not-writable']).toBe(2);
    expect(run.report.regionsWritten).toBe(1);
  });

  it('a label that is not a string is the class Python names it, never "[object Object]"', async () => {
    for (const compat of ['default', 'python'] as const) {
      const run = await runFormat(yolo, withLabels({ a: 1 }, true), CONFIG, compat);
      expect(run.text('classes.txt'), compat).not.toContain('[object Object]');
      expect(run.text('classes.txt'), compat).toContain("{'a': 1}");
      expect(run.text('classes.txt'), compat).toContain('True');
    }
  });
});

describe('long image names', () => {
  it('two images with the same ~250-byte name get unique short label files, not an abort', async () => {
    const name = `${'a'.repeat(248)}.jpg`;
    const tasks = [1, 2, 3].map((i) => ({
      id: i,
      data: { image: `/data/local-files/?d=dir${i}/${name}` },
      annotations: [{ id: i, result: [rect(`r${i}`, 'Car', 10, 10, 20, 20)] }],
    }));
    for (const compat of ['default', 'python'] as const) {
      for (const format of [yolo]) {
        const run = await runFormat(format, tasks, CONFIG, compat);
        const files = [...run.sink.files.keys()].filter((f) => /\.(txt|xml)$/.test(f) && f !== 'classes.txt');
        for (const f of files)
          expect(Buffer.byteLength(f.split('/').pop()!), `${format.id} ${compat} ${f}`).toBeLessThanOrEqual(
            255,
          );
        // Default mode keeps all three; compat python writes one and reports the others, as the Python converter overwrites.
        expect(
          files.length + (run.report.countsByCode()['duplicate-file-name'] ?? 0),
          `${format.id} ${compat}`,
        ).toBe(3);
      }
    }
  });
});
