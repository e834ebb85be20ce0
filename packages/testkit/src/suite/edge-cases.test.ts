import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { json } from '@lsconv/core';
import { describe, expect, it } from 'vitest';
import { type Bug, base, check, checksOf, linesFormat } from './test-formats.js';

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
