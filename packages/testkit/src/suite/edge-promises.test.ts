import { defineFormat } from '@lsconv/core';
import { describe, expect, it } from 'vitest';
import { type FormatSuiteOptions, HUGE_ID, UNICODE_SUFFIX } from './index.js';
import { base, check, linesFormat } from './test-formats.js';

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
