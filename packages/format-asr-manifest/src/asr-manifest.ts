import {
  defineFormat,
  type ExportContext,
  type FileWriter,
  type Item,
  type LabelConfig,
  type OutputValue,
  prefetchAhead,
  safeBaseName,
  taskItems,
  taskSplit,
} from '@lsconv/core';
import { pyRepr, referenceSupports } from '@lsconv/format-kit';
import { readWavDuration, WavError } from './wav.js';

/** One line of the manifest. */
export interface ManifestLine {
  /** Path of the audio copy, relative to the manifest (`audio/<name>`). */
  audio_filepath: string;
  /** Seconds. */
  duration: number;
  /** The transcription. */
  text: string;
  /** Email of the annotator, or their id. */
  annotator: unknown;
}

/** Folder of the audio copies, relative to the output. */
export const AUDIO_DIR = 'audio';

/**
 * `ASR_MANIFEST`: a NeMo speech-recognition manifest, `manifest.json` in JSON Lines
 * (`{"audio_filepath", "duration", "text", "annotator"}` per annotation), with the
 * audio copied to `audio/`. Durations are read from WAV, MP3, FLAC and OGG headers;
 * an annotation whose audio cannot be found or read is reported, never dropped silently.
 */
export const asrManifest = defineFormat({
  id: 'ASR_MANIFEST',
  menuPosition: 14,
  title: 'ASR Manifest',
  description:
    'Export audio transcription labels for automatic speech recognition as the JSON manifest format expected by NVIDIA NeMo models.',
  link: 'https://labelstud.io/guide/export.html#ASR-MANIFEST',
  tags: ['speech recognition'],
  output: 'folder',
  splitLayout: true,
  supports: referenceSupports('ASR_MANIFEST'),
  async export(tasks, ctx) {
    const python = ctx.compat === 'python';
    const dataKey = audioKey(ctx.config);
    await ctx.sink.mkdir(AUDIO_DIR);
    // manifest.json; with --split one per split, <split>_manifest.json (NeMo's naming).
    const splits = ctx.dataset?.split === true;
    const files = new Map<string | undefined, FileWriter>();
    const fileFor = async (split: string | undefined) => {
      let file = files.get(split);
      if (!file) {
        file = await ctx.sink.createFile(split === undefined ? 'manifest.json' : `${split}_manifest.json`);
        files.set(split, file);
      }
      return file;
    };
    if (!splits) await fileFor(undefined);
    for (const name of ctx.dataset?.splitNames ?? []) await fileFor(name);
    let taskIndex = 0;
    let readIndex = 0;
    // Downloads of the next tasks' audio run while this one is written.
    const upcoming = prefetchAhead(tasks, ctx.resources, (task) => {
      const taskIndex = readIndex++;
      const url = dataKey === undefined ? undefined : task.data?.[dataKey];
      if (typeof url !== 'string' || url === '') return undefined;
      return { url, context: { taskId: task.id, taskIndex, field: `data.${dataKey}` } };
    });
    for await (const task of upcoming) {
      const out = await fileFor(splits ? taskSplit(task) : undefined);
      for (const item of taskItems(task, {
        config: ctx.config,
        report: ctx.report,
        taskIndex,
        file: ctx.input,
      })) {
        const line = python ? await pythonLine(item, dataKey, ctx) : await defaultLine(item, dataKey, ctx);
        if (line === undefined) continue;
        await writeLine(out, line, python);
        ctx.report.itemsWritten++;
        ctx.report.regionsWritten++;
      }
      taskIndex++;
    }
    for (const file of files.values()) await file.close();
  },
});

