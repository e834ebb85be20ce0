#!/usr/bin/env node
import { limitHeapGrowth, relaunchWithMemoryFlags } from '@lsconv/core';
import { runCli } from './cli.js';

// The server starts again in place with a smaller main-thread young generation, and its
// heaps are kept from filling with garbage (both in @lsconv/core's heap.ts).
relaunchWithMemoryFlags();
limitHeapGrowth();

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`lsconv-server: ${(error as Error)?.message ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
