import { emptyLabelConfig, type FormatDefinition, isFormatDefinition } from '@lsconv/core';
import { expect } from 'vitest';
import type { Add } from './types.js';

/**
 * The metadata checks: made by `defineFormat`, a Label Studio style id, a title and a
 * description, every option described, frozen, and `supports()` answering ok or a reason.
 */
export function registerMetadata(format: FormatDefinition<any>, it: Add): void {
  it('is a format definition made by defineFormat', () => {
    expect(isFormatDefinition(format), 'not a format definition (use defineFormat from @lsconv/core)').toBe(
      true,
    );
    expect(format.kind).toBe('lsconv-format');
    expect(typeof format.export).toBe('function');
    expect(typeof format.supports).toBe('function');
    expect(['file', 'folder']).toContain(format.output);
  });
  it('has an upper-case id, a title and a description', () => {
    expect(format.id, 'id must be Label Studio style: upper-case letters, digits and _').toMatch(
      /^[A-Z][A-Z0-9_]*$/,
    );
    expect(typeof format.title === 'string' && format.title.trim().length > 0, 'title is empty').toBe(true);
    expect(
      typeof format.description === 'string' && format.description.trim().length > 0,
      'description is empty',
    ).toBe(true);
  });
  it('describes every option', () => {
    for (const [name, spec] of Object.entries(format.options ?? {})) {
      const s = spec as { type?: unknown; description?: unknown; choices?: unknown };
      expect(
        typeof s.description === 'string' && s.description.trim().length > 0,
        `option ${name} has no description`,
      ).toBe(true);
      expect(['string', 'enum', 'boolean', 'number'], `option ${name} has an unknown type`).toContain(s.type);
      if (s.type === 'enum')
        expect(Array.isArray(s.choices) && s.choices.length > 0, `option ${name} has no choices`).toBe(true);
    }
  });
  it('is frozen', () => {
    expect(Object.isFrozen(format), 'the definition object is not frozen').toBe(true);
    expect(Object.isFrozen(format.options), 'options are not frozen').toBe(true);
    expect(Object.isFrozen(format.tags), 'tags are not frozen').toBe(true);
    for (const [name, spec] of Object.entries(format.options ?? {}))
      expect(Object.isFrozen(spec), `option ${name} is not frozen`).toBe(true);
  });
  it('answers supports() with ok, or with a reason', () => {
    const answer = format.supports(emptyLabelConfig());
    expect(typeof answer.ok).toBe('boolean');
    if (!answer.ok)
      expect(
        typeof answer.reason === 'string' && answer.reason.trim().length > 0,
        'refusal without a reason',
      ).toBe(true);
  });
}
