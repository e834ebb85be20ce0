import { mkdtempSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineFormat, json, LsconvError } from '@lsconv/core';
import { afterAll, describe, expect, it } from 'vitest';
import { type Bug, check, linesFormat, sampleCase } from './test-formats.js';

const temp: string[] = [];
afterAll(async () => {
  for (const dir of temp) await rm(dir, { recursive: true, force: true });
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
