// Generates realistic Label Studio exports for benchmarks, streamed to disk so a
// 1 GB file never sits in memory. Deterministic (seeded) so runs compare.

import { once } from 'node:events';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Labeling configs per profile. */
export const CONFIGS = {
  mixed: `<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="box" toName="image"><Label value="Car" category="1"/><Label value="Person"/><Label value="Bike"/></RectangleLabels>
  <PolygonLabels name="poly" toName="image"><Label value="Road"/><Label value="Sidewalk"/></PolygonLabels>
  <KeyPointLabels name="kp" toName="image"><Label value="Head" model_index="0"/><Label value="Hand" model_index="1"/></KeyPointLabels>
  <Text name="text" value="$text"/>
  <Labels name="ner" toName="text"><Label value="PER"/><Label value="ORG"/><Label value="LOC"/></Labels>
  <Choices name="quality" toName="image"><Choice value="Good"/><Choice value="Bad"/></Choices>
  <TextArea name="caption" toName="image"/>
</View>`,
  image: `<View>
  <Image name="image" value="$image"/>
  <RectangleLabels name="label" toName="image"><Label value="Car"/><Label value="Person"/><Label value="Bike"/></RectangleLabels>
  <PolygonLabels name="poly" toName="image"><Label value="Road"/></PolygonLabels>
</View>`,
  text: `<View>
  <Text name="text" value="$text"/>
  <Labels name="label" toName="text"><Label value="PER"/><Label value="ORG"/><Label value="LOC"/><Label value="MISC"/></Labels>
</View>`,
  // Tasks point at AUDIO_CLIPS generated WAV files (absolute paths beside the export).
  audio: `<View>
  <Audio name="audio" value="$audio"/>
  <TextArea name="transcription" toName="audio"/>
</View>`,
};

/** How many distinct WAV files the audio profile's tasks share. */
const AUDIO_CLIPS = 1000;

/** A mono 16-bit 16 kHz WAV of `samples` samples of silence. */
function wav(samples) {
  const data = samples * 2;
  const b = Buffer.alloc(44 + data);
  b.write('RIFF', 0, 'latin1');
  b.writeUInt32LE(36 + data, 4);
  b.write('WAVEfmt ', 8, 'latin1');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(16000, 24);
  b.writeUInt32LE(32000, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'latin1');
  b.writeUInt32LE(data, 40);
  return b;
}

/** A seeded pseudo-random generator (mulberry32): the same seed, the same numbers. */
export function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = [
  'Alice',
  'met',
  'Bob',
  'at',
  'Acme',
  'Corp.',
  'in',
  'Paris',
  ',',
  'then',
  'flew',
  'to',
  'New',
  'York',
  "didn't",
  'stay',
  '(briefly)',
  '"really"',
  'and',
  'left',
  '...',
];

function sentence(r, n) {
  const words = [];
  for (let i = 0; i < n; i++) words.push(WORDS[Math.floor(r() * WORDS.length)]);
  return words.join(' ');
}

function pct(r) {
  return r() * 90;
}

function regionId(r) {
  return Math.floor(r() * 2 ** 40)
    .toString(36)
    .padStart(8, 'x')
    .slice(0, 10);
}

