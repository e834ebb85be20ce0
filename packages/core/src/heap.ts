import { setFlagsFromString } from 'node:v8';

/** The heap growth {@link limitHeapGrowth} sets unless told otherwise, in percent. */
export const HEAP_GROWING_PERCENT = 50;

let applied: number | undefined;

/**
 * Lets V8 grow each JavaScript heap of this process by at most `percent` between two full
 * collections. V8's own factor goes up to 4× when collecting is cheap, which suits a short
 * script, not an export that streams a million tasks through three isolates (the main
 * thread and two workers on two cores): their heaps filled with garbage that was already
 * dead. COCO on 200,000 generated tasks with 2 threads: peak RSS 284–306 MB with V8's
 * factor, 216–218 MB at 50%, for at most a few percent more time.
 *
 * The setting is process-wide and lasts as long as the process, so only programs call it:
 * the `lsconv` command and `lsconv-server` at start (and the benchmarks, which measure what
 * they do); a library user decides for their own process. `LSCONV_HEAP_GROWING_PERCENT`
 * overrides the value; `0` keeps V8's own. Returns the percent set, or undefined when none.
 */
export function limitHeapGrowth(
  env: Readonly<Record<string, string | undefined>> = process.env,
  percent = HEAP_GROWING_PERCENT,
): number | undefined {
  const fromEnv = env.LSCONV_HEAP_GROWING_PERCENT?.trim();
  const value = fromEnv ? Number(fromEnv) : percent;
  // Not a whole number from 1 to 1000: leave V8 alone (0 asks for that).
  if (!Number.isInteger(value) || value < 1 || value > 1000) return undefined;
  if (applied !== value) {
    setFlagsFromString(`--heap-growing-percent=${value}`);
    applied = value;
  }
  return value;
}
