// Builds better-sqlite3's native addon from source against the headers installed
// with Node. Its own install script would download a prebuilt binary or Node's
// headers, which fails on machines that reach only package registries, so the
// workspace skips that script (allowBuilds: false) and this one runs instead.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const require = createRequire(import.meta.url);
const dir = dirname(require.resolve('better-sqlite3/package.json'));
const addon = join(dir, 'build', 'Release', 'better_sqlite3.node');

function loads() {
  if (!existsSync(addon)) return false;
  const probe = spawnSync(
    process.execPath,
    ['-e', `new (require(${JSON.stringify(join(dir, 'lib', 'index.js'))}))(':memory:').close()`],
    {
      stdio: 'ignore',
    },
  );
  return probe.status === 0;
}

if (loads()) {
  console.log('better-sqlite3: native addon present');
  process.exit(0);
}
const args = [
  'rebuild',
  '--release',
  `--jobs=${Math.max(1, Math.min(8, (await import('node:os')).availableParallelism()))}`,
];
const nodedir = process.env.npm_config_nodedir ?? resolve(process.execPath, '..', '..');
if (existsSync(join(nodedir, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${nodedir}`);
// A lock folder keeps two concurrent installs from building into the same folder.
const lock = join(dir, '.lsconv-build-lock');
try {
  mkdirSync(lock);
} catch {
  console.log('better-sqlite3: another install is building the addon; waiting for it');
  const started = Date.now();
  while (existsSync(lock) && Date.now() - started < 15 * 60_000) spawnSync('sleep', ['2']);
  process.exit(loads() ? 0 : 1);
}
try {
  writeFileSync(join(lock, 'pid'), String(process.pid));
  console.log(`better-sqlite3: building the native addon (node-gyp ${args.join(' ')})`);
  const run = spawnSync('node-gyp', args, {
    cwd: dir,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (run.status !== 0 || !loads()) {
    console.error(
      'better-sqlite3: the build failed; it needs python3, make and a C++ compiler (apt-get install -y python3 make g++)',
    );
    process.exitCode = 1;
  }
} finally {
  rmSync(lock, { recursive: true, force: true });
}
