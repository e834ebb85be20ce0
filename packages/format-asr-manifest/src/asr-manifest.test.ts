import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arrayTaskSource, type CompatMode, memorySink, parseLabelConfig, runExport } from '@lsconv/core';
import { describeFormatSuite, startSlowMediaServer } from '@lsconv/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asrManifest, pythonJsonObject, readWavDuration, readWavHeader, WavError } from './index.js';
import { makeFlac, makeMp3, makeWav } from './test-audio.js';

// A manifest line carries the audio path, its duration, the transcription and the annotator:
// no task or annotation id.
describeFormatSuite(asrManifest, { promises: { taskIds: false, annotationIds: false, texts: true } });

const CONFIG = `<View>
  <Audio name="audio" value="$audio"/>
  <TextArea name="transcription" toName="audio"/>
</View>`;

let dir = '';
let upload = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lsconv-asr-'));
  upload = join(dir, 'upload');
  mkdirSync(join(upload, '1'), { recursive: true });
  writeFileSync(join(upload, '1', 'a.wav'), makeWav(12345, 16000));
  writeFileSync(join(upload, '1', 'b.mp3'), makeMp3(40));
  writeFileSync(join(upload, '1', 'c.flac'), makeFlac(24000, 16000));
  writeFileSync(join(upload, '1', 'broken.ogg'), 'this is not audio');
  writeFileSync(join(upload, '1', 'float.wav'), makeWav(100, 8000, 1, 32, 3));
  writeFileSync(join(upload, '1', 'my clip.wav'), makeWav(800, 8000));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function task(id: number, file: string, text: string | string[] = `t${id}`) {
  return {
    id,
    data: { audio: `/data/upload/1/${file}` },
    annotations: [
      {
        id: id * 10,
        completed_by: id,
        result: [
          {
            id: `r${id}`,
            from_name: 'transcription',
            to_name: 'audio',
            type: 'textarea',
            value: { text: Array.isArray(text) ? text : [text] },
          },
        ],
      },
    ],
  };
}

async function run(tasks: unknown[], compat: CompatMode, download = true) {
  const sink = memorySink();
  const report = await runExport({
    format: asrManifest,
    tasks: arrayTaskSource(tasks),
    config: parseLabelConfig(CONFIG),
    sink,
    compat,
    resources: { uploadDir: upload, baseDir: dir, download },
  });
  const manifest = sink
    .text('manifest.json')
    .split('\n')
    .filter((l) => l !== '')
    .map(
      (l) => JSON.parse(l) as { audio_filepath: string; duration: number; text: string; annotator: unknown },
    );
  return { sink, report, manifest };
}

