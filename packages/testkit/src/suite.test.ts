import { mkdtempSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  defineFormat,
  type FormatDefinition,
  json,
  LsconvError,
  referenceSupports,
  taskItems,
} from '@lsconv/core';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultExportArgs, type FormatSuiteOptions, formatSuiteChecks, type SuiteCheck } from './suite.js';

// A small format that selects items like the Python converter and writes one JSON
// line per item; `bug` switches on one defect at a time.
type Bug =
  | 'none'
  | 'mutate'
  | 'random'
  | 'twice'
  | 'swallow-abort'
  | 'ascii'
  | 'float-ids'
  | 'every-task'
  | 'empty-crash'
  | 'crash';
function linesFormat(bug: Bug = 'none', id = 'LINES'): FormatDefinition<any> {
  return defineFormat({
    id,
    title: `Lines (${bug})`,
    description: 'One JSON line per exported item (test format).',
    output: 'file',
    async export(tasks, ctx) {
      const out = await ctx.sink.createFile('result.jsonl');
      const write = (value: unknown) => {
        let text = JSON.stringify(value, (key, v) =>
          bug === 'float-ids' && (key === 'id' || key === 'annotation_id') && typeof v === 'number'
            ? v.toPrecision(15)
            : v,
        );
        if (bug === 'ascii') text = text.replace(/[^\x00-\x7f]/g, '?');
        if (bug === 'random') text += ` ${Math.random()}`;
        return out.write(`${text}\n`);
      };
      let index = 0;
      const read = async () => {
        for await (const task of tasks) {
          if (bug === 'mutate') (task.data as Record<string, unknown>).seen = true;
          if (bug === 'every-task') await write({ task: task.id });
          for (const item of taskItems(task, { config: ctx.config, report: ctx.report, taskIndex: index })) {
            await write({
              id: item.id,
              annotation_id: item.annotation_id,
              data: item.input,
              output: item.output,
            });
          }
          index++;
        }
      };
      if (bug === 'swallow-abort') {
        try {
          await read();
        } catch {
          // the defect: errors (and cancellation) are swallowed
        }
      } else await read();
      if (bug === 'twice') for await (const _ of tasks) index++;
      if (bug === 'crash') throw new Error('boom');
      if (bug === 'empty-crash' && index === 0)
        throw new TypeError("Cannot read properties of undefined (reading 'data')");
      await out.close();
    },
  });
}

const sampleCase = {
  config:
    '<View><Text name="text" value="$text"/><Choices name="sentiment" toName="text"><Choice value="Positive"/><Choice value="Negative"/></Choices></View>',
  tasks: [
    {
      id: 1,
      data: { text: 'Good service' },
      annotations: [
        {
          id: 11,
          completed_by: 1,
          created_at: '2024-01-01T10:00:00Z',
          result: [
            {
              id: 'r1',
              from_name: 'sentiment',
              to_name: 'text',
              type: 'choices',
              value: { choices: ['Positive'] },
            },
          ],
        },
      ],
    },
    { id: 2, data: { text: 'Slow' }, annotations: [] },
  ],
};

const base: FormatSuiteOptions = { conformance: false, sampleCase };
const temp: string[] = [];
afterAll(async () => {
  for (const dir of temp) await rm(dir, { recursive: true, force: true });
});

function checksOf(format: FormatDefinition<any>, options: FormatSuiteOptions = base): SuiteCheck[] {
  const suite = formatSuiteChecks(format, options);
  return suite.checks;
}

function check(
  format: FormatDefinition<any>,
  name: string | RegExp,
  options?: FormatSuiteOptions,
): SuiteCheck {
  const found = checksOf(format, options).find((c) =>
    typeof name === 'string' ? c.name === name : name.test(c.name),
  );
  if (!found) throw new Error(`no check named ${String(name)}`);
  return found;
}

