import { readdirSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import {
  arrayTaskSource,
  type FormatDefinition,
  memorySink,
  parseLabelConfig,
  runExport,
} from '@lsconv/core';
import { encodeBrushMask } from '@lsconv/format-kit';
import { findConformanceDir, JsonNumber, type JsonTree, parseJsonTree } from '@lsconv/testkit';
import pngjs from 'pngjs';
import { describe, expect, it } from 'vitest';
import { RECENT_FILES } from './brush-masks.js';
import { brushToCoco, brushToNumpy, brushToPng } from './index.js';
import { firstDifference } from './test-util.js';

const conformanceDir = findConformanceDir();
if (!conformanceDir)
  throw new Error(
    "the shared conformance fixtures were not found (set the testkit's conformance dir variable)",
  );
const caseDir = pathToFileURL(`${conformanceDir}/tpl-brush-masks/`);
const tasks = JSON.parse(readFileSync(new URL('tasks.json', caseDir), 'utf8')) as unknown[];
const configXml = readFileSync(new URL('config.xml', caseDir), 'utf8');
const config = parseLabelConfig(configXml);

/**
 * A `.npy` reader written from the NumPy format spec, independent of our writer:
 * magic, version, little-endian header length, Python-literal dict, C-order data.
 */
function readNpy(bytes: Uint8Array): { descr: string; fortran: boolean; shape: number[]; data: Uint8Array } {
  const magic = Buffer.from(bytes.subarray(0, 6)).toString('latin1');
  if (magic !== '\x93NUMPY') throw new Error('not an npy file');
  const major = bytes[6]!;
  const headerLen =
    major === 1
      ? bytes[8]! | (bytes[9]! << 8)
      : new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = Buffer.from(bytes.subarray(start, start + headerLen)).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)![1]!;
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)![1] === 'True';
  const shape = /'shape':\s*\(([^)]*)\)/
    .exec(header)![1]!
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  return { descr, fortran, shape, data: bytes.subarray(start + headerLen) };
}

function readPng(bytes: Uint8Array) {
  const png = pngjs.PNG.sync.read(Buffer.from(bytes), { skipRescale: true }) as pngjs.PNGWithMetadata;
  return png;
}

async function run(
  format: FormatDefinition<any>,
  compat: 'python' | 'default',
  options: Record<string, unknown> = {},
  input = tasks,
  labelConfig = config,
) {
  const sink = memorySink();
  const report = await runExport({
    format,
    tasks: arrayTaskSource(input),
    config: labelConfig,
    sink,
    compat,
    options,
  });
  return { sink, report };
}

function expectedFiles(format: string): string[] {
  return readdirSync(new URL(`expected/${format}/`, caseDir)).sort();
}

