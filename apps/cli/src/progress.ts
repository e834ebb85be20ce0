import type { OutputStream } from './io.js';

/** A live "tasks read" line on a terminal. */
export interface Progress {
  /** Sets the number of tasks read so far (cheap: called once per task). */
  update(count: number): void;
  /** Erases the line. Safe to call more than once. */
  done(): void;
}

const noProgress: Progress = { update() {}, done() {} };

/** How often the line is redrawn, in milliseconds. */
const REDRAW_MS = 150;

/**
 * A progress line on `stream` (tasks read, tasks per second), drawn only when the
 * stream is a terminal so logs and pipes stay clean. Redrawn on a timer rather
 * than per task, so a million tasks cost a million integer stores.
 */
export function createProgress(stream: OutputStream, label: string, enabled = true): Progress {
  if (!enabled || !stream.isTTY) return noProgress;
  const started = Date.now();
  let count = 0;
  let drawn = false;
  const draw = () => {
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(count / seconds) : 0;
    stream.write(`\r\x1b[2K${label}: ${formatCount(count)} tasks read, ${formatCount(rate)} tasks/s`);
    drawn = true;
  };
  const timer = setInterval(draw, REDRAW_MS);
  timer.unref?.();
  let finished = false;
  return {
    update(n) {
      count = n;
    },
    done() {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      if (drawn) stream.write('\r\x1b[2K');
    },
  };
}

/** `1234567` → `1,234,567`. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
