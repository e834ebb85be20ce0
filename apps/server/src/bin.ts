#!/usr/bin/env node
import { runCli } from './cli.js';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`lsconv-server: ${(error as Error)?.message ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
