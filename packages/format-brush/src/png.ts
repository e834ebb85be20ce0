import { deflateSync } from 'node:zlib';

// PNG files written without a PNG library, with the bytes pngjs writes for the same image
// and options (signature, IHDR, IDAT, IEND; rows unfiltered; zlib level 6, run-length
// strategy). Masks are long runs of equal bytes, which that strategy packs well, and an
// adaptive filter search costs six times as much as the rest of the encoding on a
// 1024 × 768 mask. A region's rows are laid out in one scratch buffer kept from one mask to
// the next: a fresh one per mask (three, with pngjs) is memory outside the JavaScript heap
// that only a collection frees, and an export writing a mask per region held a hundred
// megabytes of them at its peak.

/** Largest scratch kept between masks (a larger mask gets its own buffer). */
const KEEP_SCRATCH_BYTES = 16 * 1024 * 1024;
let scratch: Buffer | undefined;

/** The rows of `data`, each after a filter byte 0, in a buffer that may be reused by the next call. */
function unfilteredRows(data: Uint8Array, width: number, height: number): Buffer {
  const size = (width + 1) * height;
  let raw: Buffer;
  if (size > KEEP_SCRATCH_BYTES) raw = Buffer.allocUnsafeSlow(size);
  else {
    if (!scratch || scratch.length < size) scratch = Buffer.allocUnsafeSlow(Math.max(size, 64 * 1024));
    raw = scratch;
  }
  for (let y = 0; y < height; y++) {
    const at = y * (width + 1);
    raw[at] = 0;
    raw.set(data.subarray(y * width, (y + 1) * width), at + 1);
  }
  return raw.subarray(0, size);
}

function checkSize(data: Uint8Array, width: number, height: number): void {
  if (data.length !== width * height)
    throw new RangeError(`PNG data has ${data.length} bytes, ${width}x${height} needs ${width * height}`);
}

/** An 8-bit greyscale PNG (what PIL writes for a mode `L` image). */
export function encodeGreyPng(data: Uint8Array, width: number, height: number): Uint8Array {
  checkSize(data, width, height);
  return assemble(width, height, 0, undefined, deflateRows(data, width, height));
}

/** An 8-bit indexed (palette) PNG; `palette` holds `[r, g, b]` per index. */
export function encodeIndexedPng(
  data: Uint8Array,
  width: number,
  height: number,
  palette: readonly (readonly [number, number, number])[],
): Uint8Array {
  checkSize(data, width, height);
  if (palette.length === 0 || palette.length > 256)
    throw new RangeError('a PNG palette holds 1 to 256 colours');
  const plte = new Uint8Array(palette.length * 3);
  palette.forEach(([r, g, b], i) => {
    plte[i * 3] = r;
    plte[i * 3 + 1] = g;
    plte[i * 3 + 2] = b;
  });
  return assemble(width, height, 3, plte, deflateRows(data, width, height));
}

function deflateRows(data: Uint8Array, width: number, height: number): Buffer {
  return deflateSync(unfilteredRows(data, width, height), { level: 6, strategy: 3 });
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Signature, IHDR, PLTE (indexed), IDAT and IEND, in one buffer. */
function assemble(
  width: number,
  height: number,
  colourType: number,
  plte: Uint8Array | undefined,
  idat: Uint8Array,
): Uint8Array {
  const size = 8 + 25 + (plte ? 12 + plte.length : 0) + 12 + idat.length + 12;
  const out = Buffer.allocUnsafe(size);
  out.set(SIGNATURE, 0);
  let at = 8;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = colourType;
  at = putChunk(out, at, 'IHDR', ihdr);
  if (plte) at = putChunk(out, at, 'PLTE', plte);
  at = putChunk(out, at, 'IDAT', idat);
  putChunk(out, at, 'IEND', undefined);
  return out;
}

/** Writes one chunk (length, type, data, CRC of type and data) at `at`; returns where it ends. */
function putChunk(out: Buffer, at: number, type: string, data: Uint8Array | undefined): number {
  const length = data?.length ?? 0;
  out.writeUInt32BE(length, at);
  out.write(type, at + 4, 'latin1');
  if (data) out.set(data, at + 8);
  out.writeUInt32BE(crc32(out.subarray(at + 4, at + 8 + length)), at + 8 + length);
  return at + 12 + length;
}

let crcTable: Uint32Array | undefined;

function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
