import { describe, expect, it } from 'vitest';
import { matchesFilters, parseFilters } from './dm-filters.js';

const one = (filter: string, operator: string, type: string, value: unknown) => ({
  conjunction: 'and' as const,
  items: [{ filter: `filter:tasks:${filter}`, operator, type, value }],
});

describe('Data Manager filters', () => {
  it('a missing or null field never equals the text "null" or "undefined"', () => {
    expect(matchesFilters(1, { data: { x: null } }, one('data.x', 'equal', 'String', 'null'))).toBe(false);
    expect(matchesFilters(1, { data: {} }, one('data.x', 'equal', 'String', 'undefined'))).toBe(false);
    expect(matchesFilters(1, { data: { x: 5 } }, one('data.x', 'equal', 'String', '5'))).toBe(true);
  });

  it('refuses what it cannot apply, naming the item', () => {
    const refused = (raw: unknown) => {
      try {
        parseFilters(raw, 'filters');
      } catch (error) {
        return Object.values((error as { validationErrors: Record<string, string[]> }).validationErrors)
          .flat()
          .join(' ');
      }
      return 'accepted';
    };
    expect(refused(one('data.x', 'contains', 'Number', 1))).toMatch(/operator "contains" does not apply/);
    expect(refused(one('agreement', 'greater', 'Number', 1))).toMatch(/column "agreement" is not supported/);
    expect(refused(one('data.x', 'in', 'Number', 3))).toMatch(/needs a value \{min, max\}/);
    expect(refused(one('data.x', 'regex', 'String', '('))).toMatch(/does not compile/);
    expect(refused({ conjunction: 'xor', items: [] })).toMatch(/not a valid conjunction/);
    expect(
      refused({ items: [{ filter: 'filter:annotations:x', operator: 'equal', type: 'String', value: 1 }] }),
    ).toMatch(/not a task filter/);
    expect(refused(one('data.x', 'equal', 'String', 'a'))).toBe('accepted');
  });
});
