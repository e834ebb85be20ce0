#!/usr/bin/env node
// `pnpm fuzz`: a long property-based campaign over every format and importer (the
// properties of test/fuzz, which the normal suite runs with 1,000 cases). The seed is
// random unless LSCONV_FUZZ_SEED is set; it is printed first, so a failure can be
// replayed with the same seed and run count.
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const runs = process.env.LSCONV_FUZZ_RUNS || '20000';
const seed = process.env.LSCONV_FUZZ_SEED || String(randomInt(1, 2 ** 31 - 1));
console.log(`fuzz: ${runs} cases per property, seed ${seed}`);
console.log(`replay: LSCONV_FUZZ_SEED=${seed} LSCONV_FUZZ_RUNS=${runs} pnpm fuzz`);
const started = Date.now();
const result = spawnSync('npx', ['vitest', 'run', 'test/fuzz', '--testTimeout=0', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, LSCONV_FUZZ_RUNS: runs, LSCONV_FUZZ_SEED: seed },
});
console.log(
  `fuzz: ${result.status === 0 ? 'passed' : 'FAILED'} in ${Math.round((Date.now() - started) / 1000)} s (seed ${seed}, ${runs} cases per property)`,
);
process.exit(result.status ?? 1);
