/**
 * Label Studio's brush RLE: the bit-packed run-length encoding of `@thi.ng/rle-pack`
 * that Label Studio's front end stores in `value.rle` (not COCO RLE).
 *
 * Bit stream, most significant bit first: 32 bits value count, 5 bits word size − 1,
 * four times 4 bits run-size − 1; then, until every value is produced, one bit
 * (1 = repeat, 0 = literal), 2 bits run-size index, that many bits count − 1, and one
 * word (repeat) or count words (literal). The values are a flattened RGBA image.
 */

/** The header of a brush RLE stream. */
export interface BrushRleHeader {
  /** Number of values (for a mask: width × height × 4). */
  length: number;
  /** Bits per value (Label Studio writes 8). */
  wordSize: number;
  /** Bit widths of the four run-length classes. */
  rleSizes: [number, number, number, number];
}

/**
 * The largest mask decoded: 67,108,864 pixels (an 8,192 × 8,192 image, 64 MiB as one byte
 * a pixel). Larger sizes are refused, not allocated, so one mask's memory stays bounded.
 */
export const MAX_MASK_PIXELS = 2 ** 26;

/** Raised when a brush RLE is malformed; formats turn it into a report entry. */
export class BrushRleError extends Error {
  override readonly name = 'BrushRleError';
}

/** The bytes of an RLE as found in a task: a list of 0–255 numbers or bytes. */
export type BrushRleInput = Uint8Array | readonly number[];

/** Bytes of the RLE, checked: every entry an integer 0–255. */
export function rleBytes(rle: unknown): Uint8Array {
  if (rle instanceof Uint8Array) return rle;
  if (!Array.isArray(rle)) throw new BrushRleError('rle is not a list of byte values');
  const out = new Uint8Array(rle.length);
  for (let i = 0; i < rle.length; i++) {
    const b = rle[i] as unknown;
    if (typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b > 255) {
      throw new BrushRleError(`rle[${i}] is ${JSON.stringify(b)}, not a byte value 0-255`);
    }
    out[i] = b;
  }
  return out;
}

/** Reads bits MSB first from a byte array. */
class BitReader {
  private pos = 0;
  private readonly bits: number;
  constructor(private readonly data: Uint8Array) {
    this.bits = data.length * 8;
  }
  read(n: number): number {
    if (this.pos + n > this.bits) throw new BrushRleError('rle ends before all values were decoded');
    let value = 0;
    let pos = this.pos;
    while (n > 0) {
      const byte = this.data[pos >>> 3]!;
      const avail = 8 - (pos & 7);
      const take = Math.min(avail, n);
      // Multiplication, not <<, so a 32-bit count stays positive.
      value = value * (1 << take) + ((byte >>> (avail - take)) & ((1 << take) - 1));
      n -= take;
      pos += take;
    }
    this.pos = pos;
    return value;
  }
}

function readHeader(reader: BitReader): BrushRleHeader {
  const length = reader.read(32);
  const wordSize = reader.read(5) + 1;
  const rleSizes: [number, number, number, number] = [
    reader.read(4) + 1,
    reader.read(4) + 1,
    reader.read(4) + 1,
    reader.read(4) + 1,
  ];
  return { length, wordSize, rleSizes };
}

/** Reads the header of a brush RLE. */
export function readBrushRleHeader(rle: BrushRleInput): BrushRleHeader {
  return readHeader(new BitReader(rleBytes(rle)));
}

/**
 * Decodes a brush RLE into all its values (a flattened RGBA image for masks). Values
 * wider than 8 bits are kept modulo 256, as the mask is a byte image.
 */
export function decodeBrushRle(rle: BrushRleInput, maxLength = 1 << 30): Uint8Array {
  const reader = new BitReader(rleBytes(rle));
  const { length, wordSize, rleSizes } = readHeader(reader);
  if (length > maxLength)
    throw new BrushRleError(`rle declares ${length} values, more than the ${maxLength} allowed`);
  const out = new Uint8Array(length);
  let i = 0;
  while (i < length) {
    const repeat = reader.read(1);
    const count = reader.read(rleSizes[reader.read(2)]!) + 1;
    const end = Math.min(i + count, length);
    if (repeat) {
      out.fill(reader.read(wordSize), i, end);
      i = end;
    } else {
      for (; i < end; i++) out[i] = reader.read(wordSize);
    }
  }
  return out;
}

/**
 * Decodes one channel of a brush RLE that holds a `width × height` RGBA image: the
 * mask is channel 3 (alpha), as the Python converter reads it. Only that channel is
 * materialised, so a 1024 × 768 mask costs 768 KiB, not 3 MiB.
 * `into`: a buffer of at least `width × height` bytes to decode into instead of a new one
 * (the mask returned is a view of it).
 * @throws BrushRleError when the stream is malformed or its length is not width × height × 4.
 */
