/**
 * Sets that hold millions of entries in typed arrays instead of the JavaScript heap.
 * A `Set<string>` costs about 100–250 bytes per short string on a 64-bit V8 heap (the
 * string, the table slot and whatever a sliced string keeps alive); the formats that
 * write one file per task keep one entry per file, so at 1,000,000 tasks that alone was
 * hundreds of megabytes.
 */

/** Smallest table: 1,024 slots. Tables double when they are half full. */
const INITIAL_SLOTS = 1024;

/** A set of integers in `[0, 2^31 - 1)`, 4 bytes per slot, at most half the slots in use. */
export class IntSet {
  // Slot value 0 means empty; a member v is stored as v + 1.
  private slots = new Int32Array(INITIAL_SLOTS);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds `value`; returns false when it was already there. */
  add(value: number): boolean {
    checkInt(value);
    if ((this.count + 1) * 2 > this.slots.length) this.grow();
    const stored = value + 1;
    const mask = this.slots.length - 1;
    for (let i = mix(value) & mask; ; i = (i + 1) & mask) {
      const slot = this.slots[i]!;
      if (slot === stored) return false;
      if (slot === 0) {
        this.slots[i] = stored;
        this.count++;
        return true;
      }
    }
  }

  has(value: number): boolean {
    if (!Number.isInteger(value) || value < 0 || value >= 0x7fffffff) return false;
    const stored = value + 1;
    const mask = this.slots.length - 1;
    for (let i = mix(value) & mask; ; i = (i + 1) & mask) {
      const slot = this.slots[i]!;
      if (slot === stored) return true;
      if (slot === 0) return false;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Int32Array(old.length * 2);
    const mask = this.slots.length - 1;
    for (const stored of old) {
      if (stored === 0) continue;
      let i = mix(stored - 1) & mask;
      while (this.slots[i] !== 0) i = (i + 1) & mask;
      this.slots[i] = stored;
    }
  }
}

/**
 * A set of 64-bit hashes, each given as two 32-bit halves: 8 bytes per slot, at most half
 * the slots in use. For remembering pairs of strings by a digest when an exact check
 * exists elsewhere; the value (0, 0) is kept as (0, 1).
 */
export class HashSet64 {
  // Per slot, the high then the low half; (0, 0) means empty.
  private slots = new Uint32Array(INITIAL_SLOTS * 2);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds the hash `high * 2^32 + low`; returns false when it was already there. */
  add(high: number, low: number): boolean {
    if ((this.count + 1) * 4 > this.slots.length) this.grow();
    const [hi, lo] = halves(high, low);
    const i = this.find(hi, lo);
    if (this.slots[i] !== 0 || this.slots[i + 1] !== 0) return false;
    this.slots[i] = hi;
    this.slots[i + 1] = lo;
    this.count++;
    return true;
  }

  has(high: number, low: number): boolean {
    const [hi, lo] = halves(high, low);
    const i = this.find(hi, lo);
    return this.slots[i] !== 0 || this.slots[i + 1] !== 0;
  }

  /** The index of the slot holding (hi, lo), or of the empty slot where it would go. */
  private find(hi: number, lo: number): number {
    const mask = this.slots.length / 2 - 1;
    for (let slot = mix(lo ^ mix(hi)) & mask; ; slot = (slot + 1) & mask) {
      const i = slot * 2;
      const h = this.slots[i]!;
      const l = this.slots[i + 1]!;
      if ((h === hi && l === lo) || (h === 0 && l === 0)) return i;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    for (let i = 0; i < old.length; i += 2) {
      const hi = old[i]!;
      const lo = old[i + 1]!;
      if (hi === 0 && lo === 0) continue;
      const at = this.find(hi, lo);
      this.slots[at] = hi;
      this.slots[at + 1] = lo;
    }
  }
}

function halves(high: number, low: number): [number, number] {
  const hi = high >>> 0;
  const lo = low >>> 0;
  return hi === 0 && lo === 0 ? [0, 1] : [hi, lo];
}

/** Bytes per chunk of a {@link StringSet}; a longer member gets a chunk of its own. */
const CHUNK_BITS = 18;
const CHUNK_BYTES = 1 << CHUNK_BITS;
/** Chunks a {@link StringSet} can address in 32 bits: 2^14 × 256 KB = 4 GB of members. */
const MAX_CHUNKS = 2 ** (32 - CHUNK_BITS);

/**
 * An exact set of strings kept as UTF-8 bytes in 256 KB chunks, with an open addressing
 * table of where each member starts: per member, its byte length plus 8, and 4 bytes per
 * table slot (at least half the slots are free). Chunks are never copied or grown, so memory
 * follows the members without a doubling's slack. Lookups compare bytes, so two
 * different strings are never taken for one another.
 */
export class StringSet {
  /**
   * Bytes of the record header: the length, the hash and the tag ({@link TaggedStringSet}).
   * @internal
   */
  protected readonly header: number;

  constructor(tagBytes = 0) {
    this.header = HEADER_BYTES + tagBytes;
  }

  // Per slot: where the member starts, as chunk * CHUNK_BYTES + offset, plus 1 (0 = empty).
  protected places = new Uint32Array(INITIAL_SLOTS);
  // Members back to back, each as its byte length, its 32-bit hash (so most mismatches
  // skip the byte comparison, and growing the table reads no text) and its UTF-8 bytes.
  protected readonly chunks: Buffer[] = [Buffer.allocUnsafe(CHUNK_BYTES)];
  protected used = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds `text`; returns false when it was already there. */
  add(text: string): boolean {
    if ((this.count + 1) * 2 > this.places.length) this.grow();
    const length = this.stage(text);
    const slot = this.find(length);
    if (this.places[slot] !== 0) return false;
    this.commit(slot, length);
    return true;
  }

