import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createProgress, formatCount } from './progress.js';

function stream(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, isTTY, write: (s: string) => chunks.push(s) };
}

describe('createProgress', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('draws tasks read and tasks/s on a terminal, and erases the line when done', () => {
    const tty = stream(true);
    const progress = createProgress(tty, 'CSV');
    progress.update(1500);
    vi.advanceTimersByTime(1000);
    const last = tty.chunks.at(-1)!;
    expect(last).toMatch(/^\r\x1b\[2KCSV: 1,500 tasks read, [\d,]+ tasks\/s$/);
    progress.done();
    expect(tty.chunks.at(-1)).toBe('\r\x1b[2K');
    const count = tty.chunks.length;
    vi.advanceTimersByTime(1000);
    progress.done();
    expect(tty.chunks.length).toBe(count);
  });

  it('writes nothing when the stream is not a terminal, or when disabled', () => {
    for (const [s, enabled] of [
      [stream(false), true],
      [stream(true), false],
    ] as const) {
      const progress = createProgress(s, 'CSV', enabled);
      progress.update(10);
      vi.advanceTimersByTime(5000);
      progress.done();
      expect(s.chunks).toEqual([]);
    }
  });
});

describe('formatCount', () => {
  it('groups thousands', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(0)).toBe('0');
  });
});
