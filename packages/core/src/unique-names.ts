import { StringSet } from './compact-set.js';

/**
 * Hands out file names that never repeat: the second `a` becomes `a-2`, the third
 * `a-3`, comparing without case. Holds one entry per name, as bytes outside the
 * JavaScript heap ({@link StringSet}).
 */
export class UniqueNames {
  private readonly used = new StringSet();
  /** A name not handed out before, derived from `stem`. */
  take(stem: string): string {
    if (this.used.add(stem.toLowerCase())) return stem;
    for (let n = 2; ; n++) {
      const candidate = `${stem}-${n}`;
      if (this.used.add(candidate.toLowerCase())) return candidate;
    }
  }
  /** True when `stem` was handed out. */
  has(stem: string): boolean {
    return this.used.has(stem.toLowerCase());
  }
}
