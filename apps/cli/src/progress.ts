import type { OutputStream } from './io.js';

/** Progress of an export, shown on standard error. */
export interface Progress {
  /** Sets the number of tasks read so far (cheap: called once per task). */
  update(count: number): void;
  /** Adds bytes read from the input (cheap: called once per chunk). */
  addBytes(bytes: number): void;
  /** Erases the line. Safe to call more than once. */
  done(): void;
}

/** What {@link createProgress} takes besides the stream. */
export interface ProgressOptions {
  /** Off with `--quiet`. */
  enabled?: boolean;
  /** The input's size in bytes, when it is a file: the line then shows percent and time left. */
  totalBytes?: number;
}

const noProgress: Progress = { update() {}, addBytes() {}, done() {} };

/** How often the terminal line is redrawn, in milliseconds. */
const REDRAW_MS = 150;
/** Nothing is shown before this much time: a short export prints no progress at all. */
const FIRST_DRAW_MS = 1000;
/** How often a plain line is written when standard error is not a terminal (CI logs, pipes). */
const LOG_EVERY_MS = 10_000;

/**
 * Progress on `stream`: percent of the input read and time left when its size is known,
 * else tasks read and the rate. On a terminal one line is redrawn in place; elsewhere
 * (CI logs, pipes) a plain line is written every ten seconds. Nothing is shown during the
 * first second, so short exports stay quiet and no line says "0 tasks read". Drawn on a
 * timer rather than per task, so a million tasks cost a million integer stores.
 */
export function createProgress(stream: OutputStream, label: string, options: ProgressOptions = {}): Progress {
  if (options.enabled === false) return noProgress;
  const tty = stream.isTTY === true;
  const started = Date.now();
  let count = 0;
  let bytes = 0;
  let drawn = false;
  const tick = () => {
    const elapsed = Date.now() - started;
    if (elapsed < FIRST_DRAW_MS || (count === 0 && bytes === 0)) return;
    const line = progressLine(label, { count, bytes, elapsed, totalBytes: options.totalBytes });
    if (tty) {
      stream.write(`\r\x1b[2K${line}`);
      drawn = true;
    } else stream.write(`${line}\n`);
  };
  const timer = setInterval(tick, tty ? REDRAW_MS : LOG_EVERY_MS);
  timer.unref?.();
  let finished = false;
  return {
    update(n) {
      count = n;
    },
    addBytes(n) {
      bytes += n;
    },
    done() {
      if (finished) return;
      finished = true;
      clearInterval(timer);
      if (drawn) stream.write('\r\x1b[2K');
    },
  };
}

/** The words of one progress line. */
export function progressLine(
  label: string,
  state: { count: number; bytes: number; elapsed: number; totalBytes?: number | undefined },
): string {
  const seconds = state.elapsed / 1000;
  const rate = `${formatCount(state.count / seconds)} tasks/s`;
  const { totalBytes } = state;
  if (totalBytes && totalBytes > 0 && state.bytes > 0) {
    const share = Math.min(1, state.bytes / totalBytes);
    const left = share > 0 ? (seconds * (1 - share)) / share : undefined;
    const eta = left === undefined || share >= 1 ? '' : `, about ${formatDuration(left)} left`;
    return `${label}: ${Math.floor(share * 100)}% of ${formatBytes(totalBytes)} read, ${formatCount(state.count)} tasks, ${rate}${eta}`;
  }
  return `${label}: ${formatCount(state.count)} tasks read, ${rate}`;
}

/** `1234567` → `1,234,567`. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** `1536` → `1.5 KB`, `3.2e9` → `3.2 GB`. */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

/** `75` → `1 min 15 s`, `8` → `8 s`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(1, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min ${s % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
