#!/usr/bin/env node
import { cliPackageDir } from './package-info.js';
import { startCli } from './start.js';

// This package is the host: its package.json says which packages are plugins.
await startCli(cliPackageDir());
