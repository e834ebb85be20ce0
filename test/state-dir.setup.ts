// Every test, and every command a test starts, keeps lsconv's per-user state (what the
// CLI has already told, `XDG_STATE_HOME`) in a temporary folder removed at the end.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'lsconv-test-state-'));
  process.env.XDG_STATE_HOME = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
