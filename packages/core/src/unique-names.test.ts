import { describe, expect, it } from 'vitest';
import { UniqueNames } from './unique-names.js';

describe('UniqueNames', () => {
  it('hands out unique names', () => {
    const names = new UniqueNames();
    expect([names.take('a'), names.take('a'), names.take('A'), names.take('a-2')]).toEqual([
      'a',
      'a-2',
      'A-3',
      'a-2-2',
    ]);
  });
});
