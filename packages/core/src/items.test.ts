import { describe, expect, it } from 'vitest';
import { taskItems } from './items.js';
import { parseLabelConfig } from './label-config.js';
import { ConversionReport } from './report.js';
import type { Task } from './task.js';

const config = parseLabelConfig(
  '<View><Text name="text" value="$text"/><Choices name="sentiment" toName="text"><Choice value="Positive"/></Choices></View>',
);

describe('taskItems', () => {
  it('gives one item per kept annotation, newest first, and reports what it drops', () => {
    const report = new ConversionReport('TEST');
    const task: Task = {
      id: 5,
      data: { text: 'hi' },
      annotations: [
        {
          id: 1,
          created_at: '2024-01-01T00:00:00Z',
          result: [
            { from_name: 'sentiment', to_name: 'text', type: 'choices', value: { choices: ['Positive'] } },
          ],
        },
        { id: 2, created_at: '2024-02-01T00:00:00Z', was_cancelled: true, result: [] },
        {
          id: 3,
          created_at: '2024-03-01T00:00:00Z',
          completed_by: { id: 9, email: 'a@b.c' },
          result: [
            { from_name: 'ghost', to_name: 'text', type: 'choices', value: { choices: ['x'] } },
            {
              from_name: 'sentiment',
              to_name: 'text',
              type: 'choices',
              original_width: 10,
              value: { choices: ['Positive'] },
            },
          ],
        },
      ],
    };
    const items = taskItems(task, { config, report, taskIndex: 0 });
    expect(items.map((i) => i.annotation_id)).toEqual([3, 1]);
    expect(items[0]!.output).toEqual({
      sentiment: [{ choices: ['Positive'], type: 'Choices', original_width: 10 }],
    });
    expect(items[0]!.completed_by).toMatchObject({ email: 'a@b.c' });
    expect(report.countsByCode()).toEqual({ 'cancelled-annotation': 1, 'unknown-control': 1 });
    expect(report.entries().find((e) => e.code === 'unknown-control')).toMatchObject({
      taskId: 5,
      field: 'annotations[2].result[0].from_name',
    });
  });

  it('copies a value with its key order, overriding its own "type", and keeps a "__proto__" key as data', () => {
    const value = JSON.parse('{"type":"old","choices":["Positive"],"__proto__":{"polluted":true},"z":1}');
    const task: Task = {
      id: 1,
      data: {},
      annotations: [{ id: 1, result: [{ from_name: 'sentiment', to_name: 'text', type: 'choices', value }] }],
    };
    const v = taskItems(task, { config, taskIndex: 0 })[0]!.output.sentiment![0]! as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(['type', 'choices', '__proto__', 'z']);
    expect(v.type).toBe('Choices');
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(v, '__proto__')?.value).toEqual({ polluted: true });
    expect((v as { polluted?: unknown }).polluted).toBeUndefined();
    // The task's own value is not touched.
    expect(value.type).toBe('old');
  });

  it('gives one empty item for an empty list and nothing without the key', () => {
    expect(taskItems({ id: 1, data: {}, annotations: [] }, { config, taskIndex: 0 })).toHaveLength(1);
    expect(taskItems({ id: 1, data: {} }, { config, taskIndex: 0 })).toHaveLength(0);
    expect(
      taskItems({ id: 1, data: {}, annotations: [{ was_cancelled: true }] }, { config, taskIndex: 0 }),
    ).toHaveLength(0);
  });

  it('keeps the input order of annotations created at the same time', () => {
    const same = '2024-01-01T00:00:00Z';
    const items = taskItems(
      {
        id: 1,
        data: {},
        annotations: [
          { id: 'a', created_at: same },
          { id: 'b', created_at: same },
        ],
      },
      { config, taskIndex: 0 },
    );
    expect(items.map((i) => i.annotation_id)).toEqual(['a', 'b']);
  });

  it('with typesAside, leaves the type out of the values and gives it per from_name, keys in the same order', () => {
    const image = parseLabelConfig(
      '<View><Image name="image" value="$image"/><RectangleLabels name="box" toName="image"><Label value="Car"/></RectangleLabels><Choices name="q" toName="image"><Choice value="Good"/></Choices></View>',
    );
    const task: Task = {
      id: 1,
      data: { image: 'a.jpg' },
      annotations: [
        {
          id: 1,
          result: [
            {
              from_name: 'box',
              to_name: 'image',
              type: 'rectanglelabels',
              original_width: 640,
              original_height: 480,
              // A value holding a type of its own: the control's type replaces it in the
              // default path, so with typesAside the value has none either.
              value: { x: 1, type: 'mine', y: 2, width: 3, height: 4, rectanglelabels: ['Car'] },
            },
            { from_name: 'q', to_name: 'image', type: 'choices', value: { choices: ['Good'] } },
          ],
        },
      ],
    };
    const [typed] = taskItems(task, { config: image, taskIndex: 0 });
    const [aside] = taskItems(task, { config: image, taskIndex: 0, typesAside: true });
    expect(aside!.outputTypes).toEqual({ box: 'RectangleLabels', q: 'Choices' });
    expect(typed!.outputTypes).toBeUndefined();
    for (const name of ['box', 'q']) {
      const withoutType = typed!.output[name]!.map(({ type: _type, ...rest }) => rest);
      expect(aside!.output[name]).toEqual(withoutType);
      expect(aside!.output[name]!.map((value) => Object.keys(value))).toEqual(
        withoutType.map((value) => Object.keys(value)),
      );
    }
    expect(Object.keys(aside!.output.box![0]!)).toEqual([
      'x',
      'y',
      'width',
      'height',
      'rectanglelabels',
      'original_width',
      'original_height',
    ]);
  });
});
