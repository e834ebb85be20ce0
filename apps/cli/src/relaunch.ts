import { statSync } from 'node:fs';
import { resolve } from 'node:path';

/** Inputs from this size on are worth a second start of Node.js (about 40 ms) for a smaller peak. */
export const RELAUNCH_MIN_INPUT_BYTES = 16 * 1024 * 1024;

/**
 * Whether `lsconv ARGS` should restart with the memory flags (`relaunchWithMemoryFlags`):
 * an export whose input is standard input, a folder, or a file of at least
 * {@link RELAUNCH_MIN_INPUT_BYTES}. A small export, `--help` or a typo is not worth it; an
 * input that cannot be read is left to the export to report.
 */
export function worthRelaunching(args: readonly string[], cwd = process.cwd()): boolean {
  if (args[0] !== 'export' || args.includes('-h') || args.includes('--help')) return false;
  const input = flagValue(args, '--input', '-i');
  if (input === undefined) return false;
  if (input === '-') return true;
  try {
    const stat = statSync(resolve(cwd, input));
    return stat.isDirectory() || stat.size >= RELAUNCH_MIN_INPUT_BYTES;
  } catch {
    return false;
  }
}

/**
 * Whether `lsconv ARGS` will prepare every task on its main thread: `--threads 1`, or no
 * `--threads` on a machine that gives the process one core. Such a run restarts with a
 * larger main-thread young generation (`ONE_THREAD_SEMI_SPACE_MB`); a value that is not a
 * thread count is left to the export to refuse.
 */
export function runsOnOneThread(args: readonly string[], cores: number): boolean {
  const threads = flagValue(args, '--threads');
  return threads === undefined ? cores === 1 : Number(threads) === 1;
}

/**
 * The last value an option is given after the command (`--name V`, `--name=V`, or the
 * short `-n V`), before any `--`; undefined when it is not given.
 */
function flagValue(args: readonly string[], name: string, short?: string): string | undefined {
  let value: string | undefined;
  for (let i = 1; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') break;
    if (arg === name || arg === short) value = args[i + 1];
    else if (arg.startsWith(`${name}=`)) value = arg.slice(name.length + 1);
  }
  return value;
}
