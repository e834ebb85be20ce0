// Peak resident memory of a process, in MiB (1024 × 1024 bytes).
import { readFileSync } from 'node:fs';

/**
 * The high-water mark of the process's resident memory: `VmHWM` from /proc on Linux.
 * `process.resourceUsage().maxRSS` is not used there: a process started by another keeps the
 * parent's peak at the time of the fork as its own maxRSS, so a child of a big benchmark
 * process reported the parent's memory (a BRUSH_TO_NUMPY child started right after the
 * parent removed a million files: 1,199 MB by maxRSS, 131 MB by VmHWM). Elsewhere, maxRSS.
 */
export function peakRssMb(pid = 'self') {
  try {
    const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    if (kb > 0) return kb / 1024;
  } catch {
    // Not Linux: fall back below.
  }
  if (pid !== 'self') return 0;
  return process.resourceUsage().maxRSS / 1024;
}
