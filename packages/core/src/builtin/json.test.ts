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
