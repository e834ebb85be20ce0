import {
  arrayTaskSource,
  memorySink,
  parseLabelConfig,
  parseTaskJson,
  runExport,
  type Task,
  taskItems,
} from '@lsconv/core';
import { writeSizes } from '@lsconv/testkit';
import { describe, expect, it } from 'vitest';
import { jsonMin, jsonMinText, toJsonMinRecord } from './json-min.js';

const config = parseLabelConfig(`<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="label" toName="image"><Label value="Car"/></RectangleLabels>
  <Choices name="image_ok" toName="image"><Choice value="yes"/><Choice value="no"/></Choices>
</View>`);

const rect = {
  from_name: 'label',
  to_name: 'image',
  type: 'rectanglelabels',
  original_width: 640,
  original_height: 480,
  value: { x: 1, y: 2, width: 3, height: 4, rectanglelabels: ['Car'] },
};
const ok = { from_name: 'image_ok', to_name: 'image', type: 'choices', value: { choices: ['yes'] } };

async function run(tasks: Task[], compat: 'default' | 'python' = 'default') {
  const sink = memorySink();
  const report = await runExport({ format: jsonMin, tasks: arrayTaskSource(tasks), config, sink, compat });
  return { sink, report, text: sink.text('result.json') };
}

const record = (task: Task) => taskItems(task, { config, taskIndex: 0 }).map(toJsonMinRecord);

