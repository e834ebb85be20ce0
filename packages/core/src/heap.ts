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

/**
 * The main thread's semi-space, in MB, when worker threads prepare the tasks (V8's own
 * default on Node 24 is 32): the main thread then slices the input, orders the workers'
 * results and writes the output, and keeps little alive. 100,000 generated tasks, two
 * threads: peak RSS (MiB) with 4 MB against 8 MB, JSON_MIN 200-225 against 227-265, CSV
 * 212-217 against 245, CoNLL 177-188 against 225-236, COCO 171-178 against 190-201, YOLO
 * 170-173 against 193-197. The cost is COCO's time, whose main thread writes the
 * document: 4.44-4.47 s against 3.99-4.08 s (page cache dropped before each run); JSON_MIN,
 * CSV, CoNLL and YOLO took the same CPU time within the runs' spread. (6 MB behaves as 8.)
 */
export const SEMI_SPACE_MB = 4;

/**
 * The main thread's semi-space, in MB, when it prepares every task itself (`--threads 1`):
 * there a smaller one costs time (CoNLL 3.84-3.93 s of user time with 4 MB against 3.56 s
 * with 8, COCO 6.7-7.0 against 6.2-6.6).
 */
export const ONE_THREAD_SEMI_SPACE_MB = 8;

/**
 * The V8 flags the lsconv programs start with: a main-thread young generation of
 * {@link SEMI_SPACE_MB} MB per semi-space, or {@link ONE_THREAD_SEMI_SPACE_MB} when the
 * program says it works on one thread. Node 24's V8 lets the main thread's semi-spaces
 * grow to 32 MB, and an export's main thread then held about 100 MB more at its peak than
 * on Node 20 (COCO on 100,000 generated tasks with 2 threads: 342-362 MB). The size of an
 * isolate's young generation is fixed when it starts, so the flag must be on the command
 * line (worker threads set theirs in `resourceLimits`). `LSCONV_SEMI_SPACE_MB` overrides
 * the size; `0` keeps V8's own.
 */
export function memoryFlags(
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: { oneThread?: boolean } = {},
): string[] {
  const fromEnv = env.LSCONV_SEMI_SPACE_MB?.trim();
  const mb = fromEnv ? Number(fromEnv) : options.oneThread ? ONE_THREAD_SEMI_SPACE_MB : SEMI_SPACE_MB;
  if (!Number.isInteger(mb) || mb < 1 || mb > 1024) return [];
  return [`--max-semi-space-size=${mb}`];
}

/**
 * Restarts this program in place with {@link memoryFlags} when it was not started with
 * them, keeping its process id, arguments, environment and standard streams
 * (`process.execve`, Node.js 22.15 and later on POSIX systems). Where that is not
 * available (Windows, Node.js 22.13–22.14) the program goes on with V8's defaults and only
 * peaks higher. Programs call it first thing, before they read input; a library never
 * does. Returns only when no restart happened.
 */
export function relaunchWithMemoryFlags(
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: { oneThread?: boolean } = {},
): void {
  const flags = memoryFlags(env, options);
  const execve = (process as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never })
    .execve;
  if (flags.length === 0 || typeof execve !== 'function' || env.LSCONV_RELAUNCHED === '1') return;
  const given = process.execArgv;
  if (flags.every((flag) => given.includes(flag))) return;
  const script = process.argv[1];
  if (!script) return;
  execve(process.execPath, [process.execPath, ...flags, ...given, script, ...process.argv.slice(2)], {
    ...process.env,
    LSCONV_RELAUNCHED: '1',
  });
}
