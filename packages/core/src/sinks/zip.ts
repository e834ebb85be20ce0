import { once } from 'node:events';
import { createWriteStream, promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { createDeflateRaw, type DeflateRaw, deflateRawSync } from 'node:zlib';
import type { Zip, ZipPassThrough } from 'fflate';
import { LsconvError } from '../errors.js';
import { checkOutputPath } from '../safe-path.js';
import { makeFoldersSync, tempBeside, writeFailure } from './commit.js';
import { removeStaleTemps } from './stale.js';
import { type FileWriter, type Sink, utf8 } from './types.js';

/** Options of {@link zipSink}. */
export interface ZipSinkOptions {
  /** Deflate level 0–9; 0 stores. Default 6. Already-compressed media are always stored. */
  level?: number;
  /** What the archive is, for error messages (a file name); default `the zip archive`. */
  name?: string;
}

const STORED_EXTENSIONS = /\.(png|jpe?g|gif|webp|mp3|ogg|flac|m4a|mp4|zip|gz|npz)$/i;

/** Whole entries larger than this are deflated on the thread pool, not in this thread. */
const WHOLE_SYNC_BYTES = 1024 * 1024;

/** An entry deflated by a zlib stream: the archive waits on it for backpressure. */
interface StreamEntry extends ZipPassThrough {
  failure: Error | undefined;
  /** Resolves when zlib can take more (backpressure for the writer). */
  ready(): Promise<void>;
  /** Stops the zlib stream (archive aborted). */
  terminate: () => void;
}

/** fflate's archive and entry classes, with the two deflating entries built on them. */
interface ZipKit {
  Zip: typeof Zip;
  ZipPassThrough: typeof ZipPassThrough;
  WholeDeflate: new (filename: string, level: number) => ZipPassThrough;
  StreamDeflate: new (filename: string, level: number) => StreamEntry;
}

let kit: ZipKit | undefined;

/**
 * Loads fflate (its one-file CommonJS build) with the first archive, not with core: most
 * exports write a folder, and loading it took a noticeable part of a small export's start.
 */
function zipKit(): ZipKit {
  if (kit) return kit;
  const fflate = createRequire(import.meta.url)('fflate') as typeof import('fflate');
  /**
   * An entry whose whole content arrives in one push: deflated by Node's native zlib
   * in one call, which costs a fraction of a streaming JS deflater's per-entry set-up
   * (a folder format writes tens of thousands of small files).
   */
  class WholeDeflate extends fflate.ZipPassThrough {
    constructor(
      filename: string,
      private readonly level: number,
    ) {
      super(filename);
      this.compression = 8;
    }
    override process(chunk: Uint8Array, final: boolean): void {
      this.ondata!(null, deflateRawSync(chunk, { level: this.level }), final);
    }
  }

  /**
   * An entry whose content arrives in several pushes (a large result file): deflated
   * by a native zlib stream on the thread pool, so this thread only hands chunks over.
   * Compressed data reaches the archive asynchronously; the archive keeps entries in
   * order.
   */
  class StreamDeflate extends fflate.ZipPassThrough implements StreamEntry {
    private readonly z: DeflateRaw;
    private blocked: Promise<void> | undefined;
    failure: Error | undefined;
    constructor(filename: string, level: number) {
      super(filename);
      this.compression = 8;
      this.z = createDeflateRaw({ level });
      this.z.on('data', (data: Buffer) => this.ondata!(null, data as Uint8Array<ArrayBuffer>, false));
      this.z.on('end', () => this.ondata!(null, new Uint8Array(0), true));
      this.z.on('error', (error) => {
        this.failure ??= error;
        this.ondata!(error as never, null as never, true);
      });
    }
    override process(chunk: Uint8Array, final: boolean): void {
      if (final) {
        // The archive's end waits for this entry; no backpressure is needed after the last chunk.
        this.z.end(chunk);
        return;
      }
      if (!this.z.write(chunk)) {
        this.blocked ??= once(this.z, 'drain').then(() => {
          this.blocked = undefined;
        });
      }
    }
    /** Resolves when zlib can take more (backpressure for the writer). */
    ready(): Promise<void> {
      return this.blocked ?? Promise.resolve();
    }
    /** Stops the zlib stream (archive aborted). */
    terminate = (): void => {
      this.z.destroy();
    };
  }

  kit = { Zip: fflate.Zip, ZipPassThrough: fflate.ZipPassThrough, WholeDeflate, StreamDeflate };
  return kit;
}

/**
 * Resolves when the stream drains. A stream that fails (a full disk, a client gone) never
 * drains: it wakes up on error and close too, or the export would wait forever.
 */
function drained(out: Writable): Promise<void> {
  return new Promise((r) => {
    const wake = () => {
      out.off('drain', wake);
      out.off('error', wake);
      out.off('close', wake);
      r();
    };
    out.on('drain', wake);
    out.on('error', wake);
    out.on('close', wake);
  });
}

/** Adds an entry to the archive, stored or deflated; `wholeBytes` is its size when its content comes in a single final push. */
function addEntry(zip: Zip, safe: string, level: number, wholeBytes: number | undefined): ZipPassThrough {
  const deflate = level > 0 && !STORED_EXTENSIONS.test(safe);
  const { ZipPassThrough, WholeDeflate, StreamDeflate } = zipKit();
  let file: ZipPassThrough;
  if (!deflate) file = new ZipPassThrough(safe);
  else if (wholeBytes !== undefined && wholeBytes <= WHOLE_SYNC_BYTES) file = new WholeDeflate(safe, level);
  else file = new StreamDeflate(safe, level);
  file.mtime = new Date('2000-01-01T00:00:00Z');
  zip.add(file);
  return file;
}

/** The `OUTPUT_WRITE` error for a failure of the archive or its stream. */
function writeError(failure: unknown, name: string): LsconvError {
  const code = (failure as NodeJS.ErrnoException).code;
  return new LsconvError('OUTPUT_WRITE', `cannot write ${name}: ${(failure as Error).message}`, {
    cause: failure,
    ...(code === 'ENOSPC' ? { hint: 'the disk is full' } : {}),
  });
}

/**
 * The writer of one entry. The entry joins the archive at its first flush: a file that
 * fits in one buffer is then known whole and deflated in one native call.
 */
function entryWriter(
  open: (wholeBytes: number | undefined) => ZipPassThrough,
  push: (file: ZipPassThrough, chunk: Uint8Array, final: boolean) => Promise<void>,
  countBytes: (count: number) => void,
): FileWriter {
  let file: ZipPassThrough | undefined;
  let parts: Uint8Array[] = [];
  let size = 0;
  const flush = async (final: boolean) => {
    const chunk = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    parts = [];
    size = 0;
    file ??= open(final ? chunk.byteLength : undefined);
    await push(file, chunk, final);
  };
  let closed = false;
  return {
    async write(chunk) {
      const data = typeof chunk === 'string' ? utf8.encode(chunk) : chunk;
      parts.push(data);
      size += data.byteLength;
      countBytes(data.byteLength);
      if (size >= 256 * 1024) await flush(false);
    },
    async close() {
      if (closed) return;
      closed = true;
      await flush(true);
    },
  };
}

/**
 * A sink that streams one zip archive into a writable stream (an HTTP response, a
 * file). Entries are written as files close; `commit()` writes the central directory
 * and ends the stream, `abort()` destroys it.
 */
export function zipStreamSink(out: Writable, options: ZipSinkOptions = {}): Sink {
  const level = options.level ?? 6;
  let failure: unknown;
  let pendingWrite: Promise<void> = Promise.resolve();
  let done!: () => void;
  const finished = new Promise<void>((r) => {
    done = r;
  });
  const name = options.name ?? 'the zip archive';
  const { Zip, ZipPassThrough, StreamDeflate } = zipKit();
  const zip = new Zip((error, data, final) => {
    if (error) {
      failure ??= error;
      // The archive cannot complete: let a waiting commit see the failure.
      done();
      return;
    }
    if (out.destroyed) {
      failure ??= new Error('the output stream was closed');
    } else if (data.byteLength && !out.write(data)) {
      // A stream that fails (a full disk, a client gone) never drains: wake up on
      // error and close too, or the export would wait forever.
      pendingWrite = drained(out);
    }
    if (final) done();
  });
  out.on('error', (error) => {
    failure ??= error;
  });
  const names = new Set<string>();
  let state: 'open' | 'committed' | 'aborted' = 'open';
  let files = 0;
  let bytes = 0;
  const check = () => {
    if (failure) throw writeError(failure, name);
  };
  const claim = (path: string): string => {
    if (state !== 'open') throw new LsconvError('OUTPUT_WRITE', `the zip output is already ${state}`);
    const safe = checkOutputPath(path);
    if (names.has(safe))
      throw new LsconvError('OUTPUT_WRITE', `the zip archive already has an entry "${safe}"`);
    names.add(safe);
    files++;
    return safe;
  };
  /** Adds an entry; `wholeBytes` is its size when its content comes in a single final push. */
  const add = (safe: string, wholeBytes: number | undefined) => addEntry(zip, safe, level, wholeBytes);
  const push = async (file: ZipPassThrough, chunk: Uint8Array, final: boolean) => {
    check();
    file.push(chunk, final);
    check();
    if (file instanceof StreamDeflate) {
      await file.ready();
      if (file.failure) failure ??= file.failure;
      check();
    }
    await pendingWrite;
    check();
  };
  return {
    get filesWritten() {
      return files;
    },
    get bytesWritten() {
      return bytes;
    },
    has: (path) => names.has(path),
    async writeFile(path, data) {
      const safe = claim(path);
      const content = typeof data === 'string' ? utf8.encode(data) : data;
      bytes += content.byteLength;
      await push(add(safe, content.byteLength), content, true);
    },
    async createFile(path): Promise<FileWriter> {
      const safe = claim(path);
      return entryWriter(
        (wholeBytes) => add(safe, wholeBytes),
        push,
        (count) => {
          bytes += count;
        },
      );
    },
    async mkdir(path) {
      const safe = `${checkOutputPath(path)}/`;
      if (names.has(safe)) return;
      names.add(safe);
      const dir = new ZipPassThrough(safe);
      dir.mtime = new Date('2000-01-01T00:00:00Z');
      zip.add(dir);
      dir.push(new Uint8Array(0), true);
    },
    async commit() {
      if (state !== 'open') throw new LsconvError('OUTPUT_WRITE', `the zip output is already ${state}`);
      state = 'committed';
      zip.end();
      await finished;
      check();
      await new Promise<void>((resolveEnd) => {
        out.end((error?: Error | null) => {
          if (error) failure ??= error;
          resolveEnd();
        });
      });
      check();
    },
    async abort() {
      if (state !== 'open') return;
      state = 'aborted';
      zip.terminate();
      out.destroy();
    },
  };
}

/**
 * A sink that writes one zip file: written under a temporary name beside it and
 * renamed into place by `commit()`.
 */
export function zipFileSink(file: string, options: ZipSinkOptions = {}): Sink {
  const target = resolve(file);
  const temp = tempBeside(target);
  let inner: Sink | undefined;
  let stream: ReturnType<typeof createWriteStream> | undefined;
  const open = () => {
    if (!inner) {
      try {
        makeFoldersSync(dirname(target));
      } catch (error) {
        writeFailure(error, file);
      }
      stream = createWriteStream(temp);
      inner = zipStreamSink(stream, { name: file, ...options });
    }
    return inner;
  };
  return {
    get filesWritten() {
      return inner?.filesWritten ?? 0;
    },
    get bytesWritten() {
      return inner?.bytesWritten ?? 0;
    },
    has: (path) => inner?.has(path) ?? false,
    writeFile: async (path, data) => open().writeFile(path, data),
    createFile: async (path) => open().createFile(path),
    mkdir: async (path) => open().mkdir(path),
    async commit() {
      const sink = open();
      try {
        await sink.commit();
        await fs.rename(temp, target);
        await removeStaleTemps(target);
      } catch (error) {
        await fs.rm(temp, { force: true });
        writeFailure(error, file);
      }
    },
    async abort() {
      await inner?.abort();
      if (stream && !stream.closed)
        await new Promise<void>((r) => stream!.once('close', () => r()).destroy());
      await fs.rm(temp, { force: true });
    },
  };
}
