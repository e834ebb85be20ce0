import { describe, expect, it } from 'vitest';
import { checkChosenPath, checkOutputPath, safeBaseName, truncateBytes } from './safe-path.js';

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

describe('names of any length', () => {
  it('cuts at whole characters, as a character-by-character cut from the end would', () => {
    // The obvious cut, kept here as the oracle: drop the last character until it fits.
    const oracle = (name: string, maxBytes: number) => {
      if (Buffer.byteLength(name) <= maxBytes) return name;
      const dot = name.lastIndexOf('.');
      let ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
      if (Buffer.byteLength(ext) > maxBytes) ext = '';
      let stem = ext ? name.slice(0, dot) : name;
      while (Buffer.byteLength(stem) > maxBytes - Buffer.byteLength(ext))
        stem = [...stem].slice(0, -1).join('');
      return stem + ext;
    };
    const alphabet = ['a', 'é', '€', '😀', '.', '\ud800', 'Z'];
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let n = 0; n < 400; n++) {
      const name = Array.from({ length: next() % 90 }, () => alphabet[next() % alphabet.length]).join('');
      const max = 1 + (next() % 60);
      expect(truncateBytes(name, max), JSON.stringify([name, max])).toBe(oracle(name, max));
      expect(Buffer.byteLength(truncateBytes(name, max))).toBeLessThanOrEqual(max);
    }
  });

  it('takes linear time: a name of 1 MB goes through safeBaseName in well under a second', () => {
    for (const unit of ['a', 'é', '😀']) {
      const name = `${unit.repeat(Math.ceil((1 << 20) / Buffer.byteLength(unit)))}.jpg`;
      const started = performance.now();
      const base = safeBaseName(name);
      const took = performance.now() - started;
      expect(base.endsWith('.jpg')).toBe(true);
      expect(Buffer.byteLength(base)).toBeLessThanOrEqual(200);
      // About 10 ms here; the character-by-character cut took minutes.
      expect(took).toBeLessThan(1000);
    }
  });
});

describe('checkChosenPath', () => {
  it('keeps the leading .. of a folder the user chose and checks the rest', () => {
    expect(checkChosenPath('images/a.jpg')).toBe('images/a.jpg');
    expect(checkChosenPath('../pics/a.jpg')).toBe('../pics/a.jpg');
    expect(checkChosenPath('../../pics')).toBe('../../pics');
    expect(checkChosenPath('..')).toBe('..');
    expect(checkChosenPath('../')).toBe('..');
  });

  it('refuses .. anywhere but at the start, and everything checkOutputPath refuses after it', () => {
    for (const path of ['pics/../a.jpg', '../pics/../../a', '../pics/./a', '/abs/a', '../a\\b']) {
      expect(() => checkChosenPath(path), path).toThrow(/refused output path/);
    }
  });
});