export function decodeBrushMask(
  rle: BrushRleInput,
  width: number,
  height: number,
  channel = 3,
  into?: Uint8Array,
): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new BrushRleError(`image size ${width}x${height} is not a positive integer size`);
  }
  const pixels = width * height;
  if (pixels > MAX_MASK_PIXELS) {
    throw new BrushRleError(
      `image size ${width}x${height} is larger than the ${MAX_MASK_PIXELS} pixels a mask may have`,
    );
  }
  const reader = new BitReader(rleBytes(rle));
  const { length, wordSize, rleSizes } = readHeader(reader);
  if (length !== pixels * 4) {
    throw new BrushRleError(
      `rle holds ${length} values but a ${width}x${height} RGBA image needs ${pixels * 4}`,
    );
  }
  // `into`, when large enough, is decoded into (a caller's buffer reused from mask to mask).
  const out = into && into.length >= pixels ? into.subarray(0, pixels).fill(0) : new Uint8Array(pixels);
  let i = 0;
  while (i < length) {
    const repeat = reader.read(1);
    const count = reader.read(rleSizes[reader.read(2)]!) + 1;
    const end = Math.min(i + count, length);
    if (repeat) {
      const value = reader.read(wordSize);
      // Pixels p whose channel value 4p + channel lies in [i, end).
      const first = Math.max(0, Math.ceil((i - channel) / 4));
      const last = Math.max(0, Math.ceil((end - channel) / 4));
      if (last > first) out.fill(value, first, last);
      i = end;
    } else {
      for (; i < end; i++) {
        const value = reader.read(wordSize);
        if ((i & 3) === channel) out[i >>> 2] = value;
      }
    }
  }
  return out;
}

/** Appends bits MSB first to a growing byte array. */
class BitWriter {
  private buf: Uint8Array;
  private byte = 0;
  private acc = 0;
  private accBits = 0;
  private total = 0;
  constructor(capacity: number) {
    this.buf = new Uint8Array(Math.max(16, Math.ceil(capacity)));
  }
  /** Writes the low `n` bits of `value` (n ≤ 32). */
  write(value: number, n: number): void {
    if (n > 16) {
      this.write(Math.floor(value / 65536) & ((1 << (n - 16)) - 1), n - 16);
      this.write(value & 0xffff, 16);
      return;
    }
    if (this.byte + 4 >= this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    // At most 7 pending bits plus 16 new ones: fits a 32-bit integer.
    this.acc = (this.acc << n) | (value & ((1 << n) - 1));
    this.accBits += n;
    this.total += n;
    while (this.accBits >= 8) {
      this.accBits -= 8;
      this.buf[this.byte++] = (this.acc >>> this.accBits) & 0xff;
    }
    this.acc &= (1 << this.accBits) - 1;
  }
  get bitLength(): number {
    return this.total;
  }
  bytes(): Uint8Array {
    const out = this.buf.slice(0, this.byte + (this.accBits ? 1 : 0));
    if (this.accBits) out[this.byte] = (this.acc << (8 - this.accBits)) & 0xff;
    return out;
  }
}

const RLE_SIZES = [3, 4, 8, 16] as const;

/** Streams runs `(value, length)` in order into a brush RLE, with the reference encoder's rules. */
class RunEncoder {
  private readonly out: BitWriter;
  constructor(length: number, capacity: number) {
    this.out = new BitWriter(capacity);
    this.out.write(length, 32);
    this.out.write(8 - 1, 5);
    for (const size of RLE_SIZES) this.out.write(size - 1, 4);
  }
  run(value: number, run: number): void {
    const out = this.out;
    if (run === 1) {
      out.write(0, 1);
      out.write(0, 2);
      out.write(0, 3);
      out.write(value, 8);
      return;
    }
    while (run > 65536) {
      this.repeat(3, 65536, value);
      run -= 65536;
    }
    this.repeat(run <= 8 ? 0 : run <= 16 ? 1 : run <= 256 ? 2 : 3, run, value);
  }
  private repeat(k: number, count: number, value: number): void {
    this.out.write(1, 1);
    this.out.write(k, 2);
    this.out.write(count - 1, RLE_SIZES[k]!);
    this.out.write(value, 8);
  }
  finish(): Uint8Array {
    // The reference always pads, with a whole zero byte when already on a boundary.
    this.out.write(0, 8 - (this.out.bitLength % 8));
    return this.out.bytes();
  }
}

/**
 * Encodes byte values (a flattened RGBA image) as a brush RLE following the Python
 * converter's encoder (`encode_rle`): 8-bit words, run sizes 3/4/8/16, every run of
 * one value written as a one-value literal, longer runs as repeats split at 65,536,
 * and the stream padded with zero bits to whole bytes (a full extra zero byte when it
 * already ends on a byte boundary, as the reference does).
 */
export function encodeBrushRle(values: ArrayLike<number>): Uint8Array {
  const n = values.length;
  const enc = new RunEncoder(n, 64 + n / 4);
  let i = 0;
  while (i < n) {
    const value = values[i]! & 0xff;
    let j = i + 1;
    while (j < n && (values[j]! & 0xff) === value) j++;
    enc.run(value, j - i);
    i = j;
  }
  return enc.finish();
}

/**
 * Encodes a `height × width` byte mask the way the Python converter's `mask2rle`
 * does: every pixel value repeated in the four RGBA channels (without building
 * the four-times-larger RGBA array).
 */
export function encodeBrushMask(mask: ArrayLike<number>): Uint8Array {
  const n = mask.length;
  const enc = new RunEncoder(n * 4, 64 + n / 8);
  let i = 0;
  while (i < n) {
    const value = mask[i]! & 0xff;
    let j = i + 1;
    while (j < n && (mask[j]! & 0xff) === value) j++;
    enc.run(value, (j - i) * 4);
    i = j;
  }
  return enc.finish();
}
