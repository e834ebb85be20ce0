/** Image references: how each storage form is classified, named and located. */
import { type ExportContext, mediaFileName, shortHash } from '@lsconv/core';

/** How the Python converter classifies a media reference. */
export type ImageRefKind = 'upload' | 'local-files' | 'cloud' | 'storage-proxy' | 'http' | 'path';

/** Classifies a media reference like the Python converter's `get_local_path`. */
export function classifyImageRef(url: string): ImageRefKind {
  if (/^https?:\/\//i.test(url)) return 'http';
  if (url.startsWith('s3:') || url.startsWith('gs:') || url.startsWith('azure-blob:')) return 'cloud';
  if (url.startsWith('upload') || url.startsWith('/upload') || url.startsWith('/data/upload'))
    return 'upload';
  if (url.startsWith('/data/') && url.includes('?d=')) return 'local-files';
  if (url.startsWith('/storage-data/uploaded') || url.startsWith('storage-data/uploaded'))
    return 'storage-proxy';
  return 'path';
}

/** Last segment of a URL path or file path (`os.path.basename(urlparse(url).path)`). */
export function urlBaseName(url: string): string {
  let path = url;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(path);
  if (scheme) path = path.slice(scheme[0].length);
  path = path.replace(/[?#].*$/s, '');
  const slash = path.lastIndexOf('/');
  return slash >= 0 ? path.slice(slash + 1) : path;
}

/** `<md5(url)[:8]>__<basename>`: the name the Python converter caches a media file under. */
export function cacheFileName(url: string): string {
  return `${shortHash(url)}__${urlBaseName(url)}`;
}

/** `os.path.splitext(name)[0]`: the name without its last extension (leading dots kept). */
export function stripExtension(name: string): string {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return name;
  if (/^\.+$/.test(name.slice(0, dot))) return name;
  return name.slice(0, dot);
}

/** Where an image of a task ends up. */
export interface ImageRef {
  /** The reference as in the task. */
  url: string;
  kind: ImageRefKind;
  /** The image path written into COCO `file_name`: `images/<name>` or the raw reference. */
  fileName: string;
  /**
   * The media file's name that VOC/YOLO files are named after (may be unsafe: pass through
   * {@link safeStem}).
   */
  baseName: string;
  /** A local file with the bytes, when one was found. */
  localPath?: string;
  /** Whether the bytes were copied into the output. */
  copied: boolean;
}

/**
 * Locates an image and names it. http(s) URLs and plain paths that do not exist become
 * `<imageDir>/<md5(url)[:8]>__<name>` (the Python converter's cache name); a plain path that
 * exists keeps its value; upload, local-files, storage-proxy and cloud references that
 * cannot be resolved keep their raw value. `baseName`, which label files are named after, is
 * the media file's own name ({@link mediaFileName}: the last segment of the `d` parameter of
 * a Local Storage URL, of a cloud key, of an upload path, decoded), in both compat modes: the
 * Python converter takes the raw reference's last `/` segment, which keeps `%20` and is the
 * query itself when the folders are encoded (`?d=a%2Fb.jpg`). With `copy`, the bytes go to
 * `<imageDir>/<name>`.
 */
export async function locateImage(
  ctx: Pick<ExportContext, 'resources' | 'sink'> & { compat?: ExportContext['compat'] },
  url: string,
  opts: {
    imageDir: string;
    copy: boolean;
    /** Look for the bytes of upload/local-files/cloud references (default true); plain paths are always checked. */
    resolve?: boolean;
    destName?: string;
    taskId?: unknown;
    taskIndex?: number;
    field?: string;
    /** The caller does without the bytes: a failure to find them is not reported (see `ResourceCallContext`). */
    optional?: boolean;
  },
): Promise<ImageRef> {
  const kind = classifyImageRef(url);
  const python = ctx.compat === 'python';
  const localName = imageLocalName(ctx, url, kind, python);
  const callContext = {
    taskId: opts.taskId,
    taskIndex: opts.taskIndex,
    field: opts.field,
    optional: opts.optional,
  };
  let localPath: string | undefined;
  if (kind === 'path' || opts.copy || (kind !== 'http' && opts.resolve !== false)) {
    const resolved = await ctx.resources.resolve(url, callContext);
    localPath = resolved.path;
  }
  const dir = opts.imageDir.replace(/\/+$/, '');
  const name = opts.destName ?? localName;
  let copied = false;
  if (opts.copy) {
    const dest = `${dir}/${safeFileName(name)}`;
    copied = ctx.sink.has(dest) ? true : await ctx.resources.copyTo(ctx.sink, url, dest, callContext);
    if (copied) return { url, kind, fileName: dest, baseName: safeFileName(name), localPath, copied };
  }
  if (kind === 'http') {
    // Nothing is written under this name: the Python converter's name as it is, however long.
    const shown = python ? cacheFileName(url) : localName;
    return { url, kind, fileName: `${dir}/${shown}`, baseName: localName, localPath, copied };
  }
  if (kind === 'path') {
    if (localPath) return { url, kind, fileName: url, baseName: urlBaseName(url), localPath, copied };
    return { url, kind, fileName: `${dir}/${localName}`, baseName: localName, localPath, copied };
  }
  return { url, kind, fileName: url, baseName: mediaFileName(url), localPath, copied };
}

/** The name an image's copy (and, for http(s) and missing paths, its label files) gets. */
function imageLocalName(
  ctx: Pick<ExportContext, 'resources'>,
  url: string,
  kind: ImageRefKind,
  python: boolean,
): string {
  const described = ctx.resources.describe(url);
  // Use the shared resolver's name when it classifies the reference as we do.
  const sameKind = described.kind === kind || (kind === 'path' && described.kind === 'unknown');
  const name =
    sameKind && described.localName
      ? described.localName
      : kind === 'http' || kind === 'path'
        ? cacheFileName(url)
        : urlBaseName(url);
  if (python || kind !== 'http') return name;
  // Outside compat python the cached name is decoded too (`%E7%8C%AB.jpg` → `猫.jpg`).
  const own = mediaFileName(url);
  return own === urlBaseName(url) ? name : safeFileName(`${shortHash(url)}__${own}`, 240);
}

/**
 * A file-name stem from an image base name: extension removed, cut to `maxChars`
 * (the Python converter's 251), path separators and control characters replaced, never
 * `.`/`..`/empty. Other characters stay as the Python converter writes them.
 */
export function safeStem(baseName: string, maxChars = 251): string {
  return safeFileName(stripExtension(baseName).slice(0, maxChars), maxChars);
}

/** A single safe path segment from untrusted text, at most `maxBytes` UTF-8 bytes. */
export function safeFileName(name: string, maxBytes = 250): string {
  let text = String(name).replace(/[\u0000-\u001f\u007f\\/]/g, '_');
  if (text === '' || text === '.' || text === '..') text = `image${text.replace(/\./g, '_')}`;
  while (Buffer.byteLength(text) > maxBytes) text = [...text].slice(0, -1).join('');
  return text;
}
