import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runExport } from '../run.js';
import { memorySink } from '../sinks/memory.js';
import { arrayTaskSource, openTaskSource } from '../sources/index.js';
import { json } from './json.js';

describe('JSON', () => {
  it('counts every annotation result it writes as a region', async () => {
    const box = { from_name: 'label', to_name: 'image', type: 'rectanglelabels', value: {} };
    const tasks = [
      {
        data: {},
        annotations: [{ result: [box, box] }, { was_cancelled: true, result: [box] }, { result: null }],
      },
      { data: {}, completions: [{ result: [box] }], predictions: [{ result: [box] }] },
      { data: {} },
    ];
    const report = await runExport({ format: json, tasks: arrayTaskSource(tasks), sink: memorySink() });
    expect(report.itemsWritten).toBe(3);
    expect(report.regionsWritten).toBe(4);
  });
});

describe('JSON with invalid UTF-8 in the input', () => {
  it('writes valid UTF-8: invalid bytes become U+FFFD, the rest of the task as it was', async () => {
    const { Readable } = await import('node:stream');
    const { isUtf8 } = await import('node:buffer');
    const { openTaskSource } = await import('../sources/index.js');
    const bytes = Buffer.concat([
      Buffer.from('[{"id": 1, "data": {"text": "caf'),
      Buffer.from([0xc3, 0x28, 0xff]), // a broken two-byte sequence and a byte that is never UTF-8
      Buffer.from('"},  "annotations": []},\n{"id": 2, "data": {"text": "ok é"}}]'),
    ]);
    const sink = memorySink();
    await runExport({
      format: json,
      tasks: openTaskSource(Readable.from([bytes]), { keepRaw: true }),
      sink,
    });
    const out = Buffer.from(sink.text('result.json'), 'utf8');
    const written = sink.files.get('result.json')!;
    expect(isUtf8(written)).toBe(true);
    const tasks = JSON.parse(out.toString('utf8')) as { data: { text: string } }[];
    expect(tasks.map((t) => t.data.text)).toEqual(['caf\ufffd(\ufffd', 'ok é']);
    // The task's own formatting (two spaces after the comma) is kept.
    expect(out.toString('utf8')).toContain('"},  "annotations"');
  });
});

describe('JSON of an input holding one task object', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lsconv-json-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = async (text: string, compat: 'default' | 'python') => {
    const file = join(dir, `in-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, text);
    const sink = memorySink();
    await runExport({ format: json, tasks: openTaskSource(file, { keepRaw: true }), sink, compat });
    return sink.text('result.json');
  };
  const task = '{"id": 1, "data": {"text": "hi"}, "annotations": [{"id": 1, "result": []}]}';

  it('gives the object back under --compat python, as the Python converter does', async () => {
    expect(JSON.parse(await run(`${task}\n`, 'python'))).toEqual(JSON.parse(task));
  });

  it('gives a list by default, and a list for a list or JSON Lines in both modes', async () => {
    expect(JSON.parse(await run(task, 'default'))).toEqual([JSON.parse(task)]);
    expect(JSON.parse(await run(`[${task}]`, 'python'))).toEqual([JSON.parse(task)]);
    expect(JSON.parse(await run(`${task}\n${task}\n`, 'python'))).toEqual([
      JSON.parse(task),
      JSON.parse(task),
    ]);
    expect(JSON.parse(await run('[]', 'python'))).toEqual([]);
  });
});

describe('a task too large to hold', () => {
  it('is skipped and reported without being held in memory; the other tasks are converted', async () => {
    const { Readable } = await import('node:stream');
    const { openTaskSource } = await import('../sources/index.js');
    const { MAX_TASK_BYTES } = await import('../sources/json-slicer.js');
    const piece = Buffer.alloc(1024 * 1024, 0x61);
    async function* input() {
      yield Buffer.from('[{"id": 1, "data": {"image": "https://e.org/');
      // 80 MiB of URL, sent in 1 MiB chunks.
      for (let i = 0; i < 80; i++) yield piece;
      yield Buffer.from('.jpg"}},\n{"id": 2, "data": {"image": "b.jpg"}}]');
    }
    const sink = memorySink();
    const before = process.memoryUsage().arrayBuffers;
    let peak = 0;
    const report = await runExport({
      format: json,
      tasks: openTaskSource(Readable.from(input()), { keepRaw: true }),
      sink,
      onTask: () => {
        peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
      },
    });
    expect(MAX_TASK_BYTES).toBe(64 * 1024 * 1024);
    expect(report.tasksRead).toBe(1);
    expect(report.countsByCode()).toEqual({ 'task-too-large': 1 });
    expect(report.entries()[0]).toMatchObject({ kind: 'task', taskIndex: 0 });
    expect(report.entries()[0]!.reason).toMatch(/83,886,\d+ bytes, more than the 67,108,864/);
    expect((JSON.parse(sink.text('result.json')) as { id: number }[]).map((t) => t.id)).toEqual([2]);
    // Chunks come and go; the 80 MiB task was never gathered in one buffer.
    expect(peak).toBeLessThan(MAX_TASK_BYTES);
  });
});