describe('toJsonMinRecord', () => {
  it('holds the task data, id, one key per control, annotator and timestamps', () => {
    const [r] = record({
      id: 7,
      data: { image: '/data/upload/1/a.jpg', source: 'cam' },
      agreement: 80,
      annotations: [
        { id: 3, completed_by: 12, result: [rect, ok], created_at: 'c', updated_at: 'u', lead_time: 4.25 },
      ],
    });
    expect({ ...r }).toEqual({
      image: '/data/upload/1/a.jpg',
      source: 'cam',
      id: 7,
      label: [
        {
          x: 1,
          y: 2,
          width: 3,
          height: 4,
          rectanglelabels: ['Car'],
          original_width: 640,
          original_height: 480,
        },
      ],
      image_ok: 'yes',
      annotator: 12,
      annotation_id: 3,
      created_at: 'c',
      updated_at: 'u',
      lead_time: 4.25,
      agreement: 80,
    });
    expect(Object.keys(r ?? {})).toEqual([
      'image',
      'source',
      'id',
      'label',
      'image_ok',
      'annotator',
      'annotation_id',
      'created_at',
      'updated_at',
      'lead_time',
      'agreement',
    ]);
  });

  it('names the annotator by email when the user is expanded, None as a string when null', () => {
    expect(
      record({ id: 1, data: {}, annotations: [{ completed_by: { id: 2, email: 'x@y.z' } }] })[0]?.annotator,
    ).toBe('x@y.z');
    expect(record({ id: 1, data: {}, annotations: [{ completed_by: null }] })[0]?.annotator).toBe('None');
  });

  it('gives one record with empty annotation fields for a task without annotations, and no agreement', () => {
    expect({ ...record({ id: 5, data: { image: 'x' }, agreement: 100, annotations: [] })[0] }).toEqual({
      image: 'x',
      id: 5,
      annotator: null,
      annotation_id: null,
      created_at: null,
      updated_at: null,
      lead_time: null,
    });
  });

  it('lets a control name override a data key of the same name, and keeps __proto__ as a plain key', () => {
    const data = JSON.parse('{"image_ok": "data value", "__proto__": {"polluted": true}}') as Record<
      string,
      unknown
    >;
    const [r] = record({ id: 1, data, annotations: [{ result: [ok] }] });
    expect(r?.image_ok).toBe('yes');
    expect(Object.getOwnPropertyDescriptor(JSON.parse(jsonMinText(r ?? {})), '__proto__')?.value).toEqual({
      polluted: true,
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('leaves the id out for a task without one', () => {
    expect(record({ data: { image: 'x' }, annotations: [] } as Task)[0]).not.toHaveProperty('id');
  });

  it('one record per annotation, newest first, cancelled ones dropped', () => {
    const records = record({
      id: 1,
      data: {},
      annotations: [
        { id: 1, created_at: '2024-01-01', result: [] },
        { id: 2, created_at: '2024-03-01', result: [] },
        { id: 3, created_at: '2024-05-01', was_cancelled: true, result: [] },
      ],
    });
    expect(records.map((r) => r.annotation_id)).toEqual([2, 1]);
  });
});

describe('JSON_MIN record forms', () => {
  it('writes a record the same whether the data holds a "__proto__" key or not', () => {
    // Data without such a key takes an ordinary object, data with one a prototype-less
    // object: both must give the same text, but for the "__proto__" entry itself.
    const data =
      '"b": 1, "10": "ten", "2": [1.5, {"x": "ü"}], "constructor": "c", "toString": "t", "id": "data id", "image_ok": "data value"';
    const text = (json: string) => {
      const task = {
        id: 4,
        data: JSON.parse(json),
        agreement: 50,
        annotations: [{ id: 2, result: [rect, ok] }],
      };
      return record(task as Task).map((r) => jsonMinText(r));
    };
    const plain = text(`{${data}}`);
    const withProto = text(`{${data}, "__proto__": {"p": 1}}`);
    expect(withProto[0]).toContain('"__proto__"');
    expect(withProto.map((t) => t.replace('  "__proto__": {\n    "p": 1\n  },\n', ''))).toEqual(plain);
    // Integer-like keys first, as an object orders them; `id` and `image_ok` keep the data's place.
    const keys = (plain[0] ?? '').match(/^ {2}"[^"]+"/gm)?.map((k) => k.trim());
    expect(keys?.slice(0, 8).join(' ')).toBe('"2" "10" "b" "constructor" "toString" "id" "image_ok" "label"');
  });
});

describe('JSON_MIN record forms with kept number spellings', () => {
  it('print big integers, 80.0 and 1e-05 the same in both forms, unicode and nested values too', () => {
    const data =
      '"big": 12345678901234567890, "f": 80.0, "e": 1e-05, "u": "ü😀/\\u2028", "n": {"deep": [1.0, 9007199254740993]}';
    const text = (json: string, python: boolean) => {
      const raw = `{"id": 98765432109876543210, "data": ${json}, "annotations": [{"id": 2, "lead_time": 3.0, "result": [${JSON.stringify(rect)}]}]}`;
      const task = parseTaskJson(raw, python ? 'python' : 'exact') as Task;
      return record(task).map((r) => jsonMinText(r, python, true));
    };
    for (const python of [false, true]) {
      const plain = text(`{${data}}`, python);
      const withProto = text(`{${data}, "__proto__": {"p": 1.0}}`, python);
      expect(plain[0]).toContain('"big": 12345678901234567890');
      expect(plain[0]).toContain('"id": 98765432109876543210');
      expect(plain[0]).toContain(python ? '"f": 80.0' : '"f": 80');
      const proto = python
        ? '  "__proto__": {\n    "p": 1.0\n  },\n'
        : '  "__proto__": {\n    "p": 1\n  },\n';
      expect(withProto[0]).toContain(proto);
      expect(withProto.map((t) => t.replace(proto, ''))).toEqual(plain);
    }
  });
});

describe('JSON_MIN export', () => {
  const tasks: Task[] = [
    {
      id: 1,
      data: { image: 'http://example.com/a.jpg' },
      annotations: [{ id: 9, completed_by: 1, result: [rect] }],
    },
    { id: 2, data: { image: 'b.jpg' }, annotations: [] },
  ];

  it('writes result.json as an array of two-space indented records', async () => {
    const { sink, report, text } = await run(tasks);
    expect([...sink.files.keys()]).toEqual(['result.json']);
    expect(text.startsWith('[\n{\n  "image": "http://example.com/a.jpg",\n  "id": 1,')).toBe(true);
    expect(text.endsWith('\n}\n]')).toBe(true);
    expect(JSON.parse(text)).toHaveLength(2);
    expect(report.itemsWritten).toBe(2);
    expect(report.regionsWritten).toBe(1);
  });

  it('escapes slashes like ujson only in python compat mode, with the same content', async () => {
    const plain = await run(tasks);
    const python = await run(tasks, 'python');
    expect(plain.text).not.toContain('\\/');
    expect(python.text).toContain('http:\\/\\/example.com\\/a.jpg');
    expect(JSON.parse(python.text)).toEqual(JSON.parse(plain.text));
  });

  it('writes "[\\n\\n]" for an empty export, as the reference', async () => {
    expect((await run([])).text).toBe('[\n\n]');
  });

  it('does not modify the tasks', async () => {
    const before = structuredClone(tasks);
    await run(tasks);
    expect(tasks).toEqual(before);
  });
});

describe('JSON_MIN writes', () => {
  it('go out in pieces of about 32 KB, never one string of many tasks', async () => {
    const sink = memorySink();
    const { sink: watched, sizes } = writeSizes(sink);
    const tasks = Array.from({ length: 2000 }, (_, i) => ({
      id: i + 1,
      data: { image: `/data/upload/1/image-${i}.jpg` },
      annotations: [{ id: i + 1, result: [rect, ok] }],
    })) as Task[];
    await runExport({ format: jsonMin, tasks: arrayTaskSource(tasks), config, sink: watched });
    expect(sink.text('result.json').length).toBeGreaterThan(300_000);
    expect(Math.max(...sizes)).toBeLessThan(40_000);
  });
});