describe('ASR_MANIFEST durations', () => {
  it('reads WAV, MP3 and FLAC durations to 10 ms and copies the audio', async () => {
    const { sink, manifest, report } = await run(
      [task(1, 'a.wav'), task(2, 'b.mp3'), task(3, 'c.flac')],
      'default',
    );
    expect(manifest.map((l) => l.audio_filepath)).toEqual(['audio/a.wav', 'audio/b.mp3', 'audio/c.flac']);
    const expected = [12345 / 16000, (40 * 1152) / 44100, 24000 / 16000];
    for (const [i, line] of manifest.entries()) {
      expect(Math.abs(line.duration - (expected[i] as number))).toBeLessThanOrEqual(0.01);
    }
    expect(sink.files.get('audio/b.mp3')?.byteLength).toBe(makeMp3(40).byteLength);
    expect(sink.files.has('audio/c.flac')).toBe(true);
    expect(report.skippedCount).toBe(0);
    expect(report.itemsWritten).toBe(3);
  });

  it('reports audio it cannot read or find, and writes the rest', async () => {
    const { manifest, report, sink } = await run(
      [task(1, 'broken.ogg'), task(2, 'missing.wav'), task(3, 'a.wav')],
      'default',
    );
    expect(manifest.map((l) => l.text)).toEqual(['t3']);
    const counts = report.countsByCode();
    expect(counts['unreadable-audio']).toBe(1);
    expect(counts['audio-unavailable']).toBe(1);
    expect(sink.files.has('audio/broken.ogg')).toBe(false);
  });

  it('does not fetch remote audio when downloads are off, and says so', async () => {
    const remote = { ...task(5, 'a.wav'), data: { audio: 'http://127.0.0.1:9/remote.wav' } };
    const { manifest, report } = await run([remote, task(1, 'a.wav')], 'default', false);
    expect(manifest.map((l) => l.audio_filepath)).toEqual(['audio/a.wav']);
    const entry = report.entries().find((e) => e.code === 'audio-unavailable');
    expect(entry?.reason).toMatch(/--download-resources/);
  });

  it("downloads the next tasks' audio while it writes one, in task order", async () => {
    const server = await startSlowMediaServer(
      (path) => {
        const n = /^\/clip-(\d+)\.wav$/.exec(path)?.[1];
        return n === undefined ? undefined : makeWav(800 * (Number(n) + 1), 8000);
      },
      40,
      // Answers wait until five requests overlap: the test counts what the format asks for at once.
      { holdUntilInFlight: 5 },
    );
    const cacheDir = mkdtempSync(join(tmpdir(), 'lsconv-asr-cache-'));
    try {
      const tasks = Array.from({ length: 20 }, (_, n) => ({
        ...task(n + 1, 'a.wav'),
        data: { audio: `${server.url}/clip-${n}.wav` },
      }));
      for (const compat of ['default', 'python'] as const) {
        const sink = memorySink();
        await runExport({
          format: asrManifest,
          tasks: arrayTaskSource(tasks),
          config: parseLabelConfig(CONFIG),
          sink,
          compat,
          resources: { download: true, cacheDir: join(cacheDir, compat), allowPrivateAddresses: true },
        });
        const lines = sink
          .text('manifest.json')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { duration: number; text: string });
        expect(lines.map((l) => [l.text, l.duration])).toEqual(
          tasks.map((_, n) => [`t${n + 1}`, (n + 1) / 10]),
        );
      }
      // One at a time, no two requests would overlap.
      expect(server.maxInFlight).toBeGreaterThan(4);
    } finally {
      await server.close();
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it('python mode keeps the reference rule: WAV only, first transcript line', async () => {
    const { manifest, report } = await run(
      [task(1, 'a.wav', ['one', 'two']), task(2, 'b.mp3'), task(3, 'float.wav')],
      'python',
    );
    expect(manifest).toEqual([
      { audio_filepath: 'audio/a.wav', duration: 12345 / 16000, text: 'one', annotator: '1' },
    ]);
    expect(report.countsByCode()['audio-not-wav']).toBe(2);
  });

  it('python mode names an upload by its decoded base name, as the reference copies it', async () => {
    const { manifest, sink } = await run([task(1, 'my%20clip.wav')], 'python');
    expect(manifest).toEqual([
      { audio_filepath: 'audio/my clip.wav', duration: 0.1, text: 't1', annotator: '1' },
    ]);
    expect(sink.files.has('audio/my clip.wav')).toBe(true);
  });

  it('default mode joins a multi-line transcript', async () => {
    const { manifest } = await run([task(1, 'a.wav', ['one', 'two'])], 'default');
    expect(manifest[0]?.text).toBe('one two');
  });

  it('reports an annotation without a transcript instead of failing', async () => {
    const empty = { id: 9, data: { audio: '/data/upload/1/a.wav' }, annotations: [] };
    for (const compat of ['python', 'default'] as const) {
      const { manifest, report } = await run([empty, task(1, 'a.wav')], compat);
      expect(manifest.map((l) => l.text)).toEqual(['t1']);
      expect(report.countsByCode()['no-transcript']).toBe(1);
    }
  });
});

describe('readWavHeader', () => {
  it('computes frames as Python wave does', async () => {
    const path = join(dir, 'upload', '1', 'a.wav');
    expect(await readWavHeader(path)).toEqual({
      channels: 1,
      sampleRate: 16000,
      sampleWidth: 2,
      frames: 12345,
    });
    expect(await readWavDuration(path)).toBe(12345 / 16000);
  });

  it('refuses non-PCM WAV and non-WAV files', async () => {
    await expect(readWavHeader(join(upload, '1', 'float.wav'))).rejects.toBeInstanceOf(WavError);
    await expect(readWavHeader(join(upload, '1', 'c.flac'))).rejects.toThrow(/RIFF/);
  });
});

describe('pythonJsonObject', () => {
  it('writes what json.dumps writes', () => {
    expect(
      pythonJsonObject({
        audio_filepath: 'audio/x.wav',
        duration: 1,
        text: 'Привет — ça\n"q"',
        annotator: 'a@b.c',
      }),
    ).toBe(
      '{"audio_filepath": "audio/x.wav", "duration": 1.0, "text": "\\u041f\\u0440\\u0438\\u0432\\u0435\\u0442 \\u2014 \\u00e7a\\n\\"q\\"", "annotator": "a@b.c"}',
    );
    expect(pythonJsonObject({ t: '\u{1F600}\u007f' })).toBe('{"t": "\\ud83d\\ude00\\u007f"}');
  });
});
