import { describe, expect, it } from 'vitest';
import { checkOutputPath } from './safe-path.js';

describe('checkOutputPath', () => {
  it('returns plain paths as they are', () => {
    for (const path of ['result.json', 'labels/a1b2c3d4__img_0001.txt', 'a/b/c-d_e.f.g', '_x', '9/8/7'])
      expect(checkOutputPath(path)).toBe(path);
  });

  it('accepts other safe paths, normalised', () => {
    expect(checkOutputPath('.hidden/é ü.png')).toBe('.hidden/é ü.png');
    expect(checkOutputPath('images/')).toBe('images');
    expect(checkOutputPath('a/...')).toBe('a/...');
    expect(checkOutputPath('x'.repeat(255))).toBe('x'.repeat(255));
    expect(checkOutputPath(`${'x'.repeat(255)}/${'y'.repeat(255)}`)).toBe(
      `${'x'.repeat(255)}/${'y'.repeat(255)}`,
    );
  });

  it('refuses paths that could leave the output, whatever their characters', () => {
    for (const path of [
      '',
      '.',
      '..',
      'a/..',
      'a/../b',
      '../a',
      'a/.',
      './a',
      '/etc/passwd',
      'C:/x',
      'c:x',
      'a\\b',
      'a\0b',
      'a//b',
      '/',
      'x'.repeat(256),
      `a/${'é'.repeat(128)}`,
    ])
      expect(() => checkOutputPath(path), JSON.stringify(path)).toThrow(/refused output path/);
  });
});
