import type { CompatMode, FormatDefinition } from '@lsconv/core';
import { describe, expect, it } from 'vitest';
import { base, check, checksOf, linesFormat, preparedFormat, sampleCase } from './test-formats.js';

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
