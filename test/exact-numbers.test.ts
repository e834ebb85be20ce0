// Integers beyond 2^53 (a task id, an annotation id, a user id, task data) pass through the
// JSON, JSON_MIN, CSV and TSV exports exactly, in both compat modes, through the command
// line with one thread and with the worker pool; `--compat python` also keeps Python's
// float spelling (`80.0`). The pooled runs need the built CLI and worker (`pnpm build`).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  loadRegistry,
  MIN_PARALLEL_BYTES,
  memorySink,
  openTaskSource,
  parseLabelConfig,
  runExport,
} from '@lsconv/core';
import { JsonNumber, type JsonTree, parseCsv, parseJsonTree } from '@lsconv/testkit';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const CLI = join(root, 'apps/cli/dist/bin.js');

/** Runs the built command line. */
function runCli(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], (error, _stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
    );
  });
}

const TASK_ID = '9007199254740993';
const ANNOTATION_ID = '9007199254740995';
const USER_ID = '9007199254740997';
const DATA_VALUE = '12345678901234567890123';
const NESTED = '9007199254740999';

const CONFIG =
  '<View><Text name="text" value="$text"/><Choices name="label" toName="text"><Choice value="yes"/></Choices></View>';

const BIG_TASK = `{"id":${TASK_ID},"data":{"text":"big ids","ref":${DATA_VALUE},"meta":{"ids":[${NESTED},1]},"score":80.0},"annotations":[{"id":${ANNOTATION_ID},"completed_by":${USER_ID},"result":[{"id":"r1","from_name":"label","to_name":"text","type":"choices","value":{"choices":["yes"]}}],"was_cancelled":false,"created_at":"2024-01-01T00:00:00Z","updated_at":"2024-01-01T00:00:00Z","lead_time":1.0}],"agreement":100.0}`;

const dir = mkdtempSync(join(tmpdir(), 'lsconv-exact-numbers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const configFile = join(dir, 'config.xml');
writeFileSync(configFile, CONFIG);
// Large enough for the command line to start its worker pool (MIN_PARALLEL_BYTES).
const tasksFile = join(dir, 'tasks.json');
let taskCount = 0;
{
  const filler: string[] = [];
  const text = 'x'.repeat(1000);
  let bytes = BIG_TASK.length;
  for (let id = 1; bytes <= MIN_PARALLEL_BYTES + 100_000; id++) {
    const task = `{"id":${id},"data":{"text":"${text}","ref":${id}},"annotations":[]}`;
    filler.push(task);
    bytes += task.length + 2;
  }
  writeFileSync(tasksFile, `[\n${[BIG_TASK, ...filler].join(',\n')}\n]`);
  taskCount = filler.length + 1;
}

type Compat = 'default' | 'python';

/** The number literals of the big task's record, by field. */
function checkRecord(record: JsonTree, compat: Compat): void {
  const raw = (value: JsonTree | undefined) => (value instanceof JsonNumber ? value.raw : value);
  const r = record as Map<string, JsonTree>;
  expect(raw(r.get('id'))).toBe(TASK_ID);
  expect(raw(r.get('annotation_id'))).toBe(ANNOTATION_ID);
  expect(raw(r.get('annotator'))).toBe(USER_ID);
  expect(raw(r.get('ref'))).toBe(DATA_VALUE);
  expect(raw(((r.get('meta') as Map<string, JsonTree>).get('ids') as JsonTree[])[0])).toBe(NESTED);
  expect(raw(r.get('score'))).toBe(compat === 'python' ? '80.0' : '80');
  expect(raw(r.get('lead_time'))).toBe(compat === 'python' ? '1.0' : '1');
  expect(raw(r.get('agreement'))).toBe(compat === 'python' ? '100.0' : '100');
}

function checkCsv(text: string, separator: string, compat: Compat): void {
  const [header, row] = parseCsv(text, separator);
  const cell = (name: string) => {
    const at = header!.cells.findIndex((c) => c.value === name);
    expect(at).toBeGreaterThanOrEqual(0);
    return row!.cells[at]!;
  };
  expect(cell('id')).toEqual({ value: TASK_ID, quoted: false });
  expect(cell('annotation_id')).toEqual({ value: ANNOTATION_ID, quoted: false });
  expect(cell('annotator')).toEqual({ value: USER_ID, quoted: true });
  expect(cell('ref')).toEqual({ value: DATA_VALUE, quoted: false });
  expect(cell('meta')).toEqual({ value: `{"ids":[${NESTED},1]}`, quoted: true });
  expect(cell('score')).toEqual({ value: compat === 'python' ? '80.0' : '80', quoted: false });
  expect(cell('lead_time')).toEqual({ value: compat === 'python' ? '1.0' : '1', quoted: false });
  expect(cell('agreement')).toEqual({ value: compat === 'python' ? '100.0' : '100', quoted: false });
}

function checkOutput(format: string, files: (name: string) => string, compat: Compat, tasks: number): void {
  if (format === 'JSON') {
    // Written back byte for byte.
    expect(files('result.json')).toContain(BIG_TASK);
  } else if (format === 'JSON_MIN') {
    const records = parseJsonTree(files('result.json')) as JsonTree[];
    checkRecord(records[0]!, compat);
    expect(records.length).toBe(tasks);
  } else {
    checkCsv(files('result.csv'), format === 'TSV' ? '\t' : ',', compat);
  }
}

const FORMATS = ['JSON', 'JSON_MIN', 'CSV', 'TSV'] as const;

describe('integers beyond 2^53 through the command line', () => {
  for (const format of FORMATS) {
    for (const compat of ['default', 'python'] as const) {
      // JSON has no per-task step: it never starts the pool.
      for (const threads of format === 'JSON' ? [1] : [1, 2]) {
        it(`${format}, compat ${compat}, ${threads} thread${threads > 1 ? 's' : ''}`, async () => {
          const out = join(dir, `${format}-${compat}-${threads}`);
          const run = await runCli([
            'export',
            ...['-i', tasksFile, '-c', configFile, '-o', out, '-f', format],
            ...['--compat', compat, '--threads', String(threads), '-q'],
          ]);
          expect(run.stderr).toBe('');
          expect(run.code).toBe(0);
          checkOutput(format, (name) => readFileSync(join(out, name), 'utf8'), compat, taskCount);
        });
      }
    }
  }
});

describe('integers beyond 2^53 on the worker pool, small input', () => {
  const small = join(dir, 'small.json');
  writeFileSync(small, `[${BIG_TASK},${BIG_TASK.replace(`"id":${TASK_ID}`, '"id":2')}]`);
  for (const format of ['JSON_MIN', 'CSV', 'TSV'] as const) {
    for (const compat of ['default', 'python'] as const) {
      it(`${format}, compat ${compat}: every task through a worker`, async () => {
        const registry = await loadRegistry({ cwd: root });
        const found = registry.formats.get(format)!;
        const sink = memorySink();
        await runExport({
          format: found.format,
          tasks: openTaskSource(small),
          config: parseLabelConfig(CONFIG),
          sink,
          compat,
          threads: 2,
          formatModule: found.origin.entry,
          minParallelBytes: 0,
          parallelBatchBytes: 1,
        });
        checkOutput(format, (name) => sink.text(name), compat, 2);
      });
    }
  }
});