  /** Makes the staged record of `length` bytes a member, at the empty `slot`. */
  protected commit(slot: number, length: number): void {
    this.places[slot] = (this.chunks.length - 1) * CHUNK_BYTES + this.used + 1;
    this.used += this.header + length;
    this.count++;
  }

  has(text: string): boolean {
    return this.places[this.find(this.stage(text))] !== 0;
  }

  /**
   * Writes `text` as a record after the last member of the last chunk (not yet a member),
   * starting a new chunk when it does not fit; returns its byte length.
   */
  protected stage(text: string): number {
    let chunk = this.chunks[this.chunks.length - 1]!;
    // A member must start within the first CHUNK_BYTES of its chunk (see `places`), so a
    // chunk made larger for one long member takes nothing after it.
    const room = Math.min(chunk.length, CHUNK_BYTES) - this.used - this.header;
    // 3 bytes per UTF-16 unit is the most UTF-8 can take; only measure when that might not fit.
    if (text.length * 3 > room && Buffer.byteLength(text) > room) {
      if (this.chunks.length >= MAX_CHUNKS) throw new RangeError('StringSet is full (4 GB of members)');
      chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, this.header + Buffer.byteLength(text)));
      this.chunks.push(chunk);
      this.used = 0;
    }
    const at = this.used;
    const from = at + this.header;
    const length = chunk.write(text, from, 'utf8');
    chunk.writeUInt32LE(length, at);
    chunk.writeInt32LE(hashBytes(chunk, from, from + length), at + 4);
    return length;
  }

  /** The slot holding the record staged at the end of the last chunk, or the empty slot where it would go. */
  protected find(length: number): number {
    const mask = this.places.length - 1;
    const staged = this.chunks[this.chunks.length - 1]!;
    const start = this.used;
    const hash = staged.readInt32LE(start + 4);
    for (let i = mix(hash) & mask; ; i = (i + 1) & mask) {
      const place = this.places[i]!;
      if (place === 0) return i;
      const chunk = this.chunks[(place - 1) >>> CHUNK_BITS]!;
      const at = (place - 1) & (CHUNK_BYTES - 1);
      if (chunk.readInt32LE(at + 4) !== hash || chunk.readUInt32LE(at) !== length) continue;
      const from = at + this.header;
      const own = start + this.header;
      if (staged.compare(chunk, from, from + length, own, own + length) === 0) return i;
    }
  }

  protected grow(): void {
    const places = this.places;
    this.places = new Uint32Array(places.length * 2);
    const mask = this.places.length - 1;
    for (const place of places) {
      if (place === 0) continue;
      const chunk = this.chunks[(place - 1) >>> CHUNK_BITS]!;
      let i = mix(chunk.readInt32LE(((place - 1) & (CHUNK_BYTES - 1)) + 4)) & mask;
      while (this.places[i] !== 0) i = (i + 1) & mask;
      this.places[i] = place;
    }
  }
}

/**
 * A {@link StringSet} whose members each carry an 8-byte tag, such as a digest of what
 * owns a name: `claim` adds a member with its tag or says whether it holds the same tag.
 * Per member, 8 bytes more than a {@link StringSet}.
 */
export class TaggedStringSet extends StringSet {
  constructor() {
    super(TAG_BYTES);
  }

  /**
   * Adds `text` with `tag` (8 bytes) when it is not a member and returns `'added'`;
   * otherwise `'same'` when its tag is `tag`, `'other'` when it is not.
   */
  claim(text: string, tag: Uint8Array): 'added' | 'same' | 'other' {
    const [slot, length, found] = this.lookup(text, tag);
    if (found !== 'absent') return found;
    this.chunks[this.chunks.length - 1]!.set(tag, this.used + HEADER_BYTES);
    this.commit(slot, length);
    return 'added';
  }

  /** Whether `text` is a member with `tag` (`'same'`), with another tag, or not a member; adds nothing. */
  tagged(text: string, tag: Uint8Array): 'absent' | 'same' | 'other' {
    return this.lookup(text, tag)[2];
  }

  private lookup(text: string, tag: Uint8Array): [slot: number, length: number, 'absent' | 'same' | 'other'] {
    if (tag.length !== TAG_BYTES) throw new RangeError(`a tag has ${TAG_BYTES} bytes, not ${tag.length}`);
    if ((this.size + 1) * 2 > this.places.length) this.grow();
    const length = this.stage(text);
    const slot = this.find(length);
    const place = this.places[slot]!;
    if (place === 0) return [slot, length, 'absent'];
    const chunk = this.chunks[(place - 1) >>> CHUNK_BITS]!;
    const at = ((place - 1) & (CHUNK_BYTES - 1)) + HEADER_BYTES;
    return [slot, length, chunk.compare(tag, 0, TAG_BYTES, at, at + TAG_BYTES) === 0 ? 'same' : 'other'];
  }
}

/** A {@link StringSet} record starts with the byte length and the hash of its text. */
const HEADER_BYTES = 8;
/** Bytes of a {@link TaggedStringSet} tag, after the header. */
const TAG_BYTES = 8;

function checkInt(value: number): void {
  if (!Number.isInteger(value) || value < 0 || value >= 0x7fffffff)
    throw new RangeError(`IntSet holds integers in [0, 2^31 - 1), not ${value}`);
}

/** FNV-1a over bytes, as a signed 32-bit integer. */
function hashBytes(bytes: Buffer, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h | 0;
}

/** Spreads the bits of a hash over the low bits that pick a slot. */
function mix(value: number): number {
  let h = Math.imul(value ^ (value >>> 16), 0x45d9f3b);
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  return (h ^ (h >>> 16)) >>> 0;
}
