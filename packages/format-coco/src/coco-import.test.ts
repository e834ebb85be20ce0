import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeBrushMask } from '@lsconv/format-kit';
import { describeImporterConformance, runImport } from '@lsconv/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { cocoImporter } from './coco-import.js';

const tmp: string[] = [];
afterAll(async () => {
  for (const dir of tmp) await fs.rm(dir, { recursive: true, force: true });
});
async function writeJson(value: unknown): Promise<string> {
  const dir = await fs.mkdtemp(join(tmpdir(), 'lsconv-coco-import-'));
  tmp.push(dir);
  const file = join(dir, 'coco.json');
  await fs.writeFile(file, JSON.stringify(value));
  return file;
}

describeImporterConformance(cocoImporter);

describe('coco importer', () => {
  const base = {
    images: [
      { id: 7, file_name: 'a b.jpg', width: 3, height: 2 },
      { id: 8, file_name: 'https://example.com/b.jpg', width: 100, height: 50 },
    ],
    categories: [
      { id: 1, name: 'cat' },
      { id: 2, name: 'person', keypoints: ['nose', 'tail'] },
    ],
  };
  it('imports RLE and uncompressed RLE segmentations as brush masks', async () => {
    const file = await writeJson({
      ...base,
      annotations: [
        {
          id: 1,
          image_id: 7,
          category_id: 1,
          iscrowd: 1,
          segmentation: { counts: [1, 2, 3], size: [2, 3] },
          bbox: [0, 0, 2, 2],
        },
        // '1232' = counts [1, 2, 3, 4]: too many pixels for 2 × 3, so it is reported.
        { id: 2, image_id: 7, category_id: 1, iscrowd: 1, segmentation: { counts: '1232', size: [2, 3] } },
        { id: 3, image_id: 7, category_id: 1, iscrowd: 1, segmentation: { counts: '04', size: [2, 2] } },
      ],
    });
    const { tasks, labelConfig, report } = await runImport(cocoImporter, file);
    const result = tasks[0]!.annotations![0]!.result!;
    expect(result).toHaveLength(1);
    expect(result[0]).toMatchObject({
      type: 'brushlabels',
      from_name: 'label_brush',
      original_width: 3,
      original_height: 2,
    });
    const value = result[0]!.value as { rle: number[]; brushlabels: string[] };
    expect(value.brushlabels).toEqual(['cat']);
    expect([...decodeBrushMask(value.rle, 3, 2)]).toEqual([0, 255, 0, 255, 0, 0]);
    expect(labelConfig).toContain('<BrushLabels name="label_brush" toName="image">');
    expect(tasks[0]!.data.image).toBe('/data/local-files/?d=a%20b.jpg');
    expect(tasks[1]!.data.image).toBe('https://example.com/b.jpg');
    const codes = report
      .toJSON()
      .skipped.map((s) => s.code)
      .sort();
    expect(codes).toEqual(['bad-rle', 'rle-size-mismatch']);
  });

  it('imports every polygon part, and keypoints linked to their box', async () => {
    const file = await writeJson({
      ...base,
      annotations: [
        {
          id: 1,
          image_id: 8,
          category_id: 1,
          segmentation: [
            [0, 0, 10, 0, 10, 10],
            [20, 20, 30, 20, 30, 30],
          ],
          bbox: [0, 0, 30, 30],
        },
        {
          id: 2,
          image_id: 8,
          category_id: 2,
          keypoints: [10, 5, 2, 0, 0, 0],
          num_keypoints: 1,
          bbox: [5, 5, 10, 10],
        },
      ],
    });
    const { tasks, labelConfig } = await runImport(cocoImporter, file);
    const result = tasks[1]!.annotations![0]!.result!;
    expect(result.map((r) => r.type)).toEqual([
      'polygonlabels',
      'polygonlabels',
      'rectanglelabels',
      'keypointlabels',
    ]);
    expect(result[0]!.value).toMatchObject({
      points: [
        [0, 0],
        [10, 0],
        [10, 20],
      ],
    });
    expect(result[3]).toMatchObject({
      parentID: result[2]!.id,
      value: { x: 10, y: 10, keypointlabels: ['nose'] },
    });
    expect(labelConfig).toContain('<Label value="tail" background="rgba(0, 255, 0, 1)" model_index="1"/>');
  });

  it('reports annotations pointing at a missing image or category', async () => {
    const file = await writeJson({
      ...base,
      annotations: [
        { id: 1, image_id: 99, category_id: 1, bbox: [0, 0, 1, 1] },
        { id: 2, image_id: 7, category_id: 5, bbox: [0, 0, 1, 1] },
      ],
    });
    const { tasks, report } = await runImport(cocoImporter, file);
    expect(tasks.flatMap((t) => t.annotations![0]!.result!)).toEqual([]);
    const skipped = report.toJSON().skipped;
    expect(skipped.map((s) => s.code).sort()).toEqual(['missing-image', 'unknown-category']);
    expect(skipped.find((s) => s.code === 'missing-image')!.examples[0]).toMatchObject({
      file,
      field: 'annotations[0]',
    });
  });

  it('reports an image without a file_name (and its annotations) instead of failing', async () => {
    const file = await writeJson({
      images: [{ id: 0 }, { id: 1, file_name: '/' }, { id: 2, file_name: 'c.jpg', width: 4, height: 4 }],
      categories: [{ id: 1, name: 'cat' }],
      annotations: [
        { id: 1, image_id: 0, category_id: 1, bbox: [0, 0, 1, 1] },
        { id: 2, image_id: 2, category_id: 1, bbox: [0, 0, 1, 1] },
      ],
    });
    for (const compat of ['default', 'python'] as const) {
      const { tasks, report } = await runImport(cocoImporter, file, {}, compat);
      expect(tasks).toHaveLength(1);
      expect(report.countsByCode()['missing-file-name']).toBe(3);
    }
  });

  it('reports regions it cannot place (no image size next to an RLE, overflowing numbers) instead of importing NaN', async () => {
    const file = await writeJson({
      images: [
        { id: 0, file_name: 'a.jpg' },
        { id: 1, file_name: 'b.jpg', width: 5e-324, height: 1 },
      ],
      categories: [{ id: 0, name: 'cat' }],
      annotations: [
        {
          id: 1,
          image_id: 0,
          category_id: 0,
          segmentation: { counts: [], size: [0, 0] },
          keypoints: [1, 1, 2],
        },
        { id: 2, image_id: 1, category_id: 0, bbox: [1, 0, 1, 1] },
      ],
    });
    const { tasks, report } = await runImport(cocoImporter, file);
    const numbers: number[] = [];
    JSON.stringify(tasks, (_k, v) => {
      if (typeof v === 'number') numbers.push(v);
      return v;
    });
    expect(numbers.every(Number.isFinite)).toBe(true);
    expect(report.countsByCode()['bad-number']).toBe(2);
  });

  it('reports an annotation with nothing to import instead of dropping it silently', async () => {
    const file = await writeJson({ ...base, annotations: [{ id: 1, image_id: 7, category_id: 1 }] });
    const { report } = await runImport(cocoImporter, file);
    expect(report.regionsWritten).toBe(0);
    expect(report.countsByCode()['empty-annotation']).toBe(1);
  });
});
