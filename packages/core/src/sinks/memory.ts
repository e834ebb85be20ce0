import { LsconvError } from '../errors.js';
import { checkOutputPath } from '../safe-path.js';
import { BufferedWriter } from './buffered-writer.js';
import { chunkLength, type FileWriter, type Sink, utf8 } from './types.js';

/** A sink that keeps the files in memory: for tests, the server and library use. */
export interface MemorySink extends Sink {
  /** The committed files by path (empty until commit). */
  readonly files: ReadonlyMap<string, Uint8Array>;
  /** Folders created with mkdir (paths without trailing slash). */
  readonly dirs: ReadonlySet<string>;
  /** A committed file as text. */
  text(path: string): string;
}

/** Creates a {@link MemorySink}. */
export function memorySink(): MemorySink {
  const pending = new Map<string, Uint8Array[]>();
  const files = new Map<string, Uint8Array>();
  const pendingDirs = new Set<string>();
  const dirs = new Set<string>();
  const writers = new Set<BufferedWriter>();
  let state: 'open' | 'committed' | 'aborted' = 'open';
  let count = 0;
  let bytes = 0;
  const begin = (path: string) => {
    if (state !== 'open') throw new LsconvError('OUTPUT_WRITE', `the memory output is already ${state}`);
    const safe = checkOutputPath(path);
    pending.set(safe, []);
    count++;
    return safe;
  };
  return {
    files,
    dirs,
    get filesWritten() {
      return count;
    },
    get bytesWritten() {
      return bytes;
    },
    has: (path) => pending.has(path) || files.has(path),
    text(path) {
      const data = files.get(path);
      if (!data) throw new Error(`no file ${path}`);
      return Buffer.from(data).toString('utf8');
    },
    async writeFile(path, data) {
      const safe = begin(path);
      pending.get(safe)!.push(typeof data === 'string' ? utf8.encode(data) : data.slice());
      bytes += chunkLength(data);
    },
    async createFile(path): Promise<FileWriter> {
      const safe = begin(path);
      const chunks = pending.get(safe)!;
      const writer: BufferedWriter = new BufferedWriter(
        async (chunk) => {
          chunks.push(new Uint8Array(chunk));
          bytes += chunk.byteLength;
        },
        async () => {
          writers.delete(writer);
        },
      );
      writers.add(writer);
      return writer;
    },
    async mkdir(path) {
      pendingDirs.add(checkOutputPath(path));
    },
    async commit() {
      if (state !== 'open') throw new LsconvError('OUTPUT_WRITE', `the memory output is already ${state}`);
      for (const writer of [...writers]) await writer.close();
      for (const [path, chunks] of pending) files.set(path, Buffer.concat(chunks));
      for (const dir of pendingDirs) dirs.add(dir);
      pending.clear();
      state = 'committed';
    },
    async abort() {
      if (state === 'committed') return;
      state = 'aborted';
      pending.clear();
    },
  };
}
