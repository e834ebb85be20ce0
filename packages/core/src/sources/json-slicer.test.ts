import { describe, expect, it } from 'vitest';
import { isLsconvError } from '../errors.js';
import { JsonSlicer } from './json-slicer.js';

function sliceAll(text: string, chunkSize: number): string[] {
  const slicer = new JsonSlicer('input.json');
  const bytes = Buffer.from(text);
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) {
    for (const s of slicer.push(bytes.subarray(i, i + chunkSize))) out.push(s.bytes.toString());
  }
  for (const s of slicer.end()) out.push(s.bytes.toString());
  return out;
}

const tricky = [
  { id: 1, data: { text: 'a "quoted" ] } , [ { string' }, annotations: [] },
  { id: 2, data: { text: 'back\\slash\\', more: '\\"', nested: [[[{}]], []] } },
  { id: 3, data: { text: 'unicode ✓ 日本語 \u0000 \n\t' } },
  {
    id: 4,
    data: {},
    annotations: [
      {
        result: [
          {
            value: {
              points: [
                [1.5, 2e-7],
                [-3, 4],
              ],
            },
          },
        ],
      },
    ],
  },
];

describe('JsonSlicer', () => {
  const text = JSON.stringify(tricky, null, 2);
  for (const chunkSize of [1, 2, 3, 7, 64, 1 << 20]) {
    it(`cuts a task list into tasks with chunks of ${chunkSize} bytes`, () => {
      const slices = sliceAll(text, chunkSize);
      expect(slices.map((s) => JSON.parse(s))).toEqual(tricky);
    });
  }

  it('reads a lone task object and JSON Lines', () => {
    expect(sliceAll(JSON.stringify(tricky[0]), 5).map((s) => JSON.parse(s))).toEqual([tricky[0]]);
    const lines = tricky.map((t) => JSON.stringify(t)).join('\n');
    expect(sliceAll(lines, 3).map((s) => JSON.parse(s))).toEqual(tricky);
  });

  it('accepts an empty list and a byte order mark', () => {
    expect(sliceAll('  [ ]  ', 1)).toEqual([]);
    expect(sliceAll('\uFEFF[{"data":{}}]', 2)).toEqual(['{"data":{}}']);
  });

  it('reports offsets and indexes of the values', () => {
    const slicer = new JsonSlicer();
    const slices = slicer.push(Buffer.from('[{"a":1},\n {"b":2}]'));
    expect(slices.map((s) => [s.index, s.offset])).toEqual([
      [0, 1],
      [1, 11],
    ]);
  });

  const bad: [string, string, RegExp][] = [
    ['truncated list', '[{"data": {}}, {"data": {', /ends in the middle of task #1/],
    ['unclosed list', '[{"data": {}}', /before the task list is closed/],
    ['a number', '42', /found a number/],
    ['a string', '"tasks"', /found a string/],
    ['empty input', '   ', /empty/],
    ['garbage after the list', '[{"data":{}}] x', /after the end of the task list/],
    ['missing comma', '[{"data":{}} {"data":{}}]', /expected "," or "]"/],
  ];
  for (const [name, input, message] of bad) {
    it(`refuses ${name} with a clear error`, () => {
      let error: unknown;
      try {
        sliceAll(input, 4);
      } catch (e) {
        error = e;
      }
      expect(isLsconvError(error)).toBe(true);
      expect(String((error as Error).message)).toMatch(message);
      expect(String((error as Error).message)).toContain('input.json');
    });
  }

  it('refuses a nesting bomb before parsing it', () => {
    expect(() => sliceAll(`[${'['.repeat(100_000)}`, 1 << 16)).toThrow(/nesting deeper/);
  });
});
