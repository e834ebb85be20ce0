import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createProgress, formatBytes, formatCount, formatDuration, progressLine } from './progress.js';

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

  it('draws percent and time left from bytes on a terminal when the size is known, and erases the line', () => {
    const tty = stream(true);
    const progress = createProgress(tty, 'CSV', { totalBytes: 4_000_000 });
    progress.update(1500);
    progress.addBytes(1_000_000);
    vi.advanceTimersByTime(2000);
    const last = tty.chunks.at(-1)!;
    expect(last).toMatch(
      /^\r\x1b\[2KCSV: 25% of 4\.0 MB read, 1,500 tasks, [\d,]+ tasks\/s, about 6 s left$/,
    );
    progress.done();
    expect(tty.chunks.at(-1)).toBe('\r\x1b[2K');
    const count = tty.chunks.length;
    vi.advanceTimersByTime(1000);
    progress.done();
    expect(tty.chunks.length).toBe(count);
  });

  it('shows tasks and rate without a size, and nothing in the first second or before the first task', () => {
    const tty = stream(true);
    const progress = createProgress(tty, 'CSV');
    vi.advanceTimersByTime(900);
    expect(tty.chunks).toEqual([]);
    vi.advanceTimersByTime(2000);
    expect(tty.chunks).toEqual([]); // still 0 tasks: no "0 tasks read, 0 tasks/s"
    progress.update(3000);
    vi.advanceTimersByTime(200);
    expect(tty.chunks.at(-1)).toMatch(/^\r\x1b\[2KCSV: 3,000 tasks read, [\d,]+ tasks\/s$/);
    progress.done();
  });

  it('writes a plain line every ten seconds when the stream is not a terminal', () => {
    const log = stream(false);
    const progress = createProgress(log, 'YOLO', { totalBytes: 1000 });
    progress.update(10);
    progress.addBytes(500);
    vi.advanceTimersByTime(9000);
    expect(log.chunks).toEqual([]);
    vi.advanceTimersByTime(1000);
    expect(log.chunks).toEqual([
      expect.stringMatching(/^YOLO: 50% of 1\.0 KB read, 10 tasks, 1 tasks\/s, about 10 s left\n$/),
    ]);
    vi.advanceTimersByTime(10_000);
    expect(log.chunks).toHaveLength(2);
    progress.done();
    expect(log.chunks.join('')).not.toMatch(/\r|\x1b/);
  });

  it('writes nothing when disabled', () => {
    const s = stream(true);
    const progress = createProgress(s, 'CSV', { enabled: false });
    progress.update(10);
    vi.advanceTimersByTime(20_000);
    progress.done();
    expect(s.chunks).toEqual([]);
  });
});

describe('formatting', () => {
  it('groups thousands, sizes and durations', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(0)).toBe('0');
    expect(formatBytes(999)).toBe('999 bytes');
    expect(formatBytes(1_536_000_000)).toBe('1.5 GB');
    expect(formatDuration(8)).toBe('8 s');
    expect(formatDuration(75)).toBe('1 min 15 s');
    expect(formatDuration(7260)).toBe('2 h 1 min');
    expect(progressLine('X', { count: 100, bytes: 1000, elapsed: 1000, totalBytes: 1000 })).toBe(
      'X: 100% of 1.0 KB read, 100 tasks, 100 tasks/s',
    );
  });
});
