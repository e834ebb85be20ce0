// Where finished snapshots and conversions are kept: a folder (the data folder by
// default, or a folder every instance mounts, `--storage file:///shared/path`) or an S3
// bucket (`--storage s3://bucket/prefix`, `storage-s3.ts`). Keys are relative paths
// (`export/<project>/<name>`), the same in every kind, so the store's rows do not change.
import { randomBytes } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/** A stored file opened for download. */
export interface StoredFile {
  size: number;
  /** Its content (called once, when the answer's headers are out). */
  stream(): Readable | Promise<Readable>;
}

/** Storage of export files. */
export interface ArtifactStorage {
  /** For logs: the folder or the bucket. */
  readonly description: string;
  /**
   * Stores a finished local file (it is moved or uploaded, then removed) under its Label
   * Studio name; when the name is taken, the name gets a `_<random>` suffix (as Django's
   * storage does). Returns its key.
   */
  put(source: string, relDir: string, stem: string, ext: string): Promise<string>;
  /** A local path with the file's content (a conversion reads it); `release` removes a temporary copy. */
  local(key: string, tmpDir: string): Promise<{ path: string; release(): Promise<void> }>;
  /** The file, for a download; undefined when it is missing. */
  open(key: string): Promise<StoredFile | undefined>;
  remove(key: string): Promise<void>;
  /** Removes every file under a folder key (a deleted project's exports). */
  removeAll(prefix: string): Promise<void>;
  /** Resolves when the storage answers (the readiness check). */
  ready(): Promise<void>;
}

/** A random suffix for a taken name. */
export const nameSuffix = () => `_${randomBytes(4).toString('hex').slice(0, 7)}`;

/** A key's path under a base folder; a key never leads out of it. */
function inside(base: string, key: string): string {
  const path = resolve(base, key);
  if (path !== base && !path.startsWith(base + sep))
    throw new Error(`storage key ${key} leads out of ${base}`);
  return path;
}

/** Export files in a folder: the data folder, or a folder every instance mounts. */
export function folderStorage(baseDir: string): ArtifactStorage {
  const base = resolve(baseDir);
  return {
    description: base,
    async put(source, relDir, stem, ext) {
      await fs.mkdir(inside(base, relDir), { recursive: true });
      for (let attempt = 0; ; attempt++) {
        const key = join(relDir, `${stem}${attempt === 0 ? '' : nameSuffix()}${ext}`);
        try {
          // link() fails when the name exists, so two jobs (or instances) never take the same name.
          await fs.link(source, inside(base, key));
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'EEXIST' && attempt < 10) continue;
          // A shared folder on another file system than the work folder: copy, never replacing.
          if (code === 'EXDEV') await fs.copyFile(source, inside(base, key), fs.constants.COPYFILE_EXCL);
          else throw error;
        }
        await fs.rm(source, { force: true });
        return key;
      }
    },
    async local(key) {
      return { path: inside(base, key), release: async () => undefined };
    },
    async open(key) {
      const path = inside(base, key);
      const stat = await fs.stat(path).catch(() => undefined);
      if (!stat?.isFile()) return undefined;
      return { size: stat.size, stream: () => createReadStream(path) };
    },
    async remove(key) {
      await fs.rm(inside(base, key), { force: true });
    },
    async removeAll(prefix) {
      await fs.rm(inside(base, prefix), { recursive: true, force: true });
    },
    async ready() {
      await fs.access(base);
    },
  };
}

/** Options of {@link openStorage}. */
export interface StorageOptions {
  /** `file:///path` or `s3://bucket/prefix`; default: the data folder. */
  storage?: string;
  /** Endpoint of an S3-compatible server (path-style addressing); else `AWS_ENDPOINT_URL`, else AWS. */
  s3Endpoint?: string;
}

/** The storage a server's options name. */
export async function openStorage(options: StorageOptions, dataDir: string): Promise<ArtifactStorage> {
  const url = options.storage;
  if (!url) return folderStorage(dataDir);
  if (url.startsWith('file://')) {
    const dir = fileURLToPath(url);
    await fs.mkdir(dir, { recursive: true });
    return folderStorage(dir);
  }
  if (url.startsWith('s3://')) {
    const { s3Storage } = await import('./storage-s3.js');
    return s3Storage(url, options.s3Endpoint ?? process.env.AWS_ENDPOINT_URL);
  }
  throw new Error(`--storage must be file:///path or s3://bucket/prefix, got ${JSON.stringify(url)}`);
}
