#!/usr/bin/env node
import { limitHeapGrowth } from '@lsconv/core';
import { main } from './main.js';

// Exports stream through several V8 heaps at once; keep them from filling with garbage.
limitHeapGrowth();

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
});
process.off('SIGINT', onSignal);
process.off('SIGTERM', onSignal);