describe('the edge-case checks', () => {
  it('pass for a correct format', async () => {
    const checks = checksOf(linesFormat());
    expect(checks.filter((c) => c.group === 'edge cases').map((c) => c.name)).toEqual([
      'exports an empty input (no tasks)',
      'exports a task without annotations',
      'exports a task whose annotations are all cancelled',
      'exports a task annotated by several annotators',
      'keeps unicode in data and labels',
      `keeps a huge task id (${2 ** 53 - 1}) exact`,
      'is deterministic (two runs give the same output)',
      'does not mutate its input',
      'reads the task stream once',
      'leaves nothing behind when cancelled midway',
    ]);
    for (const c of checks) await c.run();
  });

  const cases: [Bug, string | RegExp, RegExp][] = [
    ['empty-crash', 'exports an empty input (no tasks)', /Cannot read properties/],
    ['every-task', 'exports a task without annotations', /must add nothing to the output/],
    [
      'every-task',
      'exports a task whose annotations are all cancelled',
      /cancelled annotations must add nothing/,
    ],
    [
      'ascii',
      'keeps unicode in data and labels',
      /unicode label Positive-ünïcödé-日本語-🚀 is missing or mangled/,
    ],
    ['float-ids', /huge task id/, /task id 9007199254740991 is not written exactly/],
    ['random', 'is deterministic (two runs give the same output)', /two runs over the same input differ/],
    ['mutate', 'does not mutate its input', /changed the task objects|read only|not extensible/],
    ['twice', 'reads the task stream once', /iterated the tasks twice/],
    ['swallow-abort', 'leaves nothing behind when cancelled midway', /a cancelled export must reject/],
    ['crash', 'exports a task annotated by several annotators', /boom/],
  ];
  for (const [bug, name, message] of cases) {
    it(`catch a format with the "${bug}" defect in "${String(name)}"`, async () => {
      await expect(check(linesFormat(bug), name).run()).rejects.toThrow(message);
    });
  }

  it('accept a format that writes every task when told so (JSON)', async () => {
    await check(json, 'exports a task whose annotations are all cancelled', {
      ...base,
      writesEveryTask: true,
    }).run();
    await expect(check(json, 'exports a task whose annotations are all cancelled').run()).rejects.toThrow(
      /must add nothing/,
    );
  });

  it('ask for a sample when no conformance case fits', async () => {
    const checks = checksOf(linesFormat(), {
      conformance: false,
      conformanceDir: join(tmpdir(), 'lsconv-testkit-none'),
    });
    const edge = checks.filter((c) => c.group === 'edge cases');
    expect(edge.map((c) => c.name)).toEqual(['has a sample case']);
    await expect(edge[0]!.run()).rejects.toThrow(/pass options.sampleCase/);
  });
});

describe('the metadata checks', () => {
  it('pass for a definition made by defineFormat', async () => {
    for (const c of checksOf(linesFormat()).filter((x) => x.group === 'metadata')) await c.run();
  });
  it('catch an unfrozen copy', async () => {
    const copy = { ...linesFormat() } as FormatDefinition<any>;
    await expect(check(copy, 'is frozen').run()).rejects.toThrow(/not frozen/);
  });
  it('catch a lower-case id and an empty description', async () => {
    const bad = Object.freeze({ ...linesFormat(), id: 'lines', description: ' ' }) as FormatDefinition<any>;
    await expect(check(bad, 'has an upper-case id, a title and a description').run()).rejects.toThrow(
      /upper-case/,
    );
  });
  it('catch an option without a description', async () => {
    const bad = Object.freeze({
      ...linesFormat(),
      options: Object.freeze({ x: Object.freeze({ type: 'boolean', description: '' }) }),
    });
    await expect(check(bad as FormatDefinition<any>, 'describes every option').run()).rejects.toThrow(
      /option x has no description/,
    );
  });
});

describe('the support checks', () => {
  const withCases: FormatSuiteOptions = { sampleCase };
  const support = (format: FormatDefinition<any>) =>
    checksOf(format, withCases).filter((c) => c.group === 'supported configs');

  it("pass when supports() follows Label Studio's rule", async () => {
    const checks = support(linesFormat('none', 'COCO'));
    expect(checks.length).toBeGreaterThan(0);
    const coco = defineFormat({ ...linesFormat('none', 'COCO'), supports: referenceSupports('COCO') });
    for (const c of support(coco)) await c.run();
  });
  it('catch a format that accepts what Label Studio refuses', async () => {
    const lenient = linesFormat('none', 'COCO');
    await expect(
      support(lenient)
        .find((c) => c.name.startsWith('sdk-chat:'))!
        .run(),
    ).rejects.toThrow(/does not offer COCO for case sdk-chat/);
  });
  it('catch a refusal without a reason', async () => {
    const mute = defineFormat({ ...linesFormat('none', 'VOC'), supports: () => ({ ok: false, reason: '' }) });
    await expect(
      support(mute)
        .find((c) => c.name.startsWith('sdk-chat:'))!
        .run(),
    ).rejects.toThrow(/without a reason/);
  });
  it('check refusals of formats Label Studio does not know', async () => {
    const picky = defineFormat({
      ...linesFormat('none', 'MY_FORMAT'),
      supports: (config) =>
        config.dataKeys.includes('image') ? { ok: true } : { ok: false, reason: 'needs an image' },
    });
    const [only] = support(picky);
    expect(only?.name).toBe('refuses unsupported configs with UNSUPPORTED_CONFIG and a reason');
    await only!.run();
  });
});

