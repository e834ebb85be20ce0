import { defineFormat, type FormatDefinition } from '@lsconv/core';
import { referenceSupports } from '@lsconv/format-kit';
import { describe, expect, it } from 'vitest';
import type { FormatSuiteOptions } from './index.js';
import { checksOf, linesFormat, sampleCase } from './test-formats.js';

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
