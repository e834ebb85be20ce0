import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RELAUNCH_MIN_INPUT_BYTES, runsOnOneThread, worthRelaunching } from './relaunch.js';

const dir = mkdtempSync(join(tmpdir(), 'lsconv-relaunch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'small.json'), '[]');
writeFileSync(join(dir, 'large.json'), '');
truncateSync(join(dir, 'large.json'), RELAUNCH_MIN_INPUT_BYTES);

describe('worthRelaunching', () => {
  it('restarts large exports, standard input and folders', () => {
    expect(worthRelaunching(['export', '-i', 'large.json', '-o', 'out'], dir)).toBe(true);
    expect(worthRelaunching(['export', `--input=${join(dir, 'large.json')}`], '/')).toBe(true);
    expect(worthRelaunching(['export', '-f', 'CSV', '--input', '-'], dir)).toBe(true);
    expect(worthRelaunching(['export', '-i', dir], '/')).toBe(true);
  });

  it('leaves small exports, other commands, help and unreadable inputs alone', () => {
    expect(worthRelaunching(['export', '-i', 'small.json'], dir)).toBe(false);
    expect(worthRelaunching(['export', '-i', 'missing.json'], dir)).toBe(false);
    expect(worthRelaunching(['export', '-i', 'large.json', '--help'], dir)).toBe(false);
    expect(worthRelaunching(['export'], dir)).toBe(false);
    expect(worthRelaunching(['formats'], dir)).toBe(false);
    expect(worthRelaunching(['import', 'yolo', '-i', dir], dir)).toBe(false);
  });
});

describe('runsOnOneThread', () => {
  it('is true for --threads 1, or no --threads on one core', () => {
    expect(runsOnOneThread(['export', '-i', 'a.json', '--threads', '1'], 8)).toBe(true);
    expect(runsOnOneThread(['export', '--threads=1', '-i', 'a.json'], 8)).toBe(true);
    expect(runsOnOneThread(['export', '-i', 'a.json'], 1)).toBe(true);
  });

  it('is false for more threads, more cores, or a --threads after --', () => {
    expect(runsOnOneThread(['export', '-i', 'a.json'], 2)).toBe(false);
    expect(runsOnOneThread(['export', '--threads', '2'], 1)).toBe(false);
    expect(runsOnOneThread(['export', '--threads=4'], 8)).toBe(false);
    expect(runsOnOneThread(['export', '--', '--threads', '1'], 8)).toBe(false);
    expect(runsOnOneThread(['export', '--threads', 'lots'], 8)).toBe(false);
  });
});
