// The fuzz properties' own checks: each fails on a deliberately broken format, so a
// property cannot pass by refusing its input or by dropping regions unreported.
import { defineFormat, type FormatDefinition, LsconvError, taskItems } from '@lsconv/core';
import { afterAll, describe, expect, it } from 'vitest';
import { objectExportsProperty, rawExportsProperty } from './export-properties.js';
import { finishResources, RunTally } from './harness.js';

afterAll(() => {
  expect(finishResources()).toEqual([]);
});

/** A format that reads every region of a text config and writes one line per item. */
function textFormat(bug: 'refuse' | 'drop' | 'none'): FormatDefinition<any> {
  return defineFormat({
    id: 'FUZZ_META',
    title: `Fuzz meta (${bug})`,
    description: 'Writes one JSON line per item (test format).',
    output: 'file',
    supports: (config) =>
      [...config.controls.values()].some((c) => c.type === 'Labels')
        ? { ok: true }
        : { ok: false, reason: 'needs Labels' },
    async export(tasks, ctx) {
      if (bug === 'refuse') throw new LsconvError('INVALID_TASK', 'refuses every input');
      const out = await ctx.sink.createFile('out.jsonl');
      let taskIndex = 0;
      for await (const task of tasks) {
        for (const item of taskItems(task, {
          config: ctx.config,
          report: ctx.report,
          taskIndex: taskIndex++,
        })) {
          await out.write(`${JSON.stringify(item.output)}\n`);
          if (bug === 'drop') continue;
          for (const values of Object.values(item.output)) ctx.report.regionsWritten += values.length;
        }
      }
      await out.close();
    },
  });
}

/** The message of a property's failure with its cause (fast-check puts the assertion there). */
async function failure(property: Promise<void>): Promise<string> {
  try {
    await property;
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    return `${(error as Error).message}\n${cause instanceof Error ? cause.message : ''}`;
  }
  return 'passed';
}

describe('fuzz properties fail on broken formats', () => {
  it('a sound format passes both properties', async () => {
    await objectExportsProperty(textFormat('none'), 40);
    await rawExportsProperty(textFormat('none'), 20);
  });
  it('a format that refuses every input fails them: no run was checked', async () => {
    expect(await failure(objectExportsProperty(textFormat('refuse'), 40))).toMatch(/: 0 of 40 runs checked/);
    expect(await failure(rawExportsProperty(textFormat('refuse'), 20))).toMatch(/: 0 of 20 runs checked/);
  });
  it('a format that drops regions without a report line fails them', async () => {
    expect(await failure(objectExportsProperty(textFormat('drop'), 40))).toMatch(
      /input regions but 0 written/,
    );
    expect(await failure(rawExportsProperty(textFormat('drop'), 20))).toMatch(/input regions but 0 written/);
  });
  it('a tally under half its runs fails, and says how many it checked', () => {
    const tally = new RunTally('half');
    for (let i = 0; i < 10; i++) tally.count(i < 4);
    expect(() => tally.expectShare()).toThrow(/half: 4 of 10 runs checked/);
    tally.count(true);
    tally.count(true);
    expect(() => tally.expectShare()).not.toThrow();
  });
});
