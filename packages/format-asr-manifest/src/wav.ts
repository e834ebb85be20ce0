import { open } from 'node:fs/promises';

/** What Python's `wave` module reads from a WAV header. */
export interface WavHeader {
  channels: number;
  sampleRate: number;
  /** Bytes per sample, rounded up as `wave` does (`(bits + 7) // 8`). */
  sampleWidth: number;
  /** `data` chunk size // (channels × sample width). */
  frames: number;
}

/** Why a file is not a WAV that Python's `wave` module accepts. */
export class WavError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WavError';
  }
}

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
// KSDATAFORMAT_SUBTYPE_PCM, as stored in a WAVE_FORMAT_EXTENSIBLE fmt chunk (bytes 24..39).
const PCM_SUBFORMAT = Buffer.from('0100000000001000800000aa00389b71', 'hex');

/**
 * Reads a WAV header the way Python's `wave.open(...)` does: RIFF/WAVE, a `fmt `
 * chunk with PCM (or extensible PCM) before the `data` chunk. Other encodings (float,
 * A-law, compressed) are refused, as `wave` refuses them.
 */
export async function readWavHeader(path: string): Promise<WavHeader> {
  const file = await open(path, 'r');
  try {
    const read = async (position: number, length: number): Promise<Buffer> => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await file.read(buffer, 0, length, position);
      return buffer.subarray(0, bytesRead);
    };
    const head = await read(0, 12);
    if (head.length < 12 || head.toString('latin1', 0, 4) !== 'RIFF')
      throw new WavError('file does not start with RIFF id');
    if (head.toString('latin1', 8, 12) !== 'WAVE') throw new WavError('not a WAVE file');
    let position = 12;
    let fmt: Omit<WavHeader, 'frames'> | undefined;
    for (;;) {
      const chunk = await read(position, 8);
      if (chunk.length < 8) throw new WavError('fmt chunk and/or data chunk missing');
      const id = chunk.toString('latin1', 0, 4);
      const size = chunk.readUInt32LE(4);
      if (id === 'fmt ') {
        fmt = parseFmt(await read(position + 8, Math.min(size, 40)));
      } else if (id === 'data') {
        if (!fmt) throw new WavError('data chunk before fmt chunk');
        return { ...fmt, frames: Math.floor(size / (fmt.channels * fmt.sampleWidth)) };
      }
      // Chunks are padded to an even size.
      position += 8 + size + (size % 2);
    }
  } finally {
    await file.close();
  }
}

/** Duration in seconds as the Python converter computes it: `getnframes() / float(getframerate())`. */
export async function readWavDuration(path: string): Promise<number> {
  const header = await readWavHeader(path);
  if (header.sampleRate === 0) throw new WavError('frame rate is 0');
  return header.frames / header.sampleRate;
}

function parseFmt(b: Buffer): Omit<WavHeader, 'frames'> {
  if (b.length < 14) throw new WavError('fmt chunk too short');
  const format = b.readUInt16LE(0);
  const channels = b.readUInt16LE(2);
  const sampleRate = b.readUInt32LE(4);
  if (b.length < 16) throw new WavError('fmt chunk too short');
  const bits = b.readUInt16LE(14);
  if (format === WAVE_FORMAT_EXTENSIBLE) {
    if (b.length < 40 || !b.subarray(24, 40).equals(PCM_SUBFORMAT))
      throw new WavError('unknown extended format');
  } else if (format !== WAVE_FORMAT_PCM) {
    throw new WavError(`unknown format: ${format}`);
  }
  const sampleWidth = Math.floor((bits + 7) / 8);
  if (sampleWidth === 0) throw new WavError('bad sample width');
  if (channels === 0) throw new WavError('bad # of channels');
  return { channels, sampleRate, sampleWidth };
}
