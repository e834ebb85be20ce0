import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { recoverInterrupted } from './commit.js';

/**
 * Cleans up after killed exports to `target`: temporary outputs named
 * `.<name>.lsconv-tmp-<pid>-<hex>` (and `…-old`) whose process is gone. A process killed
 * with SIGKILL (or by a power cut) cannot clean up after itself; the next export to the
 * same output does it. When the process died between the two renames of a swap, the old
 * output is put back first. Temporaries of live processes, including this one, are kept.
 */
export async function removeStaleTemps(target: string): Promise<void> {
  const dir = dirname(target);
  const prefix = `.${basename(target)}.lsconv-tmp-`;
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return;
  }
  const dead = names.filter((name) => {
    if (!name.startsWith(prefix)) return false;
    const match = /^(\d+)-[0-9a-f]{8}(?:-old)?$/.exec(name.slice(prefix.length));
    if (!match) return false;
    const pid = Number(match[1]);
    return pid !== process.pid && !isAlive(pid);
  });
  await recoverInterrupted(target, dead);
  for (const name of dead) {
    await fs.rm(join(dir, name), { recursive: true, force: true }).catch(() => undefined);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
