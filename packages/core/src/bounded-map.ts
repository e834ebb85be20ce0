/**
 * A Map that forgets its oldest entries (in order of insertion) once it holds `limit`, so
 * what it remembers stays bounded on huge exports: for caches, and for details that are
 * only needed for recent entries.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly limit: number) {
    super();
  }

  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= this.limit) {
      const oldest = this.keys().next();
      if (!oldest.done) this.delete(oldest.value);
    }
    return super.set(key, value);
  }
}
