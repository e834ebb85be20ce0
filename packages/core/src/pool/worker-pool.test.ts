// The pool runs the built worker (packages/core/dist/pool/prepare-worker.js): these
// tests need `pnpm build` first, like every test that starts worker threads.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { FormatDefinition } from '../format.js';
import { runExport } from '../run.js';
import { memorySink } from '../sinks/memory.js';
import { arrayTaskSource, openTaskSource } from '../sources/index.js';

const dir = mkdtempSync(join(tmpdir(), 'lsconv-pool-test-'));
const coreDist = pathToFileURL(join(import.meta.dirname, '../../dist/index.js')).href;
const moduleFile = join(dir, 'pool-format.mjs');
// A format whose prepare records a skip for some tasks and fails on others, so the
// test sees ordering, merged reports and errors crossing the thread boundary.
writeFileSync(
  moduleFile,
  `import { defineFormat } from ${JSON.stringify(coreDist)};
function prepare(task, pctx) {
  if (task.data.crash) throw new Error('crash in task ' + pctx.taskIndex);
  if (task.data.n % 7 === 0) pctx.report.skip({ kind: 'task', code: 'sevens', reason: 'multiple of seven', taskIndex: pctx.taskIndex });
  return pctx.taskIndex + ':' + task.data.n + ':' + pctx.options.suffix + '\\n';
}
export const poolFormat = defineFormat({
  id: 'POOL_TEST', title: 'Pool test', description: 'Writes one line per task.', output: 'file',
  options: { suffix: { type: 'string', description: 'Appended.', default: 'x' } },
  prepare,
  async export(lines, ctx) {
    const out = await ctx.sink.createFile('out.txt');
    let text = '';
    for await (const line of lines) { text += line; ctx.report.itemsWritten++; }
    await out.write(text);
    await out.close();
  },
});
`,
);
const { poolFormat } = (await import(pathToFileURL(moduleFile).href)) as {
  poolFormat: FormatDefinition<any>;
};

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeTasks(name: string, tasks: unknown[]): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(tasks));
  return file;
}

function writeText(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

async function run(file: string, threads: number, minParallelBytes = 0) {
  const sink = memorySink();
  try {
    const report = await runExport({
      format: poolFormat,
      tasks: openTaskSource(file),
      sink,
      options: { suffix: 'y' },
      threads,
      formatModule: moduleFile,
      minParallelBytes,
      parallelBatchBytes: 64,
    });
    return {
      text: sink.text('out.txt'),
      skips: report.countsByCode(),
      entries: report.entries(),
      items: report.itemsWritten,
      read: report.tasksRead,
    };
  } catch (error) {
    return { error: (error as Error).message, code: (error as { code?: string }).code };
  }
}

describe('worker pool', () => {
  it('writes the same output and report as one thread, in input order', async () => {
    const file = writeTasks(
      'many.json',
      Array.from({ length: 500 }, (_, n) => ({ data: { n } })),
    );
    const single = await run(file, 1);
    const pooled = await run(file, 2);
    expect(single).toMatchObject({ items: 500, read: 500, skips: { sevens: 72 } });
    expect((single as { text: string }).text.split('\n')[499]).toBe('499:499:y');
    expect(pooled).toEqual(single);
  });

  it('fails at the same task with the same message when a task is invalid', async () => {
    const tasks: unknown[] = Array.from({ length: 50 }, (_, n) => ({ data: { n } }));
    tasks[31] = { annotations: [] };
    const file = writeTasks('invalid.json', tasks);
    const single = await run(file, 1);
    expect(single).toHaveProperty('error');
    expect(await run(file, 3)).toEqual(single);
  });

  it('reports a crash in prepare the same way', async () => {
    const tasks: unknown[] = Array.from({ length: 50 }, (_, n) => ({ data: { n } }));
    tasks[20] = { data: { n: 20, crash: true } };
    const file = writeTasks('crash.json', tasks);
    const single = await run(file, 1);
    expect(single).toMatchObject({ code: 'INTERNAL', error: expect.stringContaining('crash in task 20') });
    expect(await run(file, 2)).toEqual(single);
  });

  describe('an input laid out by lines (cut at line starts, then proved by parsing)', () => {
    /**
     * An indented list of 80 tasks of 8 KB each (so that task 40 lies past the first read,
     * which is scanned exactly to learn the layout); `odd` is added to the data of task 40.
     */
    const indented = (name: string, odd: string) => {
      const pad = 'x'.repeat(8000);
      const parts = Array.from(
        { length: 80 },
        (_, n) => `  {"data": {"n": ${n}, "pad": "${pad}"${n === 40 ? odd : ''}}}`,
      );
      return writeText(name, `[\n${parts.join(',\n')}\n]\n`);
    };
    const guessedCount = async (file: string) => {
      let count = 0;
      for await (const slice of openTaskSource(file).slices({ guessFrom: 0 })) if (slice.guessed) count++;
      return count;
    };

    it('gives what the exact scan gives when a line misleads the guess', async () => {
      // Task 40 holds an object on a line indented like a task, after "},": the guess
      // cuts there, that slice does not parse, and the input is read exactly from it.
      const file = indented('misleading.json', ', "a": [{"y": 0},\n  {"x": 1}]');
      expect(await guessedCount(file)).toBeGreaterThan(80);
      const single = await run(file, 1);
      expect(single).toMatchObject({ items: 80, read: 80 });
      expect(await run(file, 2)).toEqual(single);
      // Pooling chosen, but the input ends before the first batch: prepared in this thread.
      expect(await run(file, 2, statSync(file).size - 1)).toEqual(single);
    });

    it('fails at the same task, with the same message, on broken JSON', async () => {
      const file = indented('broken.json', ', "a": [1, 2,, 3]');
      expect(await guessedCount(file)).toBe(80);
      const single = await run(file, 1);
      expect(single).toMatchObject({ code: 'INPUT_PARSE', error: expect.stringContaining('task #40') });
      expect(await run(file, 2)).toEqual(single);
      expect(await run(file, 2, statSync(file).size - 1)).toEqual(single);
    });

    it('refuses nesting deeper than the exact scan allows, the same way', async () => {
      const file = indented('deep.json', `, "deep": ${'['.repeat(600)}${']'.repeat(600)}`);
      expect(await guessedCount(file)).toBe(80);
      const single = await run(file, 1);
      expect(single).toMatchObject({ code: 'INPUT_PARSE', error: expect.stringContaining('nesting deeper') });
      expect(await run(file, 2)).toEqual(single);
    });
  });

  it('prepares inline for sources without raw slices and small inputs', async () => {
    const sink = memorySink();
    await runExport({
      format: poolFormat,
      tasks: arrayTaskSource([{ data: { n: 1 } }, { data: { n: 2 } }]),
      sink,
      threads: 4,
      formatModule: moduleFile,
    });
    expect(sink.text('out.txt')).toBe('0:1:x\n1:2:x\n');
  });
});
