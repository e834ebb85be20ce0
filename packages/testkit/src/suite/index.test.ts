import { describe, expect, it } from 'vitest';
import { base, check, checksOf, linesFormat } from './test-formats.js';

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
