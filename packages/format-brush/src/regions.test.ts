import {
  ConversionReport,
  type Item,
  parseLabelConfig,
  parseTaskJson,
  type Task,
  taskItems,
} from '@lsconv/core';
import { encodeBrushMask } from '@lsconv/format-kit';
import { describe, expect, it } from 'vitest';
import { annotatorForName, brushRegions, imageStem, referenceFileStem } from './regions.js';

const config = parseLabelConfig(`<View>
  <Image name="image" value="$image"/>
  <BrushLabels name="tag/x" toName="image"><Label value="a/b"/><Label value="Car"/></BrushLabels>
  <Choices name="quality" toName="image"><Choice value="good"/></Choices>
</View>`);

const rle = [...encodeBrushMask(new Uint8Array(4).fill(255))];

function itemOf(
  annotation: Record<string, unknown>,
  results: unknown[],
): { item: Item; report: ConversionReport } {
  const report = new ConversionReport('BRUSH_TO_PNG');
  const task = {
    id: 7,
    data: { image: 's3://bucket/dir/photo.final.JPG?x=1' },
    annotations: [{ id: 70, ...annotation, result: results }],
  };
  const item = taskItems(task as Task, { config, report, taskIndex: 0 })[0]!;
  return { item, report };
}

const brush = (labels: unknown, extra: Record<string, unknown> = {}) => ({
  id: 'r',
  from_name: 'tag/x',
  to_name: 'image',
  type: 'brushlabels',
  original_width: 2,
  original_height: 2,
  value: { format: 'rle', rle, ...(labels === undefined ? {} : { brushlabels: labels }) },
  ...extra,
});

describe('reference file names', () => {
  it('keeps letters, digits, @ and . of the annotator, unicode included', () => {
    expect(annotatorForName({ id: 1, email: "Zoë O'Brien+tag@exämple.com" })).toBe(
      'ZoëOBrientag@exämple.com',
    );
    expect(annotatorForName({ id: 1 })).toBe('');
    expect(annotatorForName({ id: 1, email: null })).toBe('');
    expect(annotatorForName(12)).toBe('12');
    expect(annotatorForName(null)).toBe('None');
  });

  it('names each region task-annotation-annotator-control-labels-counter, / turned into -', () => {
    const { item } = itemOf({ completed_by: 3 }, [
      brush(['a/b']),
      brush(['a/b']),
      brush(['Car', 'a/b']),
      brush(undefined),
    ]);
    const regions = brushRegions(item, new ConversionReport());
    expect(regions.map((r) => referenceFileStem(item, r, 250))).toEqual([
      'task-7-annotation-70-by-3-tag-x-a-b-0',
      'task-7-annotation-70-by-3-tag-x-a-b-1',
      'task-7-annotation-70-by-3-tag-x-Car-a-b-0',
      'task-7-annotation-70-by-3-tag-x-no_label-0',
    ]);
  });

  it('keeps task, annotation and user ids beyond 2^53 as written', () => {
    const task = parseTaskJson(
      JSON.stringify({
        id: 1,
        data: { image: 'x.png' },
        annotations: [{ id: 2, completed_by: 3, result: [brush(['Car'])] }],
      })
        .replace('"id":1,', '"id":9007199254740993,')
        .replace('"id":2,', '"id":9007199254740995,')
        .replace('"completed_by":3', '"completed_by":9007199254740997'),
      'exact',
    ) as Task;
    const item = taskItems(task, { config, taskIndex: 0 })[0]!;
    const [region] = brushRegions(item, new ConversionReport());
    expect(referenceFileStem(item, region!, 250)).toBe(
      'task-9007199254740993-annotation-9007199254740995-by-9007199254740997-tag-x-Car-0',
    );
  });

  it('turns / and \\ in task and annotation ids into -, so no id names a folder', () => {
    const report = new ConversionReport('BRUSH_TO_PNG');
    const task = {
      id: '../../etc/x',
      data: { image: 'a.png' },
      annotations: [{ id: '..\\..\\y', result: [brush(['Car'])] }],
    };
    const item = taskItems(task as unknown as Task, { config, report, taskIndex: 0 })[0]!;
    const [region] = brushRegions(item, report);
    const stem = referenceFileStem(item, region!, 250);
    expect(stem).toBe('task-..-..-etc-x-annotation-..-..-y-by--tag-x-Car-0');
    expect(stem).not.toMatch(/[/\\]/);
  });

  it('cuts an over-long name and keeps it unique with a hash', () => {
    const long = 'L'.repeat(300);
    const { item } = itemOf({ completed_by: 3 }, [brush([long]), brush([`${long}x`])]);
    const [a, b] = brushRegions(item, new ConversionReport()).map((r) => referenceFileStem(item, r, 251));
    expect(Buffer.byteLength(a!)).toBeLessThanOrEqual(251);
    expect(a).not.toBe(b);
  });

  it('reports every region that is not a brush mask, and brush masks without a size', () => {
    const choice = {
      id: 'c',
      from_name: 'quality',
      to_name: 'image',
      type: 'choices',
      value: { choices: ['good'] },
    };
    const { item } = itemOf({ completed_by: 3 }, [
      choice,
      brush(['Car'], { original_width: undefined }),
      brush(['Car']),
    ]);
    const report = new ConversionReport();
    expect(brushRegions(item, report)).toHaveLength(1);
    expect(report.countsByCode()).toEqual({ 'not-a-brush-mask': 1, 'missing-image-size': 1 });
    expect(report.entries()[0]).toMatchObject({
      taskId: 7,
      field: 'annotations[0].result[0]',
      regionId: 'c',
    });
  });
});

describe('imageStem', () => {
  it('takes the base name without extension and query', () => {
    expect(imageStem('s3://bucket/dir/photo.final.JPG?x=1', 'task-1')).toBe('photo.final');
    expect(imageStem('/data/upload/3/a%2F..%2Fb.png', 'task-1')).toBe('b');
    expect(imageStem(undefined, 'task-1')).toBe('task-1');
    expect(imageStem(undefined, 'task-../a/b')).toBe('task-..-a-b');
  });
});

describe('the memory of one mask is bounded', () => {
  it('skips a region larger than MAX_MASK_PIXELS, naming it, before allocating anything', async () => {
    const { memorySink, runExport, arrayTaskSource } = await import('@lsconv/core');
    const { brushToPng } = await import('./brush-to-png.js');
    const huge = (id: string) => brush(['Car'], { id, original_width: 23_000, original_height: 23_000 });
    const task = {
      id: 9,
      data: { image: 'a.png' },
      annotations: [
        { id: 90, result: ['r1', 'r2', 'r3', 'r4', 'r5', 'r6'].map(huge).concat(brush(['Car'])) },
      ],
    };
    const before = process.memoryUsage().arrayBuffers;
    const sink = memorySink();
    const report = await runExport({
      format: brushToPng,
      tasks: arrayTaskSource([task]),
      config,
      sink,
      options: {},
    });
    expect(report.countsByCode()['mask-too-large']).toBe(6);
    const entry = report.entries().find((e) => e.code === 'mask-too-large')!;
    expect(entry).toMatchObject({ taskId: 9, regionId: 'r1' });
    expect(entry.reason).toMatch(/23000x23000 pixels, more than the 67,108,864/);
    // The small region is still written; six 529-megapixel masks were never allocated.
    expect(report.regionsWritten).toBe(1);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
  });
});
