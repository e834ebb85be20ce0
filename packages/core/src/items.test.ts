import { describe, expect, it } from 'vitest';
import { annotatorOf, taskItems } from './items.js';
import { parseLabelConfig } from './label-config.js';
import { pyRepr, pyReprJoin } from './numbers.js';
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
    expect(annotatorOf(items[0]!)).toBe('a@b.c');
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
});

describe('pyRepr', () => {
  it('prints floats as Python does', () => {
    expect([1, 0.5, 1e-5, 1e16, 123456789.5, -0, 1.5e300, 0.0001].map(pyRepr)).toEqual([
      '1.0',
      '0.5',
      '1e-05',
      '1e+16',
      '123456789.5',
      '-0.0',
      '1.5e+300',
      '0.0001',
    ]);
  });
});

describe('pyReprJoin', () => {
  it('joins exactly what pyRepr gives, number by number, on every kind of number', () => {
    const edge = [
      0,
      -0,
      1,
      -1,
      2,
      0.1,
      1e-4,
      9.999e-5,
      1e-5,
      1e16,
      9.99e15,
      1e21,
      123456789.5,
      -0.00012,
      NaN,
      Infinity,
      -Infinity,
      0.30000000000000004,
      5e-324,
    ];
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const lists: number[][] = [[], edge, ...edge.map((n) => [0.5, n, 0.25])];
    for (let i = 0; i < 2000; i++) {
      const scale = 10 ** Math.floor(random() * 24 - 8);
      lists.push(Array.from({ length: 1 + Math.floor(random() * 30) }, () => (random() - 0.3) * scale));
    }
    for (const list of lists) {
      for (const separator of [' ', ',', ', '])
        expect(pyReprJoin(list, separator)).toBe(list.map(pyRepr).join(separator));
    }
  });
});
