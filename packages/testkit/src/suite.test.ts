import { mkdtempSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CompatMode,
  defineFormat,
  type FormatDefinition,
  json,
  LsconvError,
  type PrepareContext,
  preparedTasks,
  referenceSupports,
  type Task,
  taskItems,
} from '@lsconv/core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  defaultExportArgs,
  type FormatSuiteOptions,
  formatSuiteChecks,
  HUGE_ID,
  type SuiteCheck,
  UNICODE_SUFFIX,
} from './suite/index.js';

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
  | 'crash'
  | 'default-crash'
  | 'drop-huge-id'
  | 'latest-only'
  | 'drop-middle'
  | 'latest-counted'
  | 'report-others'
  | 'empty-file';
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
          if (bug === 'default-crash' && ctx.compat === 'default') throw new Error('boom in default mode');
          const items = taskItems(task, { config: ctx.config, report: ctx.report, taskIndex: index });
          for (const [n, item] of items.entries()) {
            const regions = Object.values(item.output).reduce((sum, values) => sum + values.length, 0);
            // The defects of several annotators: the newest kept (counted, or not), a middle one dropped.
            if ((bug === 'latest-only' || bug === 'report-others') && n > 0) {
              if (bug === 'report-others')
                ctx.report.skip({
                  taskIndex: index,
                  kind: 'annotation',
                  code: 'other-annotation',
                  reason: 'not the latest',
                });
              continue;
            }
            ctx.report.regionsWritten += regions;
            if (bug === 'drop-middle' && n === 1) continue;
            if (bug === 'latest-counted' && n > 0) continue;
            await write({
              id: bug === 'drop-huge-id' && Number(item.id) > 2 ** 31 ? null : item.id,
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
      if (bug === 'empty-file' && index === 0) await ctx.sink.writeFile('empty.txt', 'nothing exported\n');
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
  compat?: CompatMode,
): SuiteCheck {
  const found = checksOf(format, options).find(
    (c) =>
      (typeof name === 'string' ? c.name === name : name.test(c.name)) &&
      (compat === undefined || c.compat === compat),
  );
  if (!found) throw new Error(`no check named ${String(name)}`);
  return found;
}

const EDGE_CASES = [
  'exports an empty input (no tasks)',
  'exports a task without annotations',
  'exports a task whose annotations are all cancelled',
  'exports a task annotated by several annotators (every annotator)',
  'keeps unicode in data and labels',
  `keeps a huge task id (${2 ** 53 - 1}) exact`,
  'is deterministic (two runs give the same output)',
  'does not mutate its input',
  'reads the task stream once',
  'leaves nothing behind when cancelled midway',
];

describe('the edge-case checks', () => {
  it('pass for a correct format, in both compat modes', async () => {
    const checks = checksOf(linesFormat()).filter((c) => c.group === 'edge cases');
    expect(checks.map((c) => `${c.name} [${c.compat}]`)).toEqual([
      ...EDGE_CASES.map((n) => `${n} [default]`),
      ...EDGE_CASES.map((n) => `${n} [python]`),
    ]);
    for (const c of checks) await c.run();
  });

  it('run in the compat modes asked for', () => {
    const checks = checksOf(linesFormat(), { ...base, compat: ['default'] }).filter(
      (c) => c.group === 'edge cases',
    );
    expect(new Set(checks.map((c) => c.compat))).toEqual(new Set(['default']));
  });

  const cases: [Bug, string | RegExp, RegExp][] = [
    ['empty-crash', 'exports an empty input (no tasks)', /Cannot read properties/],
    ['empty-file', 'exports an empty input (no tasks)', /wrote files that the sample export does not/],
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
    ['drop-huge-id', /huge task id/, /task id 9007199254740991 is not written exactly/],
    ['latest-only', /several annotators/, /three annotators must write three times the regions of one/],
    ['drop-middle', /several annotators/, /the regions of annotation 910001 are missing from the output/],
    ['random', 'is deterministic (two runs give the same output)', /two runs over the same input differ/],
    ['mutate', 'does not mutate its input', /changed the task objects|read only|not extensible/],
    ['twice', 'reads the task stream once', /iterated the tasks twice/],
    ['swallow-abort', 'leaves nothing behind when cancelled midway', /a cancelled export must reject/],
    ['crash', /several annotators/, /boom/],
  ];
  for (const [bug, name, message] of cases) {
    for (const compat of ['default', 'python'] as const) {
      it(`catch a format with the "${bug}" defect in "${String(name)}" [${compat}]`, async () => {
        await expect(check(linesFormat(bug), name, base, compat).run()).rejects.toThrow(message);
      });
    }
  }

  it('catch a format that fails only in the default compat mode', async () => {
    const checks = checksOf(linesFormat('default-crash')).filter((c) => c.group === 'edge cases');
    const failing = new Set<string>();
    for (const c of checks) await c.run().catch(() => failing.add(String(c.compat)));
    expect([...failing]).toEqual(['default']);
  });

  it('accept a format that writes every task when told so (JSON)', async () => {
    await check(json, 'exports a task whose annotations are all cancelled', {
      ...base,
      writesEveryTask: true,
    }).run();
    await expect(check(json, 'exports a task whose annotations are all cancelled').run()).rejects.toThrow(
      /must add nothing/,
    );
    // Declared so, a format that writes no task fails.
    const every = { ...base, writesEveryTask: true };
    await expect(
      check(linesFormat(), 'exports a task whose annotations are all cancelled', every).run(),
    ).rejects.toThrow(/must be written \(writesEveryTask\)/);
    await expect(check(linesFormat(), 'exports a task without annotations', every).run()).rejects.toThrow(
      /must be written \(writesEveryTask\)/,
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

describe('the promise checks', () => {
  const promised = (promises: FormatSuiteOptions['promises']) => ({ ...base, promises });

  it('check the data text when the format promises it', async () => {
    const options = promised({ data: true });
    await check(linesFormat(), 'keeps unicode in data and labels', options).run();
    await expect(
      check(linesFormat('ascii'), 'keeps unicode in data and labels', options).run(),
    ).rejects.toThrow(/unicode (label|data value) .* is missing or mangled/);
  });

  it('check free text (TextArea) when the format promises it', async () => {
    const textCase = {
      config:
        '<View><Audio name="audio" value="$audio"/><TextArea name="transcription" toName="audio"/></View>',
      tasks: [
        {
          id: 1,
          data: { audio: '/data/upload/1/a.wav' },
          annotations: [
            {
              id: 11,
              result: [
                {
                  from_name: 'transcription',
                  to_name: 'audio',
                  type: 'textarea',
                  value: { text: ['hello there'] },
                },
              ],
            },
          ],
        },
      ],
    };
    const options = { conformance: false, sampleCase: textCase, promises: { texts: true } };
    await check(linesFormat(), 'keeps unicode in data and labels', options).run();
    await expect(
      check(linesFormat('ascii'), 'keeps unicode in data and labels', options).run(),
    ).rejects.toThrow(
      new RegExp(`unicode free-text result hello there ${UNICODE_SUFFIX} is missing or mangled`),
    );
    // With nothing promised (no label, text or data), the check fails instead of checking nothing.
    await expect(
      check(linesFormat(), 'keeps unicode in data and labels', { ...options, promises: {} }).run(),
    ).rejects.toThrow(/checks nothing/);
  });

  it('fail a promise the sample cannot show, and a stale "not written"', async () => {
    await expect(
      check(linesFormat(), 'keeps unicode in data and labels', promised({ texts: true })).run(),
    ).rejects.toThrow(/has no free-text result to check/);
    await expect(
      check(linesFormat(), 'keeps unicode in data and labels', promised({ labels: false })).run(),
    ).rejects.toThrow(/carries the label "Positive" although promises.labels is false/);
    await expect(check(linesFormat(), /huge task id/, promised({ taskIds: false })).run()).rejects.toThrow(
      /carries the task id 7654321 although promises.taskIds is false/,
    );
  });

  it('check that a format without ids does not change with a huge one', async () => {
    const noIds = defineFormat({
      ...linesFormat(),
      async export(tasks, ctx) {
        let n = 0;
        for await (const task of tasks) n += Number(task.id) > 2 ** 53 - 2 ? 2 : 1;
        await ctx.sink.writeFile('count.txt', `${n}\n`);
      },
    });
    const options = promised({ taskIds: false, annotationIds: false });
    await expect(check(noIds, /huge task id/, options).run()).rejects.toThrow(/changes with a huge task id/);
    const fine = defineFormat({
      ...noIds,
      async export(tasks, ctx) {
        for await (const _ of tasks);
        await ctx.sink.writeFile('count.txt', 'done\n');
      },
    });
    await check(fine, /huge task id/, options).run();
    expect(HUGE_ID).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('catch a format that keeps one annotator silently while counting all (no ids to look for)', async () => {
    const options = promised({ annotationIds: false });
    await expect(check(linesFormat('latest-counted'), /several annotators/, options).run()).rejects.toThrow(
      /the output with annotators 910002 is the same as with all three/,
    );
  });

  it('check "the latest annotation, the others reported"', async () => {
    const options = promised({ annotators: 'latest' });
    await check(linesFormat('report-others'), /several annotators/, options).run();
    await expect(check(linesFormat('latest-only'), /several annotators/, options).run()).rejects.toThrow(
      /the two annotations left out are not reported/,
    );
    await expect(check(linesFormat(), /several annotators/, options).run()).rejects.toThrow(
      /only the latest annotation must be written/,
    );
  });

  it('take the promises of a compat mode over the others', async () => {
    const options = promised({ annotators: 'all', inCompat: { default: { annotators: 'latest' } } });
    await check(linesFormat('report-others'), /several annotators/, options, 'default').run();
    await expect(
      check(linesFormat('report-others'), /several annotators/, options, 'python').run(),
    ).rejects.toThrow(/three times the regions/);
  });
});

// A format with a prepare step: one line per task, numbered by `prepare` when `bug` is
// 'stateful' (a counter kept between tasks), or a value that loses its method in a copy.
function preparedFormat(
  bug: 'none' | 'stateful' | 'unclonable' | 'unclonable-99' = 'none',
): FormatDefinition<any> {
  let counter = 0;
  const prepare = (task: Task, pctx: PrepareContext) => {
    const items = taskItems(task, { config: pctx.config, report: pctx.report, taskIndex: pctx.taskIndex });
    const line = JSON.stringify({
      n: bug === 'stateful' ? counter++ : pctx.taskIndex,
      items: items.map((i) => i.output),
    });
    const lose = bug === 'unclonable' || (bug === 'unclonable-99' && task.id === 99);
    return lose ? { line, text: () => line } : { line, text: undefined };
  };
  return defineFormat({
    id: 'PREPARED_LINES',
    title: `Prepared lines (${bug})`,
    description: 'One JSON line per task, prepared apart (test format).',
    output: 'file',
    prepare,
    async export(tasks, ctx) {
      const out = await ctx.sink.createFile('result.jsonl');
      for await (const p of preparedTasks(tasks, ctx, prepare))
        await out.write(`${p.text ? p.text() : p.line}\n`);
      await out.close();
    },
  });
}

describe('the prepare-parity check', () => {
  const parity = (format: FormatDefinition<any>, compat: CompatMode = 'default') =>
    check(format, /prepared apart/, base, compat);
  it('runs for a format with prepare, in both compat modes, and passes when prepare is pure', async () => {
    const checks = checksOf(preparedFormat()).filter((c) => c.group === 'prepare parity');
    expect(checks.map((c) => c.compat)).toEqual(['default', 'python']);
    for (const c of checks) await c.run();
    expect(checksOf(linesFormat()).filter((c) => c.group === 'prepare parity')).toEqual([]);
  });
  it('catch a prepare that keeps state between tasks', async () => {
    await expect(parity(preparedFormat('stateful')).run()).rejects.toThrow(
      /prepared apart, the output differs/,
    );
  });
  it('catch a prepared value that does not survive a structured clone', async () => {
    await expect(parity(preparedFormat('unclonable'), 'python').run()).rejects.toThrow(/could not be cloned/);
  });
  it('run the extra samples too', async () => {
    await parity(preparedFormat('unclonable-99')).run();
    const extra = { config: sampleCase.config, tasks: [{ ...sampleCase.tasks[0], id: 99 }] };
    const options = { ...base, prepareSamples: [extra] };
    await expect(check(preparedFormat('unclonable-99'), /prepared apart/, options).run()).rejects.toThrow(
      /could not be cloned/,
    );
  });
});

describe('known bugs', () => {
  const name = 'keeps a huge task id (9007199254740991) exact [compat python]';
  it('turn a failing check into an expected failure, and fail once it passes', async () => {
    const options = { ...base, knownBugs: { [name]: 'ids are written as floats' } };
    const failing = check(linesFormat('float-ids'), /huge task id/, options, 'python');
    expect(failing.knownBug).toBe('ids are written as floats');
    await failing.run();
    await expect(check(linesFormat(), /huge task id/, options, 'python').run()).rejects.toThrow(
      /passes now: the known bug \(ids are written as floats\) is fixed/,
    );
  });
  it('fail a check that fails for another reason than the known bug', async () => {
    const options = {
      ...base,
      knownBugs: { [name]: { bug: 'ids are written as floats', message: /not written exactly/ } },
    };
    await check(linesFormat('float-ids'), /huge task id/, options, 'python').run();
    await expect(check(linesFormat('crash'), /huge task id/, options, 'python').run()).rejects.toThrow(
      /fails, but not with the known bug \(ids are written as floats\): format LINES failed: boom/,
    );
  });
  it('fail an entry that names no check', async () => {
    const checks = checksOf(linesFormat(), { ...base, knownBugs: { 'no such check': 'x' } });
    const stale = checks.find((c) => c.name.includes('no such check'))!;
    await expect(stale.run()).rejects.toThrow(/which is no check of this format/);
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
