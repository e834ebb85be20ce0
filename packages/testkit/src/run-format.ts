import { deflateSync } from 'node:zlib';
import {
  arrayTaskSource,
  type CompatMode,
  ConversionReport,
  type DatasetOptions,
  type FormatDefinition,
  type ImporterDefinition,
  type MemorySink,
  memorySink,
  type OptionSpecs,
  parseLabelConfig,
  type ResourceOptions,
  resolveOptions,
  runExport,
  type Sink,
  type Task,
} from '@lsconv/core';

/** Result of {@link runFormat}. */
export interface RunResult {
  sink: MemorySink;
  report: ConversionReport;
  /** A committed file as text. */
  text(path: string): string;
  /** A committed JSON file, parsed. */
  json(path: string): any;
}

/** Runs a format on in-memory tasks into a memory sink (for format unit tests). */
export async function runFormat(
  format: FormatDefinition<any>,
  tasks: readonly unknown[],
  config: string,
  compat: CompatMode,
  options: Record<string, unknown> = {},
  resources: ResourceOptions = {},
  dataset?: DatasetOptions,
): Promise<RunResult> {
  const sink = memorySink();
  const report = await runExport({
    format,
    tasks: arrayTaskSource(structuredClone(tasks) as Task[]),
    config: parseLabelConfig(config),
    sink,
    compat,
    options,
    ...(dataset ? { dataset } : {}),
    resources,
    force: true,
  });
  return { sink, report, text: (p) => sink.text(p), json: (p) => JSON.parse(sink.text(p)) };
}

/**
 * The first bytes of an RGBA PNG of the given size, no pixels: all an image-size reader
 * needs, for any size (even one too large to allocate).
 */
export function pngHeader(width: number, height: number): Buffer {
  const b = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  b[24] = 8;
  b[25] = 6;
  return b;
}

/** A valid RGB PNG of the given size (test media). */
export function tinyPng(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const raw = Buffer.alloc((width * 3 + 1) * height);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A rectangle result in percent (test data). */
export function rect(
  id: string,
  label: string,
  x: number,
  y: number,
  w: number,
  h: number,
  extra: Record<string, unknown> = {},
  size = { width: 200, height: 100 },
) {
  const { rotation, from_name = 'label', ...rest } = extra as { rotation?: number; from_name?: string };
  return {
    id,
    from_name,
    to_name: 'image',
    type: 'rectanglelabels',
    original_width: size.width,
    original_height: size.height,
    value: {
      x,
      y,
      width: w,
      height: h,
      ...(rotation === undefined ? {} : { rotation }),
      rectanglelabels: [label],
    },
    ...rest,
  };
}

/** Runs an importer on a dataset and collects its tasks (for importer unit tests). */
export async function runImport(
  importer: ImporterDefinition<OptionSpecs>,
  input: string,
  given: Record<string, unknown> = {},
  compat: CompatMode = 'default',
): Promise<{ tasks: Task[]; labelConfig: string; report: ConversionReport }> {
  const report = new ConversionReport(`import ${importer.id}`);
  const options = resolveOptions(importer.id, importer.options, given);
  const result = await importer.run({ input, options, report, compat, signal: new AbortController().signal });
  const tasks: Task[] = [];
  for await (const t of result.tasks as AsyncIterable<Task>) tasks.push(t);
  return { tasks, labelConfig: result.labelConfig, report };
}

/**
 * A conformance case's import arguments (the Python converter's snake_case names,
 * `image_dims` as a list) as importer options: camelCase, lists joined with `x`.
 */
export function importOptionsFromArgs(args: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) {
    out[k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())] = Array.isArray(v) ? v.join('x') : v;
  }
  return out;
}

/**
 * A sink that passes everything to `sink` and records the length of every chunk written
 * through `createFile` (string length or byte count), in order: for tests of how a format
 * writes (pieces small enough, no single string of a whole output).
 */
export function writeSizes(sink: Sink): { sink: Sink; sizes: number[] } {
  const sizes: number[] = [];
  const watched: Sink = {
    get filesWritten() {
      return sink.filesWritten;
    },
    get bytesWritten() {
      return sink.bytesWritten;
    },
    has: (path) => sink.has(path),
    writeFile: (path, data) => sink.writeFile(path, data),
    mkdir: (path) => sink.mkdir(path),
    commit: () => sink.commit(),
    abort: () => sink.abort(),
    async createFile(path) {
      const file = await sink.createFile(path);
      return {
        write: (chunk) => {
          sizes.push(chunk.length);
          return file.write(chunk);
        },
        close: () => file.close(),
      };
    },
  };
  return { sink: watched, sizes };
}
