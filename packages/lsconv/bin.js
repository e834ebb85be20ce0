#!/usr/bin/env node
// Starts the lsconv command of the @lsconv/cli this package depends on. The CLI treats
// this package as a host, so it finds every format listed in its dependencies.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const manifest = require.resolve('@lsconv/cli/package.json');
const { bin } = JSON.parse(readFileSync(manifest, 'utf8'));
const entry = typeof bin === 'string' ? bin : bin.lsconv;
await import(pathToFileURL(join(dirname(manifest), entry)).href);
