/*
 * Tiny, valid audio files built in code for the tests, so no binary fixtures and no
 * audio tools are needed. Each builder states the exact duration it encodes.
 */

/** A PCM WAV of `frames` silent frames. Duration = frames / sampleRate. */
export function makeWav(frames: number, sampleRate = 16000, channels = 1, bits = 16, format = 1): Buffer {
  const blockAlign = channels * Math.ceil(bits / 8);
  const dataSize = frames * blockAlign;
  const b = Buffer.alloc(44 + dataSize);
  b.write('RIFF', 0, 'latin1');
  b.writeUInt32LE(36 + dataSize, 4);
  b.write('WAVE', 8, 'latin1');
  b.write('fmt ', 12, 'latin1');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(format, 20);
  b.writeUInt16LE(channels, 22);
  b.writeUInt32LE(sampleRate, 24);
  b.writeUInt32LE(sampleRate * blockAlign, 28);
  b.writeUInt16LE(blockAlign, 32);
  b.writeUInt16LE(bits, 34);
  b.write('data', 36, 'latin1');
  b.writeUInt32LE(dataSize, 40);
  return b;
}

/**
 * An MPEG-1 Layer III stream of `frames` constant-bitrate frames (128 kbit/s,
 * 44.1 kHz, mono, silent). Each frame holds 1152 samples, so the duration is
 * frames × 1152 / 44100. Padding bits are set the way an encoder sets them, so the
 * average frame length matches the bitrate exactly.
 */
export function makeMp3(frames: number): Buffer {
  const parts: Buffer[] = [];
  let carry = 0;
  for (let i = 0; i < frames; i++) {
    // 144 × 128000 / 44100 = 417.959… bytes: pad one byte whenever the fraction adds up.
    carry += (144 * 128000) % 44100;
    const pad = carry >= 44100 ? 1 : 0;
    if (pad) carry -= 44100;
    const size = Math.floor((144 * 128000) / 44100) + pad;
    const frame = Buffer.alloc(size);
    frame[0] = 0xff;
    frame[1] = 0xfb; // MPEG-1, Layer III, no CRC
    frame[2] = 0x90 | (pad << 1); // bitrate index 9 (128k), 44.1 kHz
    frame[3] = 0xc4; // mono
    parts.push(frame);
  }
  return Buffer.concat(parts);
}

/**
 * A FLAC stream: the `fLaC` marker and a STREAMINFO block that declares
 * `totalSamples` at `sampleRate`. Duration = totalSamples / sampleRate.
 */
export function makeFlac(totalSamples: number, sampleRate = 16000, channels = 1, bits = 16): Buffer {
  const info = Buffer.alloc(34);
  info.writeUInt16BE(4096, 0); // min block size
  info.writeUInt16BE(4096, 2); // max block size
  // min/max frame size (24 bits each) unknown: 0.
  // 20 bits sample rate, 3 bits channels-1, 5 bits bits-1, 36 bits total samples.
  const hi = BigInt(sampleRate) << 44n;
  const ch = BigInt(channels - 1) << 41n;
  const bps = BigInt(bits - 1) << 36n;
  const packed = hi | ch | bps | BigInt(totalSamples);
  info.writeBigUInt64BE(packed, 10);
  // MD5 of the audio: unknown (zeros).
  const header = Buffer.from([0x80, 0, 0, 34]); // last block, type STREAMINFO, length 34
  return Buffer.concat([Buffer.from('fLaC', 'latin1'), header, info]);
}
