// Corrupted media headers fed to the size and duration probes: truncated at every byte,
// zero and huge declared sizes, wrong chunk lengths. A probe answers a plausible value or
// undefined (the format then reports the missing size); it never throws or hangs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ConversionReport } from '../report.js';
import { readAudioDuration, readImageInfo } from './media-info.js';
import { createResourceResolver } from './resolver.js';

const dir = mkdtempSync(join(tmpdir(), 'lsconv-media-corrupt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(8 + data.length + 4);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
}
function png(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const raw = Buffer.alloc((Math.min(width, 4) * 3 + 1) * Math.min(height, 4));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}
function jpeg(width: number, height: number, segmentLength = 17): Buffer {
  const sof = Buffer.alloc(19);
  sof.writeUInt16BE(0xffc0, 0);
  sof.writeUInt16BE(segmentLength, 2);
  sof[4] = 8;
  sof.writeUInt16BE(height, 5);
  sof.writeUInt16BE(width, 7);
  sof[9] = 3;
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, ...Buffer.from('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.from([0xff, 0xd9])]);
}
function wav(
  options: { dataBytes?: number; declaredData?: number; byteRate?: number; riffSize?: number } = {},
) {
  const dataBytes = options.dataBytes ?? 800;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(options.riffSize ?? 36 + dataBytes, 4);
  header.write('WAVEfmt ', 8, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(options.byteRate ?? 16000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(options.declaredData ?? dataBytes, 40);
  return Buffer.concat([header, Buffer.alloc(dataBytes)]);
}
function mp3(options: { id3Size?: number; frames?: number } = {}): Buffer {
  const parts: Buffer[] = [];
  if (options.id3Size !== undefined) {
    const s = options.id3Size;
    // ID3v2 sizes are syncsafe: 7 bits a byte.
    parts.push(
      Buffer.from([0x49, 0x44, 0x33, 3, 0, 0, (s >> 21) & 0x7f, (s >> 14) & 0x7f, (s >> 7) & 0x7f, s & 0x7f]),
    );
  }
  // MPEG-1 Layer III, 128 kbit/s, 44.1 kHz: 417-byte frames.
  const frame = Buffer.alloc(417);
  frame.writeUInt32BE(0xfffb9064, 0);
  for (let i = 0; i < (options.frames ?? 20); i++) parts.push(frame);
  return Buffer.concat(parts);
}

let counter = 0;
function file(bytes: Buffer, ext: string): string {
  const path = join(dir, `f${counter++}.${ext}`);
  writeFileSync(path, bytes);
  return path;
}

/** undefined, or positive whole dimensions. */
type Probes = { image: typeof readImageInfo; audio: typeof readAudioDuration };
type Check = (name: string, body: () => Promise<void>) => void;

function expectPlausibleImage(info: Awaited<ReturnType<typeof readImageInfo>>, what: string): void {
  if (info === undefined) return;
  expect(Number.isInteger(info.width) && info.width > 0, `${what}: width ${info.width}`).toBe(true);
  expect(Number.isInteger(info.height) && info.height > 0, `${what}: height ${info.height}`).toBe(true);
}

/** The image checks, run with `probe` and registered through `check`. */
function imageChecks(probe: Probes, check: Check): void {
  const samples: Record<string, [Buffer, string]> = {
    png: [png(3, 2), 'png'],
    jpeg: [jpeg(3, 2), 'jpg'],
  };

  for (const [name, [bytes, ext]] of Object.entries(samples)) {
    check(`${name} truncated at every byte: undefined or a plausible size, never a throw`, async () => {
      expect(await probe.image(file(bytes, ext))).toMatchObject({ width: 3, height: 2 });
      for (let length = 0; length < bytes.length; length++) {
        expectPlausibleImage(
          await probe.image(file(bytes.subarray(0, length), ext)),
          `${name} cut at ${length}`,
        );
      }
    });

    check(
      `${name} with each header byte flipped: undefined or a plausible size, and some flips still read`,
      async () => {
        expect(await probe.image(file(bytes, ext))).toMatchObject({ width: 3, height: 2 });
        let answered = 0;
        for (let i = 0; i < Math.min(bytes.length, 64); i++) {
          const copy = Buffer.from(bytes);
          copy[i] = copy[i]! ^ 0xff;
          const info = await probe.image(file(copy, ext));
          expectPlausibleImage(info, `${name} byte ${i} flipped`);
          if (info) answered++;
        }
        // A flipped dimension byte still leaves a readable (if wrong) size.
        expect(answered).toBeGreaterThan(0);
      },
    );
  }

  check('zero sizes give undefined, not a 0×0 image', async () => {
    expect(await probe.image(file(png(3, 2), 'png'))).toMatchObject({ width: 3, height: 2 });
    expect(await probe.image(file(jpeg(3, 2), 'jpg'))).toMatchObject({ width: 3, height: 2 });
    expect(await probe.image(file(png(0, 2), 'png'))).toBeUndefined();
    expect(await probe.image(file(png(3, 0), 'png'))).toBeUndefined();
    expect(await probe.image(file(jpeg(0, 2), 'jpg'))).toBeUndefined();
    expect(await probe.image(file(jpeg(3, 0), 'jpg'))).toBeUndefined();
  });

  check('huge declared dimensions are answered from the header without allocating them', async () => {
    const info = await probe.image(file(png(0x7fffffff, 0x7fffffff), 'png'));
    expect(info).toMatchObject({ width: 0x7fffffff, height: 0x7fffffff });
    expect(await probe.image(file(jpeg(65535, 65535), 'jpg'))).toMatchObject({
      width: 65535,
      height: 65535,
    });
  });

  check('JPEG segment lengths of 0, 1 and past the end do not loop or throw', async () => {
    expect(await probe.image(file(jpeg(3, 2, 17), 'jpg'))).toMatchObject({ width: 3, height: 2 });
    for (const length of [0, 1, 2, 0xffff]) {
      expectPlausibleImage(await probe.image(file(jpeg(3, 2, length), 'jpg')), `segment length ${length}`);
    }
  });

  check('an empty file and a file of noise give undefined', async () => {
    expect(await probe.image(file(Buffer.alloc(0), 'png'))).toBeUndefined();
    const noise = Buffer.alloc(4096);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
    expect(await probe.image(file(noise, 'jpg'))).toBeUndefined();
    // The same noise behind a real header still reads as that image.
    expect(await probe.image(file(Buffer.concat([png(3, 2), noise]), 'png'))).toMatchObject({
      width: 3,
      height: 2,
    });
  });

  check('through the resolver, an unreadable image is undefined with nothing thrown', async () => {
    const report = new ConversionReport('TEST');
    const resolver = createResourceResolver({ baseDir: dir, allowPlainPaths: true }, report);
    expect(await resolver.imageInfo(file(png(3, 2), 'png'))).toMatchObject({ width: 3, height: 2 });
    const broken = file(png(3, 2).subarray(0, 20), 'png');
    expect(await resolver.imageInfo(broken)).toBeUndefined();
  });
}

/** undefined, or a finite non-negative duration. */
function expectPlausibleDuration(duration: number | undefined, what: string): void {
  if (duration === undefined) return;
  expect(Number.isFinite(duration) && duration >= 0, `${what}: ${duration}`).toBe(true);
}

/** The audio checks, run with `probe` and registered through `check`. */
function audioChecks(probe: Probes, check: Check): void {
  check('a WAV truncated at every header byte: undefined or a finite duration', async () => {
    const bytes = wav();
    expect(await probe.audio(file(bytes, 'wav'))).toBeCloseTo(0.05, 3);
    for (let length = 0; length <= 60; length++) {
      expectPlausibleDuration(await probe.audio(file(bytes.subarray(0, length), 'wav')), `cut at ${length}`);
    }
  });

  check('a WAV with zero byte rate, huge or wrong chunk sizes: undefined or a finite duration', async () => {
    expect(await probe.audio(file(wav(), 'wav'))).toBeCloseTo(0.05, 3);
    const cases = {
      'zero byte rate': wav({ byteRate: 0 }),
      'data size past the end': wav({ declaredData: 0xffffffff }),
      'zero data size': wav({ declaredData: 0 }),
      'RIFF size past the end': wav({ riffSize: 0xffffffff }),
      'RIFF size zero': wav({ riffSize: 0 }),
    };
    for (const [name, bytes] of Object.entries(cases)) {
      expectPlausibleDuration(await probe.audio(file(bytes, 'wav')), name);
    }
  });

  check(
    'an MP3 truncated anywhere in its first frames, or with a huge ID3 size: undefined or finite',
    async () => {
      const bytes = mp3({ id3Size: 0 });
      // 20 frames of 1152 samples at 44.1 kHz.
      expect(await probe.audio(file(bytes, 'mp3'))).toBeCloseTo((20 * 1152) / 44100, 2);
      for (let length = 0; length < 900; length += 3) {
        expectPlausibleDuration(
          await probe.audio(file(bytes.subarray(0, length), 'mp3')),
          `cut at ${length}`,
        );
      }
      expectPlausibleDuration(await probe.audio(file(mp3({ id3Size: 0x0fffffff }), 'mp3')), 'huge ID3');
      expectPlausibleDuration(await probe.audio(file(mp3({ frames: 0 }), 'mp3')), 'no frames');
    },
  );

  check('a file that is not audio at all gives undefined', async () => {
    expect(await probe.audio(file(wav(), 'wav'))).toBeCloseTo(0.05, 3);
    expect(await probe.audio(file(Buffer.from('not audio at all'), 'wav'))).toBeUndefined();
    expect(await probe.audio(file(png(3, 2), 'mp3'))).toBeUndefined();
  });
}

const realProbes: Probes = { image: readImageInfo, audio: readAudioDuration };
describe('image probes on corrupted headers', () => imageChecks(realProbes, it));
describe('audio probes on corrupted headers', () => audioChecks(realProbes, it));

describe('the checks above fail on a broken probe', () => {
  // A probe that never reads anything passes every "undefined or plausible" line, so each
  // check also requires the sound sample to read; this shows it does.
  it('a probe that always answers undefined fails every check that calls it', async () => {
    const silent: Probes = { image: async () => undefined, audio: async () => undefined };
    const checks: [string, () => Promise<void>][] = [];
    const collect: Check = (name, body) => checks.push([name, body]);
    imageChecks(silent, collect);
    audioChecks(silent, collect);
    const passed: string[] = [];
    for (const [name, body] of checks) {
      if (name.startsWith('through the resolver')) continue; // the resolver has its own probe
      if (
        await body().then(
          () => true,
          () => false,
        )
      )
        passed.push(name);
    }
    expect(checks.length).toBe(13);
    expect(passed).toEqual([]);
  });
});