describe('conformance: tpl-brush-masks, --compat python', () => {
  it('BRUSH_TO_NUMPY writes the same arrays under the same names', async () => {
    const { sink, report } = await run(brushToNumpy, 'python');
    expect([...sink.files.keys()].sort()).toEqual(expectedFiles('BRUSH_TO_NUMPY'));
    for (const name of expectedFiles('BRUSH_TO_NUMPY')) {
      const ours = readNpy(sink.files.get(name)!);
      const theirs = readNpy(readFileSync(new URL(`expected/BRUSH_TO_NUMPY/${name}`, caseDir)));
      expect({ descr: ours.descr, fortran: ours.fortran, shape: ours.shape }).toEqual({
        descr: theirs.descr,
        fortran: theirs.fortran,
        shape: theirs.shape,
      });
      expect(ours.descr).toBe('|u1');
      expect(firstDifference(ours.data, theirs.data), name).toBe(-1);
    }
    expect(report.regionsWritten).toBe(4);
  });

  it('BRUSH_TO_PNG writes the same greyscale pixels under the same names', async () => {
    const { sink } = await run(brushToPng, 'python');
    expect([...sink.files.keys()].sort()).toEqual(expectedFiles('BRUSH_TO_PNG'));
    for (const name of expectedFiles('BRUSH_TO_PNG')) {
      const ours = readPng(sink.files.get(name)!);
      const theirs = readPng(readFileSync(new URL(`expected/BRUSH_TO_PNG/${name}`, caseDir)));
      expect([ours.width, ours.height, ours.colorType, ours.depth]).toEqual([
        theirs.width,
        theirs.height,
        theirs.colorType,
        theirs.depth,
      ]);
      expect(ours.colorType).toBe(0);
      expect(firstDifference(ours.data, theirs.data), name).toBe(-1);
    }
  });

  it('BRUSH_TO_COCO writes the same result_coco.json (date and colours aside)', async () => {
    const { sink } = await run(brushToCoco, 'python');
    expect([...sink.files.keys()]).toEqual(['result_coco.json']);
    expect([...sink.dirs]).toEqual(['images']);
    const ours = JSON.parse(sink.text('result_coco.json'));
    const theirs = JSON.parse(
      readFileSync(new URL('expected/BRUSH_TO_COCO/result_coco.json', caseDir), 'utf8'),
    );
    for (const doc of [ours, theirs]) {
      expect(typeof doc.info.date_created).toBe('string');
      delete doc.info.date_created;
      delete doc.info.year;
      for (const c of doc.categories) {
        expect(c.color).toMatch(/^#[0-9a-f]{6}$/);
        delete c.color;
      }
    }
    expect(ours).toEqual(theirs);
  });
});

describe('BRUSH_TO_NUMPY / BRUSH_TO_PNG default mode', () => {
  it('names masks after their image and indexes them in masks.json', async () => {
    const { sink } = await run(brushToPng, 'default');
    const names = [...sink.files.keys()].sort();
    expect(names).toEqual([
      'car_002__Car.png',
      'masks.json',
      'plane_001__Airplane.png',
      'plane_001__Car.png',
    ]);
    const index = JSON.parse(sink.text('masks.json'));
    const car = index.masks.find((m: { file: string }) => m.file === 'car_002__Car.png');
    expect(car).toMatchObject({
      task_id: 502,
      annotation_id: 5002,
      annotator: 'maria.k@example.com',
      image: 'https://data.example.org/road/car_002.png',
      label: 'Car',
      width: 48,
      height: 32,
    });
    expect(car.region_ids).toEqual(['CGdVsbqaps', 'Y7EvucCJjX']);
    // The merged mask is the union of the two reference masks.
    const merged = readPng(sink.files.get('car_002__Car.png')!);
    const a = readPng(
      readFileSync(
        new URL(
          'expected/BRUSH_TO_PNG/task-502-annotation-5002-by-maria.k@example.com-tag-Car-0.png',
          caseDir,
        ),
      ),
    );
    const b = readPng(
      readFileSync(
        new URL(
          'expected/BRUSH_TO_PNG/task-502-annotation-5002-by-maria.k@example.com-tag-Car-1.png',
          caseDir,
        ),
      ),
    );
    const union = a.data.map((v, i) => Math.max(v, b.data[i]!));
    expect(firstDifference(merged.data, union)).toBe(-1);
  });

  it('keeps the reference names with --layout reference, plus masks.json', async () => {
    const { sink } = await run(brushToNumpy, 'default', { layout: 'reference' });
    expect([...sink.files.keys()].sort()).toEqual([...expectedFiles('BRUSH_TO_NUMPY'), 'masks.json'].sort());
  });

  it('writes indexed class-id PNGs with the label colours as palette (--semantic)', async () => {
    const { sink } = await run(brushToPng, 'default', { semantic: true });
    expect([...sink.files.keys()].sort()).toEqual(['car_002.png', 'masks.json', 'plane_001.png']);
    const png = readPng(sink.files.get('plane_001.png')!);
    expect(png.colorType).toBe(3);
    // Airplane = 1 (red), Car = 2 (blue), in config order; background 0.
    const palette = (png as unknown as { palette: number[][] }).palette;
    expect(palette.slice(0, 3).map((c) => c.slice(0, 3))).toEqual([
      [0, 0, 0],
      [255, 0, 0],
      [0, 0, 255],
    ]);
    const index = JSON.parse(sink.text('masks.json'));
    expect(index.classes.map((c: { id: number; name: string }) => [c.id, c.name])).toEqual([
      [0, 'background'],
      [1, 'Airplane'],
      [2, 'Car'],
    ]);
    // Class ids through the .npy variant, read by the independent reader.
    const npy = (await run(brushToNumpy, 'default', { semantic: true })).sink;
    const ids = readNpy(npy.files.get('plane_001.npy')!);
    expect(ids.shape).toEqual([32, 48]);
    expect(ids.data[12 * 48 + 10]).toBe(1);
    expect(ids.data[24 * 48 + 38]).toBe(2);
    expect(ids.data[0]).toBe(0);
  });

  it('reports a region the reference overwrites, and keeps both outside compat mode', async () => {
    const twins = structuredClone(tasks) as {
      annotations: { result: { value: { brushlabels: string[] } }[] }[];
    }[];
    // "A/B" and "A-B" give the same reference file name.
    twins[0]!.annotations[0]!.result[0]!.value.brushlabels = ['A/B'];
    twins[0]!.annotations[0]!.result[1]!.value.brushlabels = ['A-B'];
    const python = await run(brushToPng, 'python', {}, twins);
    expect(python.report.countsByCode()).toMatchObject({ overwritten: 1 });
    expect([...python.sink.files.keys()].filter((n) => n.startsWith('task-501'))).toEqual([
      'task-501-annotation-5001-by-1-tag-A-B-0.png',
    ]);
    const own = await run(brushToPng, 'default', { layout: 'reference' }, twins);
    expect([...own.sink.files.keys()].filter((n) => n.startsWith('task-501')).sort()).toEqual([
      'task-501-annotation-5001-by-1-tag-A-B-0.png',
      'task-501-annotation-5001-by-1-tag-A-B-0__2.png',
    ]);
    expect(own.report.countsByCode().overwritten).toBeUndefined();
  });

  it('still reports an overwrite when the earlier file is older than the ones it remembers', async () => {
    const brushConfig = parseLabelConfig(`<View>
  <Image name="image" value="$image"/>
  <BrushLabels name="tag" toName="image"><Label value="Car"/></BrushLabels>
</View>`);
    const mask = new Uint8Array(4 * 3).fill(255);
    const region = (id: string) => ({
      id,
      from_name: 'tag',
      to_name: 'image',
      type: 'brushlabels',
      original_width: 4,
      original_height: 3,
      value: { format: 'rle', rle: [...encodeBrushMask(mask)], brushlabels: ['Car'] },
    });
    const task = (i: number, id: number) => ({
      id,
      data: { image: `img/${i}.png` },
      annotations: [{ id, completed_by: 1, result: [region(`r${i}`)] }],
    });
    // RECENT_FILES + 2 files, then task 1 again: its file name is the first one written.
    const many = Array.from({ length: RECENT_FILES + 2 }, (_, i) => task(i, i + 1));
    many.push(task(RECENT_FILES + 2, 1));
    const { sink, report } = await run(brushToPng, 'python', {}, many, brushConfig);
    expect(report.countsByCode()).toEqual({ overwritten: 1 });
    const entry = report.entries().find((e) => e.code === 'overwritten');
    expect(entry).toMatchObject({ taskIndex: RECENT_FILES + 2, taskId: 1, regionId: `r${RECENT_FILES + 2}` });
    expect(entry?.reason).toMatch(/task-1-annotation-1-by-1-tag-Car-0\.png as an earlier region/);
    expect(sink.files.size).toBe(RECENT_FILES + 2);
    expect(report.regionsWritten).toBe(RECENT_FILES + 2);
  });

  it('reports regions it cannot write instead of dropping them', async () => {
    const broken = structuredClone(tasks) as {
      annotations: { result: { value: { rle: number[] }; original_width?: number }[] }[];
    }[];
    broken[0]!.annotations[0]!.result[0]!.value.rle = [1, 2, 3];
    delete broken[0]!.annotations[0]!.result[1]!.original_width;
    const { sink, report } = await run(brushToNumpy, 'python', {}, broken);
    expect(report.countsByCode()).toMatchObject({ 'invalid-rle': 1, 'missing-image-size': 1 });
    expect(sink.files.size).toBe(2);
  });
});

describe('BRUSH_TO_COCO against the reference on brush, polygon and rectangle regions', () => {
  // fixtures/coco-mixed: several blobs per mask (contour order), dots and lines (dropped),
  // a ring around a blob (outer contour only), two labels on one mask, polygons,
  // rectangles, a task without annotations, one without an image, an empty mask.
  const dir = new URL('../fixtures/coco-mixed/', import.meta.url);
  const mixedTasks = JSON.parse(readFileSync(new URL('tasks.json', dir), 'utf8')) as unknown[];
  const mixedConfig = parseLabelConfig(readFileSync(new URL('config.xml', dir), 'utf8'));

  it('matches the Python converter (date and colours aside)', async () => {
    const sink = memorySink();
    const report = await runExport({
      format: brushToCoco,
      tasks: arrayTaskSource(mixedTasks),
      config: mixedConfig,
      sink,
      compat: 'python',
    });
    const ours = JSON.parse(sink.text('result_coco.json'));
    const theirs = JSON.parse(readFileSync(new URL('expected-result_coco.json', dir), 'utf8'));
    for (const doc of [ours, theirs]) {
      delete doc.info.date_created;
      delete doc.info.year;
      for (const c of doc.categories) delete c.color;
    }
    expect(ours).toEqual(theirs);
    expect(report.countsByCode()).toMatchObject({ 'small-contour': 2, 'empty-mask': 1, 'no-image-path': 1 });
  });

  it('spells the numbers of its annotations as the reference (rectangles are floats: 64.0)', async () => {
    const sink = memorySink();
    await runExport({
      format: brushToCoco,
      tasks: arrayTaskSource(mixedTasks),
      config: mixedConfig,
      sink,
      compat: 'python',
    });
    const literals = (text: string) => {
      const out: string[] = [];
      const walk = (v: JsonTree) => {
        if (v instanceof JsonNumber) out.push(v.raw);
        else if (Array.isArray(v)) v.forEach(walk);
        // Key order is free (NORMALISE.md): walk the keys sorted.
        else if (v instanceof Map) for (const key of [...v.keys()].sort()) walk(v.get(key)!);
      };
      walk((parseJsonTree(text) as Map<string, JsonTree>).get('annotations')!);
      return out;
    };
    const theirs = literals(readFileSync(new URL('expected-result_coco.json', dir), 'utf8'));
    expect(theirs).toContain('3072.0');
    expect(literals(sink.text('result_coco.json'))).toEqual(theirs);
  });

  it('takes category colours from the config', async () => {
    const sink = memorySink();
    await runExport({
      format: brushToCoco,
      tasks: arrayTaskSource(mixedTasks),
      config: mixedConfig,
      sink,
      compat: 'python',
    });
    const colours = Object.fromEntries(
      JSON.parse(sink.text('result_coco.json')).categories.map((c: { name: string; color: string }) => [
        c.name,
        c.color,
      ]),
    );
    expect(colours).toMatchObject({ Car: '#00ff00', Tree: '#008000' });
  });
});

describe('BRUSH_TO_COCO default mode', () => {
  it('streams many tasks through the spill files into one result_coco.json in the reference layout', async () => {
    const rectConfig = parseLabelConfig(`<View>
  <Image name="image" value="$image"/>
  <BrushLabels name="brush" toName="image"><Label value="Car"/><Label value="Tree"/></BrushLabels>
  <RectangleLabels name="box" toName="image"><Label value="Car"/><Label value="Tree"/></RectangleLabels>
</View>`);
    const box = (id: string, label: string, x: number) => ({
      id,
      from_name: 'box',
      to_name: 'image',
      type: 'rectanglelabels',
      original_width: 200,
      original_height: 100,
      value: { x, y: 10, width: 5, height: 5, rotation: 0, rectanglelabels: [label] },
    });
    const many = Array.from({ length: 3000 }, (_, i) => ({
      id: i + 1,
      data: { image: `img/${i}.png` },
      annotations: [
        { id: i + 1, completed_by: 1, result: [box(`a${i}`, 'Car', 1), box(`b${i}`, 'Tree', 50)] },
      ],
    }));
    const { sink, report } = await run(brushToCoco, 'default', {}, many, rectConfig);
    const text = sink.text('result_coco.json');
    const doc = JSON.parse(text);
    expect(doc.images).toHaveLength(3000);
    expect(doc.annotations).toHaveLength(6000);
    expect(doc.annotations.map((a: { id: number }) => a.id)).toEqual([...Array(6000).keys()]);
    expect(doc.annotations[5999]).toMatchObject({ image_id: 2999, category_id: 2 });
    expect(report.regionsWritten).toBe(6000);
    // One row per line, four spaces in, as the reference writes them.
    const lines = text.split('\n');
    expect(lines[1]).toBe('  "images": [');
    expect(lines[2]).toMatch(/^ {4}\{"id": ?0,/);
    expect(lines.filter((line) => line.startsWith('    {"id"')).length).toBe(3000 + 6000 + 2);
  });

  it('writes exact COCO RLE masks with --coco-masks rle', async () => {
    const { sink } = await run(brushToCoco, 'default', { cocoMasks: 'rle' });
    const doc = JSON.parse(sink.text('result_coco.json'));
    expect(doc.annotations).toHaveLength(4);
    const first = doc.annotations[0];
    expect(first.segmentation.size).toEqual([32, 48]);
    expect(first.bbox).toEqual([8, 10, 22, 8]);
    expect(first.area).toBe(22 * 8);
  });

  it('writes the mask of a Brush + Labels project (the reference skips it)', async () => {
    const labelsConfig = parseLabelConfig(`<View>
  <Image name="image" value="$image"/>
  <Brush name="brush" toName="image"/>
  <Labels name="kind" toName="image"><Label value="Car"/></Labels>
</View>`);
    const rleBytes = [...encodeBrushMask(new Uint8Array(16).fill(255))];
    const task = {
      id: 1,
      data: { image: 'a.png' },
      annotations: [
        {
          id: 1,
          completed_by: 1,
          result: [
            {
              id: 'r',
              from_name: 'brush',
              to_name: 'image',
              type: 'brush',
              original_width: 4,
              original_height: 4,
              value: { format: 'rle', rle: rleBytes },
            },
            {
              id: 'r',
              from_name: 'kind',
              to_name: 'image',
              type: 'labels',
              original_width: 4,
              original_height: 4,
              value: { format: 'rle', rle: rleBytes, labels: ['Car'] },
            },
          ],
        },
      ],
    };
    const exportWith = async (compat: 'python' | 'default') => {
      const sink = memorySink();
      const report = await runExport({
        format: brushToCoco,
        tasks: arrayTaskSource([task]),
        config: labelsConfig,
        sink,
        compat,
      });
      return { doc: JSON.parse(sink.text('result_coco.json')), report };
    };
    const ours = await exportWith('default');
    expect(ours.doc.annotations).toHaveLength(1);
    expect(ours.doc.annotations[0].segmentation).toEqual([[0, 0, 0, 3, 3, 3, 3, 0]]);
    const python = await exportWith('python');
    expect(python.doc.annotations).toHaveLength(0);
    expect(python.report.countsByCode()).toMatchObject({ 'invalid-rectangle': 1, 'unsupported-region': 1 });
  });

  it('finds an image without a file extension through the config (the reference skips it)', async () => {
    const signed = structuredClone(tasks) as { data: { image: string } }[];
    signed[0]!.data.image = 'https://bucket.example/plane_001?X-Amz-Signature=abc';
    const ours = JSON.parse((await run(brushToCoco, 'default', {}, signed)).sink.text('result_coco.json'));
    expect(ours.images.map((i: { path: string }) => i.path)[0]).toBe(signed[0]!.data.image);
    const python = await run(brushToCoco, 'python', {}, signed);
    expect(JSON.parse(python.sink.text('result_coco.json')).images).toHaveLength(1);
    expect(python.report.countsByCode()).toMatchObject({ 'no-image-path': 1 });
  });

  it('keeps holes with RLE and loses them with polygons', async () => {
    const mask = new Uint8Array(20 * 20);
    for (let y = 2; y < 18; y++) for (let x = 2; x < 18; x++) mask[y * 20 + x] = 255;
    for (let y = 7; y < 13; y++) for (let x = 7; x < 13; x++) mask[y * 20 + x] = 0;
    const task = {
      id: 1,
      data: { image: '/data/upload/1/ring.png' },
      annotations: [
        {
          id: 1,
          completed_by: 1,
          result: [
            {
              id: 'r',
              from_name: 'tag',
              to_name: 'image',
              type: 'brushlabels',
              original_width: 20,
              original_height: 20,
              value: { format: 'rle', rle: [...encodeBrushMask(mask)], brushlabels: ['Car'] },
            },
          ],
        },
      ],
    };
    const rle = JSON.parse(
      (await run(brushToCoco, 'default', { cocoMasks: 'rle' }, [task])).sink.text('result_coco.json'),
    );
    expect(rle.annotations[0].area).toBe(16 * 16 - 36);
    const poly = JSON.parse((await run(brushToCoco, 'python', {}, [task])).sink.text('result_coco.json'));
    expect(poly.annotations[0].area).toBe(15 * 15);
    expect(poly.annotations[0].segmentation).toEqual([[2, 2, 2, 17, 17, 17, 17, 2]]);
  });
});
