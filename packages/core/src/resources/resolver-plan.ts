/**
 * Where a resource reference can be had: the files on disk it may name, or the Label
 * Studio (or other) URLs to download it from, in order; and the failures when neither.
 */
import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve as resolvePath, win32 } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Classified, hashedName, storageFilepath } from './classify.js';
import type { ResourceCallContext, ResourceOptions } from './types.js';

/** What the resolver knows of where files are: its options, the server URL, the upload folder. */
export interface ResolverPlaces {
  opts: ResourceOptions;
  /** The Label Studio URL without trailing slashes. */
  lsUrl: string | undefined;
  uploadDir: string | undefined;
  isFile: (path: string) => boolean | Promise<boolean>;
}

export interface Attempt {
  /** What to request. */
  url: string;
  /** What the cache file name hashes (the Python converter's key). */
  key: string;
  localName: string;
}

export interface Failure {
  code: string;
  reason: string;
}

export interface Outcome {
  c: Classified;
  localName: string;
  path?: string;
  source?: 'local' | 'cache' | 'download';
  failure?: Failure;
}

/** The first file on disk the reference names, if any. */
export async function findLocal(c: Classified, places: ResolverPlaces): Promise<string | undefined> {
  const { opts, uploadDir, isFile } = places;
  const candidates: string[] = [];
  if (c.kind === 'local-files' && opts.localFilesRoot) {
    const rel = c.normalized.split('?d=')[1] ?? '';
    for (const name of variants(rel)) candidates.push(...contained(opts.localFilesRoot, name));
  } else if (c.kind === 'upload' && uploadDir) {
    const rest = /^\/data\/upload\/(.*)$/s.exec(c.normalized)?.[1] ?? '';
    for (const name of variants(rest)) candidates.push(...contained(uploadDir, name));
  } else if (c.kind === 'storage-proxy' && uploadDir) {
    const rest = (storageFilepath(c.normalized) ?? '').replace(/^\/?(data\/)?upload\//, '');
    candidates.push(...contained(uploadDir, rest));
  } else if (c.kind === 'path' && opts.allowPlainPaths !== false) {
    candidates.push(...plainPathCandidates(c.normalized, opts.baseDir));
  }
  for (const candidate of candidates) {
    if (await isFile(candidate)) return candidate;
  }
  return undefined;
}

/** The URLs to try for a reference not found on disk (cache keys and names included), or why there are none. */
export function planRemote(
  c: Classified,
  context: ResourceCallContext | undefined,
  places: ResolverPlaces,
): Attempt[] | Failure {
  const { opts, lsUrl } = places;
  if (c.kind === 'http') return [{ url: c.normalized, key: c.url, localName: c.localName }];
  if (c.kind === 'unknown') {
    return fail(
      'resource-unsupported',
      'not a reference lsconv can read (expected a path, a Label Studio URL or an http(s), s3, gs or azure-blob URL)',
    );
  }
  const serverRelative = c.kind !== 'path' || /^\/(data|storage-data)\//.test(c.normalized);
  if (!serverRelative) {
    return fail(
      'resource-not-found',
      opts.allowPlainPaths === false
        ? 'plain file paths are not read here'
        : `file not found (relative paths are read from ${opts.baseDir ?? 'the working folder'})`,
    );
  }
  if (!lsUrl) return fail('resource-not-found', notFoundWithoutServer(c, places));
  if (!opts.lsToken) {
    return fail(
      'resource-needs-token',
      'Label Studio serves this file only with an API token: set --ls-token or LABEL_STUDIO_API_KEY',
    );
  }
  if (c.kind === 'cloud') {
    const taskId = context?.taskId;
    if (taskId === undefined || taskId === null || taskId === '') {
      return fail(
        'resource-needs-task-id',
        'cloud storage files are presigned per task, and this task has no id',
      );
    }
    const fileuri = Buffer.from(c.normalized).toString('base64url');
    const padded = fileuri + '='.repeat((4 - (fileuri.length % 4)) % 4);
    const url = `${lsUrl}/tasks/${encodeURIComponent(String(taskId))}/presign/?fileuri=${padded}`;
    // Cached under the cloud URI, as the Python converter does, so the name does not depend on the task.
    return [{ url, key: c.url, localName: c.localName }];
  }
  if (c.kind === 'upload' || (c.kind === 'storage-proxy' && storageFilepath(c.normalized))) {
    // Label Studio serves uploads through its storage proxy (works with cloud-backed
    // media storage); the legacy /data/upload path is the fallback, like the SDK.
    let uploadPath =
      c.kind === 'upload'
        ? c.normalized.replace(/^\/+/, '').replace(/^data\//, '')
        : (storageFilepath(c.normalized) ?? '');
    uploadPath = uploadPath.replace(/^\/+/, '');
    const proxy =
      c.kind === 'upload'
        ? `${lsUrl}/storage-data/uploaded/?filepath=${uploadPath}`
        : concatUrl(lsUrl, c.normalized);
    const legacy = concatUrl(lsUrl, `/data/${uploadPath.replace(/^data\//, '')}`);
    const name = basename(uploadPath);
    return [
      { url: proxy, key: proxy, localName: hashedName(proxy, name) },
      {
        url: legacy,
        key: legacy,
        localName: hashedName(legacy, basename(legacy.split(/[?#]/, 1)[0] ?? '')),
      },
    ];
  }
  const url = concatUrl(lsUrl, c.normalized);
  return [{ url, key: url, localName: hashedName(url, c.rawName) }];
}

function notFoundWithoutServer(c: Classified, places: ResolverPlaces): string {
  const { opts, uploadDir } = places;
  if (c.kind === 'local-files') {
    return opts.localFilesRoot
      ? `not found under the local files root ${opts.localFilesRoot}, and no Label Studio URL is set`
      : 'no local files root (--local-files-root, LOCAL_FILES_DOCUMENT_ROOT) and no Label Studio URL (--ls-url) is set';
  }
  if (c.kind === 'upload' || c.kind === 'storage-proxy') {
    return uploadDir
      ? `not found in the upload folder ${uploadDir}, and no Label Studio URL is set`
      : 'no upload folder (--upload-dir, LS_UPLOAD_DIR, --project-dir) and no Label Studio URL (--ls-url) is set';
  }
  if (c.kind === 'cloud')
    return 'cloud storage files are presigned by Label Studio: set --ls-url and --ls-token';
  return 'not found locally, and no Label Studio URL (--ls-url) is set to fetch it from';
}

export function fail(code: string, reason: string): Failure {
  return { code, reason };
}

export function location(context: ResourceCallContext | undefined) {
  const where: { taskId?: unknown; taskIndex?: number; field?: string } = {};
  if (context?.taskId !== undefined) where.taskId = context.taskId;
  if (context?.taskIndex !== undefined) where.taskIndex = context.taskIndex;
  if (context?.field !== undefined) where.field = context.field;
  return where;
}

/** The name as written, and URL-decoded when that differs (Label Studio writes both forms). */
function variants(name: string): string[] {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    // Not valid percent-encoding: only the raw form.
  }
  return decoded === name ? [name] : [name, decoded];
}

/** `root/name` when it stays inside `root` (no `..`, no absolute escape, no NUL), else nothing. */
function contained(root: string, name: string): string[] {
  if (name === '' || name.includes('\0')) return [];
  const base = resolvePath(root);
  const full = resolvePath(base, name);
  const rel = relative(base, full);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return [];
  return [full];
}

function plainPathCandidates(reference: string, baseDir: string | undefined): string[] {
  if (reference.includes('\0')) return [];
  if (/^file:/i.test(reference)) {
    try {
      return [fileURLToPath(reference)];
    } catch {
      return [];
    }
  }
  if (isAbsolute(reference) || win32.isAbsolute(reference)) return [reference];
  return [resolvePath(baseDir ?? process.cwd(), reference)];
}

/** Whether `path` is a file, asked synchronously (a few microseconds on this thread). */
export function isFileNow(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false;
  }
}

/** Whether `path` is a file, asked on the thread pool. */
export async function isFileLater(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function concatUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

function basename(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? path : path.slice(slash + 1);
}
