#!/usr/bin/env node
import { limitHeapGrowth } from '@lsconv/core';
import { runCli } from './cli.js';

// Exports stream through several V8 heaps at once; keep them from filling with garbage.
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
