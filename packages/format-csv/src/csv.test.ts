import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  arrayTaskSource,
  isLsconvError,
  memorySink,
  parseLabelConfig,
  runExport,
  type Task,
} from '@lsconv/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { csv, parseSeparator, tsv } from './csv.js';

const config = parseLabelConfig(`<View>
  <Text name="doc" value="$text"/>
  <Choices name="sentiment" toName="doc"><Choice value="pos"/><Choice value="neg"/></Choices>
</View>`);

const tasks: Task[] = [
  {
    id: 1,
    data: { text: 'Hello, "world"' },
    annotations: [
      {
        id: 11,
        completed_by: { id: 1, email: 'ann@example.com' },
        result: [{ from_name: 'sentiment', to_name: 'doc', type: 'choices', value: { choices: ['pos'] } }],
        created_at: '2024-01-01T00:00:00Z',
        updated_at: '2024-01-01T00:00:00Z',
        lead_time: 1.5,
      },
    ],
  },
  { id: 2, data: { text: 'line\nbreak\ttab' }, annotations: [] },
];

async function run(
  format: typeof csv | typeof tsv,
  options: Record<string, unknown> = {},
  input: Task[] = tasks,
) {
  const sink = memorySink();
  const report = await runExport({
    format,
    tasks: arrayTaskSource(input),
    config,
    sink,
    options,
    compat: 'python',
  });
  return { sink, report, text: sink.text('result.csv') };
}

let tempRoot = '';
let savedTmp: string | undefined;
beforeEach(() => {
  // The spill goes to os.tmpdir(): point it at an empty folder to see what is left behind.
  savedTmp = process.env.TMPDIR;
  tempRoot = mkdtempSync(join(tmpdir(), 'lsconv-csv-test-'));
  process.env.TMPDIR = tempRoot;
});
afterEach(() => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
  rmSync(tempRoot, { recursive: true, force: true });
});

describe('CSV', () => {
  it('writes result.csv with a sorted, quoted header, one row per item and \\r\\n line ends', async () => {
    const { sink, report, text } = await run(csv);
    expect([...sink.files.keys()]).toEqual(['result.csv']);
    expect(text).toBe(
      '"annotation_id","annotator","created_at","id","lead_time","sentiment","text","updated_at"\r\n' +
        '11,"ann@example.com","2024-01-01T00:00:00Z",1,1.5,"pos","Hello, ""world""","2024-01-01T00:00:00Z"\r\n' +
        '"","","",2,"","","line\nbreak\ttab",""\r\n',
    );
    expect(report.itemsWritten).toBe(2);
    expect(report.regionsWritten).toBe(1);
  });

  it('takes another separator and can leave the header out', async () => {
    const { text } = await run(csv, { separator: ';', noHeader: true });
    expect(text).toBe(
      '11;"ann@example.com";"2024-01-01T00:00:00Z";1;1.5;"pos";"Hello, ""world""";"2024-01-01T00:00:00Z"\r\n' +
        '"";"";"";2;"";"";"line\nbreak\ttab";""\r\n',
    );
  });

  it('writes the header alone for an export without items', async () => {
    const { text } = await run(csv, {}, []);
    expect(text).toBe('"annotation_id","annotator","created_at","lead_time","updated_at"\r\n');
  });

  it('refuses a separator that is not one usable character', async () => {
    for (const separator of ['', ';;', '"', '\n']) {
      await expect(run(csv, { separator })).rejects.toSatisfy(
        (e: unknown) => isLsconvError(e) && e.code === 'INVALID_OPTION',
      );
    }
  });

  it('removes its temporary spill after success, and spills while reading', async () => {
    const seen: string[][] = [];
    async function* watched() {
      for (const task of tasks) {
        seen.push(readdirSync(tempRoot));
        yield task;
      }
    }
    const sink = memorySink();
    await runExport({ format: csv, tasks: watched(), config, sink });
    expect(seen[0]?.some((name) => name.startsWith('lsconv-csv-'))).toBe(true);
    expect(readdirSync(tempRoot)).toEqual([]);
  });

  it('removes its temporary spill and writes nothing when the input fails half-way', async () => {
    async function* broken() {
      yield tasks[0] as Task;
      throw new Error('disk gone');
    }
    const sink = memorySink();
    await expect(runExport({ format: csv, tasks: broken(), config, sink })).rejects.toThrow(/disk gone/);
    expect(readdirSync(tempRoot)).toEqual([]);
    expect(sink.files.size).toBe(0);
  });

  it('stops when the export is cancelled and cleans up', async () => {
    const controller = new AbortController();
    async function* slow() {
      yield tasks[0] as Task;
      controller.abort();
      yield tasks[1] as Task;
    }
    const sink = memorySink();
    await expect(
      runExport({ format: csv, tasks: slow(), config, sink, signal: controller.signal }),
    ).rejects.toSatisfy((e: unknown) => isLsconvError(e) && e.code === 'ABORTED');
    expect(readdirSync(tempRoot)).toEqual([]);
  });
});

describe('TSV', () => {
  it('separates with tabs by default and still writes result.csv', async () => {
    const { sink, text } = await run(tsv);
    expect([...sink.files.keys()]).toEqual(['result.csv']);
    expect(text.split('\r\n')[0]).toBe(
      '"annotation_id"\t"annotator"\t"created_at"\t"id"\t"lead_time"\t"sentiment"\t"text"\t"updated_at"',
    );
    expect(text.split('\r\n')[1]).toBe(
      '11\t"ann@example.com"\t"2024-01-01T00:00:00Z"\t1\t1.5\t"pos"\t"Hello, ""world"""\t"2024-01-01T00:00:00Z"',
    );
  });
});

describe('parseSeparator', () => {
  it('accepts one character, reads \\t as a tab', () => {
    expect(parseSeparator(',')).toBe(',');
    expect(parseSeparator('\\t')).toBe('\t');
    expect(parseSeparator('\t')).toBe('\t');
    expect(parseSeparator('😀')).toBe('😀');
    expect(() => parseSeparator('ab')).toThrow(/one character/);
  });
});
