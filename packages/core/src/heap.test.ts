import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HEAP_GROWING_PERCENT, limitHeapGrowth } from './heap.js';

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

  it("keeps a heap near its live size: full collections come sooner than with V8's own factor", () => {
    // A program that keeps 20 MB alive and makes 600 MB of garbage that survives young
    // collections; its heap's high-water mark shows how far V8 let garbage pile up.
    const program = `
      const v8 = require('node:v8');
      if (process.argv[1] === 'limit') v8.setFlagsFromString('--heap-growing-percent=${HEAP_GROWING_PERCENT}');
      const live = Array.from({ length: 200 }, () => new Array(12_500).fill(0).map((_, i) => ({ i })));
      let high = 0;
      let batch = [];
      for (let round = 0; round < 300; round++) {
        batch.push(Array.from({ length: 20_000 }, (_, i) => ({ i, s: 'x' + i })));
        if (batch.length > 3) batch = [];
        high = Math.max(high, process.memoryUsage().heapTotal);
      }
      console.log(Math.round(high / 1e6), live.length);
    `;
    const run = (mode: string) =>
      Number(execFileSync(process.execPath, ['-e', program, mode], { encoding: 'utf8' }).split(' ')[0]);
    const limited = run('limit');
    const free = run('free');
    expect(limited).toBeLessThan(free);
  });
});
