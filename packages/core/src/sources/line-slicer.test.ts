import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type FileSlice, openTaskSource } from './index.js';
import { type JsonSlice, JsonSlicer } from './json-slicer.js';
import { LineSlicer, learnLinePattern } from './line-slicer.js';

const dir = mkdtempSync(join(tmpdir(), 'lsconv-line-slicer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tasks = [
  { id: 1, data: { text: 'a "quoted" ] } , [ { string\n  {"id": 9}' }, annotations: [] },
  { id: 2, data: { text: 'back\\slash\\', more: '\\"', nested: [[[{}]], []] } },
  { id: 3, data: { text: 'unicode ✓ 日本語 \u0000 \n\t},\n  {' } },
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
  { id: 5, data: { list: [{ a: 1 }, { b: [] }] } },
];

/** The layouts exports come in where every task starts a line. */
const layouts: Record<string, string> = {
  indent2: JSON.stringify(tasks, null, 2),
  indent4: `${JSON.stringify(tasks, null, 4)}\n`,
  tabs: JSON.stringify(tasks, null, '\t'),
  lines: `[\n${tasks.map((t) => JSON.stringify(t)).join(',\n')}\n]\n`,
  crlf: `[\r\n${tasks.map((t) => JSON.stringify(t)).join(',\r\n')}\r\n]\r\n`,
  jsonl: `${tasks.map((t) => JSON.stringify(t)).join('\n')}\n`,
  jsonlNoFinalNewline: tasks.map((t) => JSON.stringify(t)).join('\n'),
  bom: `\ufeff${JSON.stringify(tasks, null, 1)}`,
};

function exact(bytes: Buffer): JsonSlice[] {
  const slicer = new JsonSlicer('in.json');
  return [...slicer.push(bytes), ...slicer.end()];
}

/** Guessed slices of `bytes`, learnt from the whole input, pushed `chunk` bytes at a time. */
function guessed(bytes: Buffer, chunk: number, learnFrom = bytes.length): JsonSlice[] {
  const learnt = learnLinePattern(bytes.subarray(0, learnFrom), 'in.json');
  if (!learnt) throw new Error('no line pattern');
  const slicer = new LineSlicer('in.json', learnt.pattern, learnt.first);
  const out: JsonSlice[] = [];
  for (let at = 0; at < bytes.length; at += chunk)
    out.push(...slicer.push(bytes.subarray(at, at + chunk), at));
  out.push(...slicer.end());
  return out;
}

const plain = (slices: JsonSlice[]) =>
  slices.map((s) => ({
    text: s.bytes.toString(),
    index: s.index,
    offset: s.offset,
    guessed: 'guessed' in s,
  }));

describe('LineSlicer', () => {
  for (const [name, text] of Object.entries(layouts)) {
    it(`cuts ${name} where the exact scan does, at every chunk size`, () => {
      const bytes = Buffer.from(text);
      const want = plain(exact(bytes)).map((s) => ({ ...s, guessed: true }));
      expect(want).toHaveLength(tasks.length);
      for (const chunk of [1, 2, 3, 5, 8, 13, 64, 1000, bytes.length]) {
        expect(plain(guessed(bytes, chunk)), `chunk ${chunk}`).toEqual(want);
      }
    });
  }

  it('learns nothing from compact JSON or a first chunk holding fewer than two tasks', () => {
    expect(learnLinePattern(Buffer.from(JSON.stringify(tasks)), 'in.json')).toBeUndefined();
    expect(
      learnLinePattern(Buffer.from(JSON.stringify(tasks, null, 2).slice(0, 40)), 'in.json'),
    ).toBeUndefined();
    expect(learnLinePattern(Buffer.from('not json at all\n{'), 'in.json')).toBeUndefined();
  });

  it('skips a line start that does not follow the end of a task', () => {
    // Task 3 holds an object on a line indented like the tasks, after a "[", not after "},".
    const text = `[\n  {"id": 1},\n  {"id": 2},\n  {"id": 3, "a": [\n  {"x": 1}\n  ]},\n  {"id": 4}\n]`;
    const slices = plain(guessed(Buffer.from(text), 7));
    expect(slices.map((s) => JSON.parse(s.text).id)).toEqual([1, 2, 3, 4]);
  });

  it('cuts a wrong guess when the indentation misleads it (the parse then fails)', () => {
    const text = `[\n  {"id": 1},\n  {"id": 2},\n  {"id": 3, "a": [{"y": 0},\n  {"x": 1}]},\n  {"id": 4}\n]`;
    const slices = plain(guessed(Buffer.from(text), 5));
    expect(slices[2]!.text).toBe('{"id": 3, "a": [{"y": 0}');
    expect(() => JSON.parse(slices[2]!.text)).toThrow();
  });

  it('hands the end over to the exact scan when the input does not end as a list does', () => {
    const bytes = Buffer.from(`${JSON.stringify(tasks, null, 2)}\n{"extra": 1}`);
    expect(() => exact(bytes)).toThrow(/after the end of the task list/);
    expect(() => guessed(bytes, 16, 700)).toThrow(/after the end of the task list/);
    const truncated = Buffer.from(JSON.stringify(tasks, null, 2).slice(0, -1));
    expect(() => guessed(truncated, 16, 700)).toThrow(/before the task list is closed/);
  });
});

describe('openTaskSource with guessFrom', () => {
  async function collect(iterable: AsyncIterable<FileSlice>) {
    const out: FileSlice[] = [];
    for await (const slice of iterable) out.push(slice);
    return out;
  }

  it('guesses for a large enough file laid out by lines, and reads exactly from any task on', async () => {
    const many = Array.from({ length: 400 }, (_, n) => ({ id: n, data: { text: `task ${n} },\n {` } }));
    const file = join(dir, 'many.json');
    writeFileSync(file, JSON.stringify(many, null, 2));
    const source = openTaskSource(file, { chunkSize: 4096 });
    const exactSlices = await collect(source.slices());
    const guessedSlices = await collect(source.slices({ guessFrom: 0 }));
    expect(guessedSlices.every((s) => s.guessed)).toBe(true);
    expect(guessedSlices.map(({ guessed: _, ...s }) => s)).toEqual(exactSlices);
    // Too small for guessing: exact.
    expect((await collect(source.slices({ guessFrom: 10 ** 9 }))).some((s) => s.guessed)).toBe(false);
    const from = exactSlices[123]!;
    const rest = await collect(source.slicesFrom!({ offset: from.offset, index: 123, file, mode: 'array' }));
    expect(rest).toEqual(exactSlices.slice(123));
  });

  it('does not guess for compact JSON', async () => {
    const file = join(dir, 'compact.json');
    writeFileSync(file, JSON.stringify(tasks));
    expect((await collect(openTaskSource(file).slices({ guessFrom: 0 }))).some((s) => s.guessed)).toBe(false);
  });
});