/** The reference: first transcript line, audio named by base name, duration by Python's `wave`. */
async function pythonLine(
  item: Item,
  dataKey: string | undefined,
  ctx: ExportContext,
): Promise<ManifestLine | undefined> {
  const url = audioUrl(item, dataKey, ctx);
  if (url === undefined) return undefined;
  const transcript = findTranscript(item, ctx, true);
  if (transcript === undefined) return undefined;
  const context = { taskId: item.id, taskIndex: item.taskIndex, field: `data.${dataKey}` };
  const dest = `${AUDIO_DIR}/${pythonName(url, ctx)}`;
  if (ctx.resources.options.download !== true) {
    // The reference reads the duration from the copy in audio/, which is not made when copying is off.
    skipItem(
      ctx,
      item,
      'audio-not-copied',
      'the Python converter reads the duration from the copied file, and copying media is off (--download-resources)',
    );
    return undefined;
  }
  if (!(await ctx.resources.copyTo(ctx.sink, url, dest, context))) {
    skipItem(ctx, item, 'audio-unavailable', `audio ${JSON.stringify(url)} could not be copied`);
    return undefined;
  }
  const resolved = await ctx.resources.resolve(url, context);
  let duration: number;
  try {
    if (!resolved.path) throw new WavError('no local copy');
    duration = await readWavDuration(resolved.path);
  } catch (error) {
    if (!(error instanceof WavError) && (error as NodeJS.ErrnoException)?.code === undefined) throw error;
    skipItem(
      ctx,
      item,
      'audio-not-wav',
      `the Python converter reads durations with the wave module only, and ${JSON.stringify(url)} is not a PCM WAV it accepts (${(error as Error).message})`,
    );
    return undefined;
  }
  return { audio_filepath: dest, duration, text: transcript, annotator: annotator(item) };
}

/** lsconv's default: every transcript line, collision-safe names, WAV/MP3/FLAC/OGG durations. */
async function defaultLine(
  item: Item,
  dataKey: string | undefined,
  ctx: ExportContext,
): Promise<ManifestLine | undefined> {
  const url = audioUrl(item, dataKey, ctx);
  if (url === undefined) return undefined;
  const transcript = findTranscript(item, ctx, false);
  if (transcript === undefined) return undefined;
  const context = { taskId: item.id, taskIndex: item.taskIndex, field: `data.${dataKey}` };
  const duration = await ctx.resources.audioDuration(url, context);
  if (duration === undefined) {
    const resolved = await ctx.resources.resolve(url, context);
    skipItem(
      ctx,
      item,
      resolved.path ? 'unreadable-audio' : 'audio-unavailable',
      resolved.path
        ? `cannot read the duration of ${JSON.stringify(url)} (not a WAV, MP3, FLAC or OGG file lsconv understands)`
        : resolved.error
          ? `audio ${JSON.stringify(url)} could not be found: ${resolved.error}`
          : `audio ${JSON.stringify(url)} is remote and downloads are off (use --download-resources)`,
    );
    return undefined;
  }
  const dest = ctx.resources.outputPath(AUDIO_DIR, url);
  if (!(await ctx.resources.copyTo(ctx.sink, url, dest, context))) {
    skipItem(ctx, item, 'audio-unavailable', `audio ${JSON.stringify(url)} could not be copied`);
    return undefined;
  }
  return { audio_filepath: dest, duration, text: transcript, annotator: annotator(item) };
}

/**
 * The name the reference's `download()` gives the copy: the base name of the URL path
 * for http(s); the URL-decoded base name for upload and local-files references (made
 * safe for the file system either way).
 */
