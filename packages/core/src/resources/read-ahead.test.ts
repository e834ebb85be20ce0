import { describe, expect, it } from 'vitest';
import { prefetchAhead, readAhead } from './read-ahead.js';
import { createResourceResolver } from './resolver.js';
import type { PrefetchRef, ResourceResolver } from './types.js';

async function* count(n: number, log: string[], failAt?: number): AsyncGenerator<number> {
  try {
    for (let i = 0; i < n; i++) {
      if (i === failAt) throw new Error(`source failed at ${i}`);
      log.push(`read ${i}`);
      yield i;
    }
  } finally {
    log.push('source closed');
  }
}

describe('readAhead', () => {
  it('yields every value in order, never more than `depth` values ahead', async () => {
    const log: string[] = [];
    const seen: number[] = [];
    for await (const value of readAhead(count(10, log), 3, (v) => log.push(`ahead ${v}`))) {
      const aheadOf = log.filter((l) => l.startsWith('ahead')).length;
      expect(aheadOf - value).toBeLessThanOrEqual(3);
      seen.push(value);
    }
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(log.filter((l) => l.startsWith('ahead'))).toEqual(seen.map((v) => `ahead ${v}`));
    expect(log.at(-1)).toBe('source closed');
  });

  it('closes the source when the consumer stops early', async () => {
    const log: string[] = [];
    for await (const value of readAhead(count(100, log), 5, () => undefined)) if (value === 2) break;
    expect(log.at(-1)).toBe('source closed');
    expect(log.filter((l) => l.startsWith('read')).length).toBeLessThanOrEqual(8);
  });

  it('yields the values before a failure, then throws it', async () => {
    const seen: number[] = [];
    const run = async () => {
      for await (const value of readAhead(count(10, [], 4), 2, () => undefined)) seen.push(value);
    };
    await expect(run()).rejects.toThrow('source failed at 4');
    // The failure is met while reading ahead, before all the values read are yielded.
    expect(seen.length).toBeLessThanOrEqual(4);
    expect(seen).toEqual([0, 1, 2, 3].slice(0, seen.length));
  });

  it('keeps going past the queue compaction (more than 1,024 values)', async () => {
    let total = 0;
    let last = -1;
    for await (const value of readAhead(count(3000, []), 64, () => undefined)) {
      expect(value).toBe(last + 1);
      last = value;
      total++;
    }
    expect(total).toBe(3000);
  });
});

describe('prefetchAhead', () => {
  function recording(options: ResourceResolver['options']) {
    const calls: { refs: PrefetchRef[]; copy: boolean | undefined }[] = [];
    const real = createResourceResolver(options);
    const resolver: ResourceResolver = {
      ...real,
      options: real.options,
      prefetch(refs, prefetchOptions) {
        calls.push({ refs: [...refs], copy: prefetchOptions?.copy });
      },
    };
    return { resolver, calls };
  }

  it("hands each value's reference to the resolver as it reads ahead, with the copy flag", async () => {
    const { resolver, calls } = recording({});
    const values = ['a.png', undefined, 'c.png'];
    async function* source() {
      yield* values;
    }
    const seen: unknown[] = [];
    const refOf = (v: string | undefined) => (v ? { url: v, context: { taskId: v } } : undefined);
    for await (const value of prefetchAhead(source(), resolver, refOf, { copy: true })) seen.push(value);
    expect(seen).toEqual(values);
    expect(calls).toEqual([
      { refs: [{ url: 'a.png', context: { taskId: 'a.png' } }], copy: true },
      { refs: [{ url: 'c.png', context: { taskId: 'c.png' } }], copy: true },
    ]);
  });

  it('leaves the source alone when nothing would be fetched', async () => {
    const { resolver, calls } = recording({});
    async function* source() {
      yield 'a.png';
    }
    const tasks = source();
    expect(prefetchAhead(tasks, resolver, (v) => v)).toBe(tasks);
    const withDownloads = recording({ download: true });
    expect(prefetchAhead(tasks, withDownloads.resolver, (v) => v)).not.toBe(tasks);
    expect(calls).toEqual([]);
  });
});