describe('the conformance checks', () => {
  it('catch a JSON format that drops a task, naming the difference', async () => {
    const dropping = defineFormat({
      ...json,
      async export(tasks, ctx) {
        const all = [];
        for await (const t of tasks) all.push(t);
        await ctx.sink.writeFile('result.json', JSON.stringify(all.slice(1)));
      },
    });
    const c = check(dropping, 'tpl-asr', { sampleCase });
    await expect(c.run()).rejects.toThrow(
      /result\.json \(json\): \(root\): expected a list of 4 items, got 3/,
    );
    await check(json, 'tpl-asr', { sampleCase }).run();
  });

  it('handle reference failures and deviations', async () => {
    const root = mkdtempSync(join(tmpdir(), 'lsconv-testkit-suite-'));
    temp.push(root);
    const caseDir = join(root, 'odd-case');
    await mkdir(join(caseDir, 'expected', 'LINES'), { recursive: true });
    await writeFile(join(caseDir, 'config.xml'), sampleCase.config);
    await writeFile(join(caseDir, 'tasks.json'), JSON.stringify(sampleCase.tasks));
    await writeFile(join(caseDir, 'expected', 'LINES', 'result.jsonl'), '{"id": 1}\n');
    await writeFile(join(caseDir, 'expected', 'OTHER.error.txt'), "KeyError: 'x'\n");
    const options = { sampleCase, conformanceDir: root };

    // An error case: writing output or failing with a clear LsconvError passes; a crash does not.
    const other = (bug: Bug) =>
      check(linesFormat(bug, 'OTHER'), /odd-case: the reference failed \(KeyError: 'x'\)/, options);
    await other('none').run();
    await expect(other('crash').run()).rejects.toThrow(/crashed \(INTERNAL\)/);
    const clear = defineFormat({
      ...linesFormat('none', 'OTHER'),
      async export() {
        throw new LsconvError('INVALID_TASK', 'task has no text', { taskIndex: 0, field: 'data.text' });
      },
    });
    await check(clear, /odd-case: the reference failed/, options).run();

    // A real difference fails; declared as a deviation it passes, and a stale deviation fails.
    await expect(check(linesFormat(), 'odd-case', options).run()).rejects.toThrow(/result\.jsonl/);
    await check(linesFormat(), /odd-case \(documented deviation/, {
      ...options,
      deviations: { 'odd-case': 'writes every item' },
    }).run();
    await writeFile(
      join(caseDir, 'expected', 'LINES', 'result.jsonl'),
      '{"id":1,"annotation_id":11,"data":{"text":"Good service"},"output":{"sentiment":[{"choices":["Positive"],"type":"Choices"}]}}\n{"id":2,"annotation_id":null,"data":{"text":"Slow"},"output":{}}\n',
    );
    await check(linesFormat(), 'odd-case', options).run();
    await expect(
      check(linesFormat(), /odd-case \(documented/, { ...options, deviations: { 'odd-case': 'x' } }).run(),
    ).rejects.toThrow(/now matches the reference/);
  });
});

describe('defaultExportArgs', () => {
  it('turns upload_dir and download_resources into resource options', () => {
    expect(defaultExportArgs({ upload_dir: 'upload', download_resources: true }, '/cases/tpl-asr')).toEqual({
      resources: { baseDir: '/cases/tpl-asr', uploadDir: '/cases/tpl-asr/upload', download: true },
    });
    expect(defaultExportArgs({}, '/c')).toEqual({ resources: { baseDir: '/c' } });
  });
  it('refuses arguments it cannot translate', () => {
    expect(() => defaultExportArgs({ image_dir: 'x' }, '/c')).toThrow(/image_dir="x" has no translation/);
  });
});
