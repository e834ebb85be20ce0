import { open } from 'node:fs/promises';
import type { ImageInfo } from './types.js';

/** Header bytes read first; enough for every format except JPEGs with huge metadata. */
const HEAD_BYTES = 256 * 1024;
/** Largest file read whole when the header alone did not give the size. */
const MAX_WHOLE_BYTES = 64 * 1024 * 1024;

/**
 * Width, height and channel count of an image file, read from its header with
 * `image-size` (loaded on first use, so exports without images never load it).
 * Width and height are as stored, like PIL's `Image.size` (EXIF orientation ignored).
 */
export async function readImageInfo(path: string): Promise<ImageInfo | undefined> {
  const { imageSize } = await import('image-size');
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    let bytes = await readHead(file, Math.min(size, HEAD_BYTES));
    let dims: { width?: number; height?: number } | undefined = tryImageSize(imageSize, bytes);
    if (!dims && size > bytes.byteLength && size <= MAX_WHOLE_BYTES) {
      bytes = await readHead(file, size);
      dims = tryImageSize(imageSize, bytes);
    }
    if (!dims || !(Number(dims.width) > 0) || !(Number(dims.height) > 0)) return undefined;
    const info: ImageInfo = { width: Number(dims.width), height: Number(dims.height) };
    const channels = channelCount(bytes);
    if (channels !== undefined) info.channels = channels;
    return info;
  } finally {
    await file.close();
  }
}

/**
 * Duration in seconds of a WAV, MP3, FLAC or OGG file, with `music-metadata`
 * (loaded on first use). Undefined when the file is not audio it understands.
 */
export async function readAudioDuration(path: string): Promise<number | undefined> {
  const { parseFile } = await import('music-metadata');
  try {
    const metadata = await parseFile(path, { duration: true, skipCovers: true });
    const duration = metadata.format.duration;
    return typeof duration === 'number' && Number.isFinite(duration) ? duration : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Number of bands PIL reports for an image (`len(img.getbands())`), from the header:
 * PNG colour type, JPEG component count, GIF (palette, 1), WebP (3 or 4).
 */
export function channelCount(bytes: Uint8Array): number | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length >= 26 && b.readUInt32BE(0) === 0x89504e47) {
    return { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[b[25] ?? -1];
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) return jpegComponents(b);
  if (b.length >= 6 && b.toString('latin1', 0, 3) === 'GIF') return 1;
  if (b.length >= 30 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') {
    const chunk = b.toString('latin1', 12, 16);
    if (chunk === 'VP8 ') return 3;
    if (chunk === 'VP8L') return ((b[24] ?? 0) >> 4) & 1 ? 4 : 3;
    if (chunk === 'VP8X') return (b[20] ?? 0) & 0x10 ? 4 : 3;
  }
  return undefined;
}

function jpegComponents(b: Buffer): number | undefined {
  let offset = 2;
  while (offset + 4 <= b.length) {
    if (b[offset] !== 0xff) return undefined;
    const marker = b[offset + 1] ?? 0;
    if (marker === 0xff) {
      offset++;
      continue;
    }
    const length = b.readUInt16BE(offset + 2);
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the component count.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return b[offset + 9];
    }
    offset += 2 + length;
  }
  return undefined;
}

async function readHead(file: import('node:fs/promises').FileHandle, length: number): Promise<Uint8Array> {
  const buffer = Buffer.alloc(length);
  let read = 0;
  while (read < length) {
    const { bytesRead } = await file.read(buffer, read, length - read, read);
    if (bytesRead === 0) break;
    read += bytesRead;
  }
  return buffer.subarray(0, read);
}

function tryImageSize(
  imageSize: (input: Uint8Array) => { width?: number; height?: number },
  bytes: Uint8Array,
) {
  try {
    return imageSize(bytes);
  } catch {
    return undefined;
  }
}
