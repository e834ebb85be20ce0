import { RESOURCE_DEFAULTS } from './resolver.js';
import type { PrefetchRef, ResourceResolver } from './types.js';

/**
 * Yields what `source` yields, in order, reading up to `depth` values ahead of the consumer
 * and calling `ahead` on each value as it is read. Values are read one at a time, so a
 * source's own order and side effects (report entries) stay in sequence.
 */
export async function* readAhead<T>(
  source: AsyncIterable<T>,
  depth: number,
  ahead: (value: T) => void,
): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const queue: T[] = [];
  let head = 0;
  let finished = false;
  try {
    for (;;) {
      while (!finished && queue.length - head < Math.max(1, depth)) {
        const next = await iterator.next();
        if (next.done) finished = true;
        else {
          ahead(next.value);
          queue.push(next.value);
        }
      }
      if (head === queue.length) return;
      const value = queue[head]!;
      queue[head++] = undefined as T;
      // Drop consumed slots now and then, so the queue stays `depth` long.
      if (head >= 1024) {
        queue.splice(0, head);
        head = 0;
      }
      yield value;
    }
  } finally {
    if (!finished) await iterator.return?.();
  }
}

/**
 * Hands `resources` the media references of the values a format is about to convert, a few
 * times `concurrency` values ahead, so downloads run in parallel while the format converts
 * one task after another in order. `refOf` names a value's reference (or none); `copy`
 * says the format will copy the bytes into the export ({@link ResourceResolver.copyTo}).
 * When nothing could be fetched (downloads off and no copying), `source` is returned as is.
 */
export function prefetchAhead<T>(
  source: AsyncIterable<T>,
  resources: ResourceResolver,
  refOf: (value: T) => PrefetchRef | undefined,
  options: { copy?: boolean } = {},
): AsyncIterable<T> {
  const { download, fetch, concurrency } = resources.options;
  if (!options.copy && !(fetch ?? download)) return source;
  const depth = 4 * (concurrency ?? RESOURCE_DEFAULTS.concurrency);
  const copy = options.copy === true;
  return readAhead(source, depth, (value) => {
    const ref = refOf(value);
    if (ref !== undefined) resources.prefetch([ref], { copy });
  });
}
