import { defaultThreads, limitHeapGrowth, relaunchWithMemoryFlags } from '@lsconv/core';
import { runsOnOneThread, worthRelaunching } from './relaunch.js';

/**
 * Runs `lsconv` as a program with `process.argv`, standard streams and signals, and sets
 * `process.exitCode`. `host` is the folder of the package whose bin calls it: the CLI's
 * own bin passes its package root, the `lsconv` meta package passes its own, and plugins
 * are the packages that host's package.json names (`lsconv.pluginPatterns`).
 */
export async function startCli(host: string): Promise<void> {
  // A large export starts again in place with a smaller main-thread young generation (a
  // little larger when the main thread prepares every task itself), and
  // its heaps are kept from filling with garbage (both in @lsconv/core's heap.ts).
  const args = process.argv.slice(2);
  if (worthRelaunching(args))
    relaunchWithMemoryFlags(process.env, { oneThread: runsOnOneThread(args, defaultThreads()) });
  limitHeapGrowth();
  // Loaded after the restart decision, so a restart does not pay for loading it twice.
  const { main } = await import('./main.js');

  // The first SIGINT/SIGTERM cancels the export, which removes its partial output;
  // a second one exits at once.
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(signal === 'SIGTERM' ? 143 : 130);
    controller.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // `lsconv formats | head` closes the pipe early; that is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });

  process.exitCode = await main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    cwd: process.cwd(),
    env: process.env,
    signal: controller.signal,
    host,
  });
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
}