function annotation(r, profile, id, taskId, text, when) {
  const result = [];
  const W = 1920;
  const H = 1080;
  const img = { original_width: W, original_height: H, image_rotation: 0 };
  if (profile === 'mixed' || profile === 'image') {
    const boxes = profile === 'mixed' ? 5 : 3;
    const boxName = profile === 'mixed' ? 'box' : 'label';
    const parents = [];
    for (let i = 0; i < boxes; i++) {
      const rid = regionId(r);
      parents.push(rid);
      result.push({
        id: rid,
        type: 'rectanglelabels',
        from_name: boxName,
        to_name: 'image',
        ...img,
        value: {
          x: pct(r),
          y: pct(r),
          width: r() * 10,
          height: r() * 10,
          rotation: r() < 0.2 ? r() * 90 : 0,
          rectanglelabels: [r() < 0.5 ? 'Car' : 'Person'],
        },
        origin: 'manual',
      });
    }
    const polys = profile === 'mixed' ? 2 : 1;
    for (let i = 0; i < polys; i++) {
      const points = [];
      for (let p = 0; p < 12; p++) points.push([pct(r), pct(r)]);
      result.push({
        id: regionId(r),
        type: 'polygonlabels',
        from_name: 'poly',
        to_name: 'image',
        ...img,
        value: { points, closed: true, polygonlabels: ['Road'] },
        origin: 'manual',
      });
    }
    if (profile === 'mixed') {
      for (let i = 0; i < 4; i++) {
        result.push({
          id: regionId(r),
          type: 'keypointlabels',
          from_name: 'kp',
          to_name: 'image',
          parentID: parents[i % parents.length],
          ...img,
          value: { x: pct(r), y: pct(r), width: 0.34, keypointlabels: [i % 2 ? 'Hand' : 'Head'] },
          origin: 'manual',
        });
      }
    }
  }
  if (profile === 'mixed' || profile === 'text') {
    const spans = profile === 'mixed' ? 3 : 4;
    for (let i = 0; i < spans; i++) {
      const start = Math.floor(r() * Math.max(1, text.length - 12));
      const end = Math.min(text.length, start + 3 + Math.floor(r() * 9));
      result.push({
        id: regionId(r),
        type: 'labels',
        from_name: profile === 'mixed' ? 'ner' : 'label',
        to_name: 'text',
        value: { start, end, text: text.slice(start, end), labels: [['PER', 'ORG', 'LOC'][i % 3]] },
        origin: 'manual',
      });
    }
  }
  if (profile === 'audio') {
    result.push({
      id: regionId(r),
      type: 'textarea',
      from_name: 'transcription',
      to_name: 'audio',
      value: { text: [sentence(r, 12)] },
      origin: 'manual',
    });
  }
  if (profile === 'mixed') {
    result.push({
      id: regionId(r),
      type: 'choices',
      from_name: 'quality',
      to_name: 'image',
      value: { choices: [r() < 0.7 ? 'Good' : 'Bad'] },
      origin: 'manual',
    });
    result.push({
      id: regionId(r),
      type: 'textarea',
      from_name: 'caption',
      to_name: 'image',
      value: { text: [sentence(r, 8)] },
      origin: 'manual',
    });
  }
  const cancelled = r() < 0.08;
  return {
    id,
    completed_by:
      r() < 0.5
        ? 1 + Math.floor(r() * 20)
        : { id: 7, email: 'reviewer@example.com', first_name: 'R', last_name: 'V' },
    result: cancelled ? [] : result,
    was_cancelled: cancelled,
    ground_truth: r() < 0.05,
    created_at: when,
    updated_at: when,
    draft_created_at: null,
    lead_time: Math.round(r() * 100000) / 1000,
    prediction: {},
    result_count: 0,
    unique_id: `${regionId(r)}-${regionId(r)}`,
    import_id: null,
    last_action: null,
    task: taskId,
    project: 1,
    updated_by: 1,
    parent_prediction: null,
    parent_annotation: null,
    last_created_by: null,
  };
}

function task(r, profile, id, clipDir) {
  const text = sentence(r, profile === 'image' || profile === 'audio' ? 0 : profile === 'text' ? 25 : 30);
  const data =
    profile === 'text'
      ? { text }
      : profile === 'image'
        ? { image: `https://cdn.example.com/img/${id}.jpg` }
        : profile === 'audio'
          ? { audio: join(clipDir, `clip-${id % AUDIO_CLIPS}.wav`) }
          : { image: `https://cdn.example.com/img/${id}.jpg`, text };
  const n = profile === 'mixed' ? 2 + Math.floor(r() * 2) : 1 + Math.floor(r() * 2);
  const annotations = [];
  for (let a = 0; a < n; a++) {
    const day = String(1 + Math.floor(r() * 28)).padStart(2, '0');
    annotations.push(
      annotation(
        r,
        profile,
        id * 10 + a,
        id,
        text,
        `2025-02-${day}T10:${String(a).padStart(2, '0')}:00.000000Z`,
      ),
    );
  }
  return {
    id,
    annotations,
    file_upload: null,
    drafts: [],
    predictions: [],
    data,
    meta: {},
    created_at: '2025-01-01T00:00:00.000000Z',
    updated_at: '2025-02-01T00:00:00.000000Z',
    inner_id: id,
    total_annotations: n,
    cancelled_annotations: 0,
    total_predictions: 0,
    comment_count: 0,
    unresolved_comment_count: 0,
    last_comment_updated_at: null,
    project: 1,
    updated_by: 1,
    comment_authors: [],
  };
}

/**
 * Writes `count` tasks of `profile` to `file` as a JSON list; resolves with the byte size.
 * The audio profile also writes its WAV files to `audio-clips/` beside `file`.
 */
export async function generateExport(file, profile, count, seed = 42) {
  const r = rng(seed);
  const clipDir = join(dirname(resolve(file)), 'audio-clips');
  if (profile === 'audio') {
    mkdirSync(clipDir, { recursive: true });
    for (let i = 0; i < AUDIO_CLIPS; i++) writeFileSync(join(clipDir, `clip-${i}.wav`), wav(1600 + i));
  }
  const out = createWriteStream(file, { highWaterMark: 1 << 20 });
  let bytes = 0;
  let buffer = '[';
  for (let i = 0; i < count; i++) {
    buffer += (i ? ',\n' : '\n') + JSON.stringify(task(r, profile, i + 1, clipDir));
    if (buffer.length > 1 << 20) {
      bytes += Buffer.byteLength(buffer);
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  buffer += '\n]\n';
  bytes += Buffer.byteLength(buffer);
  out.end(buffer);
  await once(out, 'finish');
  return bytes;
}
