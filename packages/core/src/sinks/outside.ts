import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { IntSet } from '../compact-set.js';
import { checkOutputPath } from '../safe-path.js';
import { BufferedWriter } from './buffered-writer.js';
import { writeFailure } from './commit.js';
import { pathHash } from './directory.js';
import { chunkLength, type FileWriter, type Sink } from './types.js';

/** A folder outside the output that a user named for part of it (`--image-dir /data/images`). */
export interface OutsideFolder {
  /**
   * The path formats write under for it, as the output refers to it: the folder relative
   * to the output (`../images`), `/`-separated.
   */
  prefix: string;
  /** The folder itself, absolute. */
  folder: string;
}

/**
 * Wraps a sink so that paths under `outside.prefix` are written into `outside.folder`
 * instead of the output. The user chose that folder, so it is theirs to fill; the names
 * under it still come from task data and stay confined to it (`checkOutputPath`). Each
 * file there appears whole (written beside its name, then renamed), but those files are
 * not part of the output's all-or-nothing commit: an export that fails keeps the ones it
 * finished, as a copy of media should.
 */
export function withOutsideFolder(sink: Sink, outside: OutsideFolder): Sink {
  const prefix = outside.prefix.replace(/\/+$/, '');
  const folder = resolve(outside.folder);
  const written = new IntSet();
  let files = 0;
  let bytes = 0;
  /** The path inside the outside folder, or undefined for a path of the output. */
  const inside = (path: string): string | undefined => {
    if (path === prefix || path === `${prefix}/`) return '';
    if (!path.startsWith(`${prefix}/`)) return undefined;
    return checkOutputPath(path.slice(prefix.length + 1));
  };
  const fail = (error: unknown, path: string): never => writeFailure(error, folder, path);
  const place = async (rest: string): Promise<{ final: string; temp: string }> => {
    const final = join(folder, rest);
    try {
      await fs.mkdir(dirname(final), { recursive: true });
    } catch (error) {
      fail(error, rest);
    }
    written.add(pathHash(rest));
    return { final, temp: `${final}.lsconv-tmp-${process.pid}-${randomBytes(4).toString('hex')}` };
  };
  const finish = async (temp: string, final: string, rest: string) => {
    try {
      await fs.rename(temp, final);
    } catch (error) {
      await fs.rm(temp, { force: true });
      fail(error, rest);
    }
    files++;
  };

  return {
    get filesWritten() {
      return sink.filesWritten + files;
    },
    get bytesWritten() {
      return sink.bytesWritten + bytes;
    },
    has(path) {
      const rest = inside(path);
      if (rest === undefined) return sink.has(path);
      // A hash match is confirmed on disk, as the folder sink does.
      return written.has(pathHash(rest)) && existsSync(join(folder, rest));
    },
    async writeFile(path, data) {
      const rest = inside(path);
      if (rest === undefined) return sink.writeFile(path, data);
      const { final, temp } = await place(rest);
      try {
        await fs.writeFile(temp, data);
      } catch (error) {
        await fs.rm(temp, { force: true });
        fail(error, rest);
      }
      bytes += chunkLength(data);
      await finish(temp, final, rest);
    },
    async createFile(path): Promise<FileWriter> {
      const rest = inside(path);
      if (rest === undefined) return sink.createFile(path);
      const { final, temp } = await place(rest);
      let handle: fs.FileHandle;
      try {
        handle = await fs.open(temp, 'w');
      } catch (error) {
        return fail(error, rest);
      }
      return new BufferedWriter(
        async (chunk) => {
          try {
            await handle.write(chunk);
          } catch (error) {
            await handle.close().catch(() => undefined);
            await fs.rm(temp, { force: true });
            fail(error, rest);
          }
          bytes += chunk.byteLength;
        },
        async () => {
          await handle.close();
          await finish(temp, final, rest);
        },
      );
    },
    async mkdir(path) {
      const rest = inside(path);
      if (rest === undefined) return sink.mkdir(path);
      try {
        await fs.mkdir(join(folder, rest), { recursive: true });
      } catch (error) {
        fail(error, rest);
      }
    },
    commit: () => sink.commit(),
    abort: () => sink.abort(),
  };
}