function pythonName(url: string, ctx: ExportContext): string {
  const { kind, localName } = ctx.resources.describe(url);
  let name = '';
  if (kind === 'http') name = basename(url.replace(/^[a-z]+:\/\/[^/?#]*/i, '').split(/[?#]/, 1)[0] ?? '');
  else if (kind === 'upload') name = basename(pyUnquote(url.split(/[?#]/, 1)[0] ?? ''));
  else if (kind === 'local-files') name = basename(pyUnquote(url.split('?d=')[1] ?? ''));
  return name === '' ? localName : safeBaseName(name);
}

/** Python's `os.path.basename` on a POSIX path. */
function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Python's `urllib.parse.unquote`: %XX sequences as UTF-8, invalid ones kept. */
function pyUnquote(text: string): string {
  return text.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
    const bytes = Buffer.from(run.replace(/%/g, ''), 'hex');
    return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  });
}

function audioUrl(item: Item, dataKey: string | undefined, ctx: ExportContext): string | undefined {
  const value = dataKey === undefined ? undefined : item.input?.[dataKey];
  if (typeof value === 'string' && value !== '') return value;
  skipItem(
    ctx,
    item,
    'missing-audio',
    value === undefined
      ? `task data has no "${dataKey ?? ''}" audio reference`
      : `task data "${dataKey}" is not an audio reference`,
  );
  return undefined;
}

/**
 * The transcription: the first result group whose first value has `text`. The
 * reference keeps only the first entry of a multi-entry TextArea; the default
 * joins them with spaces.
 */
function findTranscript(item: Item, ctx: ExportContext, python: boolean): string | undefined {
  let found: OutputValue[] | undefined;
  for (const [fromName, values] of Object.entries(item.output)) {
    const first = values[0];
    const has = first !== undefined && 'text' in first;
    if (has && found === undefined) {
      found = values;
      if (values.length > 1) {
        for (let i = 1; i < values.length; i++)
          skipRegion(
            ctx,
            item,
            fromName,
            i,
            'extra-transcript',
            'only the first transcription result of a control is written',
          );
      }
      continue;
    }
    const reason = has
      ? 'only the first transcription control is written'
      : `${String(first?.type)} results have no place in an ASR manifest`;
    for (let i = 0; i < values.length; i++) skipRegion(ctx, item, fromName, i, 'not-a-transcript', reason);
  }
  const raw = found?.[0]?.text;
  const lines = Array.isArray(raw) ? raw.map((t) => String(t)) : typeof raw === 'string' ? [raw] : [];
  if (lines.length === 0) {
    skipItem(ctx, item, 'no-transcript', 'annotation has no TextArea transcription');
    return undefined;
  }
  return python ? lines[0] : lines.join(' ');
}

function annotator(item: Item): unknown {
  const by = item.completed_by;
  // get_annotator(item, default=""): the email of an expanded user, else str(id).
  if (typeof by === 'object' && by !== null && !Array.isArray(by))
    return 'email' in by ? (by as { email: unknown }).email : '';
  if (typeof by === 'number') return Number.isInteger(by) ? String(by) : pyRepr(by);
  if (by === undefined || by === null) return 'None';
  return String(by);
}

function skipItem(ctx: ExportContext, item: Item, code: string, reason: string): void {
  ctx.report.skip({ taskIndex: item.taskIndex, taskId: item.id, kind: 'annotation', code, reason });
}

function skipRegion(
  ctx: ExportContext,
  item: Item,
  fromName: string,
  index: number,
  code: string,
  reason: string,
): void {
  const id = item.results[fromName]?.[index]?.id;
  ctx.report.skip({
    taskIndex: item.taskIndex,
    taskId: item.id,
    kind: 'region',
    code,
    field: `result.${fromName}`,
    ...(typeof id === 'string' ? { regionId: id } : {}),
    reason,
  });
}

/** The data key of the Audio object a TextArea reads from, else the config's first data key. */
function audioKey(config: LabelConfig): string | undefined {
  for (const control of config.controls.values()) {
    if (control.type !== 'TextArea') continue;
    const audio = control.inputs.find(
      (o) => (o.type === 'Audio' || o.type === 'AudioPlus') && o.value !== undefined,
    );
    if (audio?.value !== undefined) return audio.value;
  }
  return config.dataKeys[0];
}

async function writeLine(out: FileWriter, line: ManifestLine, python: boolean): Promise<void> {
  await out.write(`${python ? pythonJsonObject({ ...line }) : JSON.stringify(line)}\n`);
}

/** `json.dumps(record)` with Python's defaults: `", "`/`": "` separators, ASCII escapes, float repr. */
export function pythonJsonObject(record: Readonly<Record<string, unknown>>): string {
  return `{${Object.entries(record)
    .map(([k, v]) => `${pythonJsonString(k)}: ${pythonJsonValue(v)}`)
    .join(', ')}}`;
}

function pythonJsonValue(value: unknown): string {
  if (typeof value === 'string') return pythonJsonString(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
    return pyRepr(value);
  }
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return JSON.stringify(value);
}

function pythonJsonString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const ch = text[i] as string;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}
