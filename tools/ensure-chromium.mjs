// The server's browser test drives Debian's Chromium. CI starts from a bare machine,
// so when Chromium is missing and we may install system packages (root with apt-get),
// install it; elsewhere say that the browser test will be skipped.
import { spawnSync } from 'node:child_process';

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

if (has('chromium')) process.exit(0);
const root = typeof process.getuid === 'function' && process.getuid() === 0;
if (!root || !has('apt-get')) {
  console.warn(
    'tools/ensure-chromium: chromium is not installed; the browser test will be skipped (apt-get install chromium)',
  );
  process.exit(0);
}
console.log('tools/ensure-chromium: installing Debian chromium for the browser test');
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const run = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env }).status === 0;
if (!run(['update', '-qq']) || !run(['install', '-y', '-qq', '--no-install-recommends', 'chromium'])) {
  console.error('tools/ensure-chromium: installing chromium failed');
  process.exit(1);
}
