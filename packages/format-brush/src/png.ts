import { deflateSync } from 'node:zlib';
import pngjs from 'pngjs';

/**
 * An 8-bit greyscale PNG (what PIL writes for a mode `L` image), encoded by pngjs.
 * Rows are left unfiltered: masks are long runs of equal bytes, which zlib's
 * run-length strategy packs well, and pngjs' adaptive filter search costs six
 * times as much as the whole rest of the encoding on a 1024 × 768 mask.
 */
export function encodeGreyPng(data: Uint8Array, width: number, height: number): Uint8Array {
  if (data.length !== width * height)
    throw new RangeError(`PNG data has ${data.length} bytes, ${width}x${height} needs ${width * height}`);
  return pngjs.PNG.sync.write(
    {
      width,
      height,
      data: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
    } as unknown as pngjs.PNG,
    {
      colorType: 0,
      inputColorType: 0,
      inputHasAlpha: false,
      bitDepth: 8,
      filterType: 0,
      deflateLevel: 6,
      deflateStrategy: 3,
    },
  );
}

/**
 * An 8-bit indexed (palette) PNG. pngjs cannot write palettes, so this writes the
 * chunks itself: IHDR, PLTE, IDAT (rows with filter byte 0, deflated), IEND.
 * `palette` holds `[r, g, b]` per index.
 */
export function encodeIndexedPng(
  data: Uint8Array,
  width: number,
  height: number,
  palette: readonly (readonly [number, number, number])[],
): Uint8Array {
  if (data.length !== width * height)
    throw new RangeError(`PNG data has ${data.length} bytes, ${width}x${height} needs ${width * height}`);
  if (palette.length === 0 || palette.length > 256)
    throw new RangeError('a PNG palette holds 1 to 256 colours');
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 3; // colour type: indexed
  const plte = new Uint8Array(palette.length * 3);
  palette.forEach(([r, g, b], i) => {
    plte[i * 3] = r;
    plte[i * 3 + 1] = g;
    plte[i * 3 + 2] = b;
  });
  const raw = new Uint8Array((width + 1) * height);
  for (let y = 0; y < height; y++) raw.set(data.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  const idat = deflateSync(raw, { level: 6, strategy: 3 });
  const chunks = [
    chunk('IHDR', ihdr),
    chunk('PLTE', plte),
    chunk('IDAT', idat),
    chunk('IEND', new Uint8Array(0)),
  ];
  const signature = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
  return Buffer.concat([signature, ...chunks]);
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
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
