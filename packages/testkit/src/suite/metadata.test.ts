import type { FormatDefinition } from '@lsconv/core';
import { describe, expect, it } from 'vitest';
import { check, checksOf, linesFormat } from './test-formats.js';

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
