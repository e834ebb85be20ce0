import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  HEAP_GROWING_PERCENT,
  limitHeapGrowth,
  memoryFlags,
  ONE_THREAD_SEMI_SPACE_MB,
  SEMI_SPACE_MB,
} from './heap.js';

describe('limitHeapGrowth', () => {
  it("sets the default, or the value of LSCONV_HEAP_GROWING_PERCENT, and 0 keeps V8's own", () => {
    expect(limitHeapGrowth({})).toBe(HEAP_GROWING_PERCENT);
    expect(limitHeapGrowth({ LSCONV_HEAP_GROWING_PERCENT: '20' })).toBe(20);
    expect(limitHeapGrowth({ LSCONV_HEAP_GROWING_PERCENT: ' 100 ' })).toBe(100);
    for (const value of ['0', '-5', '1.5', 'lots', '1001']) {
      expect(limitHeapGrowth({ LSCONV_HEAP_GROWING_PERCENT: value })).toBeUndefined();
    }
    expect(limitHeapGrowth({}, 75)).toBe(75);
    limitHeapGrowth({});
  });

  it('names the semi-space flag, or none when LSCONV_SEMI_SPACE_MB is 0 or not a size', () => {
    expect(memoryFlags({})).toEqual([`--max-semi-space-size=${SEMI_SPACE_MB}`]);
    expect(memoryFlags({}, { oneThread: true })).toEqual([
      `--max-semi-space-size=${ONE_THREAD_SEMI_SPACE_MB}`,
    ]);
    expect(ONE_THREAD_SEMI_SPACE_MB).toBeGreaterThan(SEMI_SPACE_MB);
    expect(memoryFlags({ LSCONV_SEMI_SPACE_MB: '16' }, { oneThread: true })).toEqual([
      '--max-semi-space-size=16',
    ]);
    expect(memoryFlags({ LSCONV_SEMI_SPACE_MB: '16' })).toEqual(['--max-semi-space-size=16']);
    for (const value of ['0', '-1', '2.5', 'big'])
      expect(memoryFlags({ LSCONV_SEMI_SPACE_MB: value })).toEqual([]);
  });
});

describe('relaunchWithMemoryFlags', () => {
  // A program that restarts itself, then makes young garbage that partly survives and
  // reports the largest size its new space reached: V8 never grows a semi-space past its
  // maximum, so the size shows which young generation the process really runs with. V8
  // grows the new space by the bytes that survive, not by time. With 4 MB semi-spaces it
  // measured 9.75-11.25 MB here (a little more than two semi-spaces),
  // with 8 MB 16, and 64 without the flag. The program stops as soon as it is past four
  // semi-spaces: the rounds it took show how far the budget of 400 rounds is from
  // deciding the outcome.
  const ceilingMb = 4 * SEMI_SPACE_MB;
  const core = join(import.meta.dirname, '..', 'dist', 'index.js');
  const program = `
    import { getHeapSpaceStatistics } from 'node:v8';
    import { readFileSync } from 'node:fs';
    const { relaunchWithMemoryFlags } = await import(${JSON.stringify(pathToFileURL(core).href)});
    relaunchWithMemoryFlags();
    const keep = [];
    let high = 0;
    let rounds = 0;
    for (; rounds < 400 && high <= ${ceilingMb * 1048576}; rounds++) {
      keep.push(Array.from({ length: 5000 }, (_, i) => ({ i, s: 'x' + i })));
      if (keep.length > 8) keep.shift();
      high = Math.max(high, getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);
    }
    const stdin = readFileSync(0, 'utf8');
    console.log(JSON.stringify({ pid: process.pid, execArgv: process.execArgv, argv: process.argv.slice(2), newSpaceMb: high / 1048576, rounds, stdin }));
  `;
  const dir = mkdtempSync(join(tmpdir(), 'lsconv-relaunch-'));
  const script = join(dir, 'program.mjs');
  writeFileSync(script, program);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const start = (node: string, env: Record<string, string> = {}) =>
    new Promise<{
      childPid: number;
      out: {
        pid: number;
        execArgv: string[];
        argv: string[];
        newSpaceMb: number;
        rounds: number;
        stdin: string;
      };
    }>((resolve, reject) => {
      const child = execFile(
        node,
        [script, 'an argument', '--x=1'],
        { env: { ...process.env, ...env } },
        (error, stdout) =>
          error ? reject(error) : resolve({ childPid: child.pid!, out: JSON.parse(stdout) }),
      );
      child.stdin!.end('streams are kept');
    });

  it.runIf(typeof (process as { execve?: unknown }).execve === 'function')(
    'restarts in place (same process id, arguments and streams) with its semi-space',
    async () => {
      const { childPid, out } = await start(process.execPath);
      expect(out.pid).toBe(childPid);
      expect(out.execArgv).toEqual([`--max-semi-space-size=${SEMI_SPACE_MB}`]);
      expect(out.argv).toEqual(['an argument', '--x=1']);
      expect(out.stdin).toBe('streams are kept');
      expect(out.newSpaceMb).toBeLessThanOrEqual(ceilingMb);
      expect(out.rounds).toBe(400);
      // Without the restart the same program's new space grows past that, in well under
      // half the rounds (about 70 on Node 24).
      const plain = await start(process.execPath, { LSCONV_SEMI_SPACE_MB: '0' });
      expect(plain.out.execArgv).toEqual([]);
      expect(plain.out.newSpaceMb).toBeGreaterThan(ceilingMb);
      expect(plain.out.rounds).toBeLessThan(200);
    },
  );

  const floor = join(
    import.meta.dirname,
    '..',
    '..',
    '..',
    'tools',
    'floor',
    'node_modules',
    'node',
    'bin',
    'node',
  );
  it.runIf(existsSync(floor))(
    'goes on without a restart where process.execve is missing (Node.js 22.13)',
    async () => {
      const { childPid, out } = await start(floor);
      expect(out.pid).toBe(childPid);
      expect(out.execArgv).toEqual([]);
      expect(out.stdin).toBe('streams are kept');
    },
  );
});
