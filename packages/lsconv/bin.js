#!/usr/bin/env node
// Starts the lsconv command of the @lsconv/cli this package depends on, with this
// package as the host: its package.json names the plugins (lsconv.pluginPatterns), so
// every format in its dependencies is found.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCli } from '@lsconv/cli';

await startCli(dirname(fileURLToPath(import.meta.url)));
