import { describe, expect, it } from 'vitest';
import { runExport } from '../run.js';
import { memorySink } from '../sinks/memory.js';
import { arrayTaskSource } from '../sources/index.js';
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
