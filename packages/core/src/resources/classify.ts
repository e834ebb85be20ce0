import { hexDigest, safeBaseName, shortHash, truncateBytes } from '../safe-path.js';
import type { ResolvedResource } from './types.js';

/** What a reference is, with the pieces the resolver needs. */
export interface Classified {
  /** The reference exactly as in the task. */
  url: string;
  /** The reference after the Python converter's `upload/…` → `/data/upload/…` fix. */
  normalized: string;
  kind: ResolvedResource['kind'];
  /** The untrusted base name the Python converter derives (not yet made safe). */
  rawName: string;
  /** The name the Python converter gives it, made safe. */
  localName: string;
}

/** Longest local name in UTF-8 bytes: leaves room for suffixes such as `.txt` or `_abcd`. */
export const MAX_NAME_BYTES = 240;

const CLOUD = /^(s3|gs|azure-blob):/;
const HTTP = /^https?:\/\//i;
const OTHER_SCHEME = /^[a-z][a-z0-9+.-]+:/i;

/**
 * Classifies a task data reference and names it the way the Python converter does
 * (`label_studio_tools` `get_local_path` / `download_and_cache`): `<md5(key)[:8]>__<basename>`
 * for media that would be cached, the original basename for upload-folder files.
 * Pure: reads nothing, fetches nothing.
 */
export function classifyReference(url: string): Classified {
  const text = typeof url === 'string' ? url : String(url);
  // The Python converter rewrites bare upload keys before classifying them.
  const normalized = /^\/?upload\//.test(text) ? `/data${text.startsWith('/') ? '' : '/'}${text}` : text;
  if (text.trim() === '') return named(text, normalized, 'unknown', '', 'hashed');
  if (HTTP.test(normalized))
    return named(text, normalized, 'http', posixBase(urlPathOf(normalized)), 'hashed');
  if (CLOUD.test(normalized)) return named(text, normalized, 'cloud', posixBase(normalized), 'hashed');
  if (normalized.startsWith('/data/') && normalized.includes('?d=')) {
    // The file's own name, decoded: the Python converter takes the raw `d` value's last
    // segment, which keeps `%20` and is the whole query when the folders are encoded (`a%2Fb.jpg`).
    return named(text, normalized, 'local-files', mediaFileName(normalized), 'hashed');
  }
  if (normalized.startsWith('/data/upload'))
    return named(text, normalized, 'upload', posixBase(normalized), 'plain');
  const pathPart = normalized.split(/[?#]/, 1)[0] ?? '';
  if (pathPart.startsWith('/storage-data/uploaded') || pathPart.startsWith('storage-data/uploaded')) {
    const filepath = storageFilepath(normalized);
    return named(text, normalized, 'storage-proxy', posixBase(filepath ?? pathPart), 'plain');
  }
  if (/^file:/i.test(normalized)) return named(text, normalized, 'path', posixBase(pathPart), 'hashed');
  // A single letter before ':' is a Windows drive, not a scheme.
  if (OTHER_SCHEME.test(normalized)) return named(text, normalized, 'unknown', posixBase(pathPart), 'hashed');
  // Python's urlparse drops `?query` and `#fragment` before taking the base name.
  return named(text, normalized, 'path', posixBase(pathPart), 'hashed');
}

/**
 * The media file's own name, as Label Studio shows it: the last segment of the path the
 * reference points at, percent-decoded. That is the `d` parameter of a Local Storage URL
 * (`/data/local-files/?d=dataset%2Fimages%2Fcat.jpg` → `cat.jpg`), the `filepath` of a
 * storage proxy URL, the key of an `s3://`, `gs://` or `azure-blob://` URI, and the path
 * of an upload or http(s) URL with its query (a presigned signature) and fragment left
 * out. A plain file path is taken as written. Untrusted: make it safe before using it as a
 * file name. Empty when the reference names no file.
 */
export function mediaFileName(url: string): string {
  const text = typeof url === 'string' ? url : String(url);
  const normalized = /^\/?upload\//.test(text) ? `/data${text.startsWith('/') ? '' : '/'}${text}` : text;
  if (normalized.startsWith('/data/') && normalized.includes('?d=')) {
    const value = normalized.slice(normalized.indexOf('?d=') + 3);
    // A later parameter (`&…`) is not part of the path when the value itself is encoded.
    return posixBase(decodeOrSelf(value.includes('%') ? (value.split('&', 1)[0] ?? '') : value));
  }
  const pathPart = normalized.split(/[?#]/, 1)[0] ?? '';
  if (/^\/?storage-data\/uploaded/.test(pathPart)) {
    const filepath = storageFilepath(normalized);
    return posixBase(filepath ?? pathPart);
  }
  if (HTTP.test(normalized)) return decodeOrSelf(posixBase(urlPathOf(normalized)));
  if (CLOUD.test(normalized) || normalized.startsWith('/data/upload') || /^file:/i.test(normalized))
    return decodeOrSelf(posixBase(pathPart));
  return posixBase(pathPart);
}

/** `<md5(key)[:8]>__<name>`, made safe: the Python converter's cache file name. */
export function hashedName(key: string, rawName: string): string {
  return safeLocalName(`${shortHash(key)}__`, rawName);
}

/**
 * `prefix + rawName` when that is already a safe single file name (so names match the
 * Python converter's byte for byte), otherwise `prefix + safeBaseName(rawName)`.
 */
export function safeLocalName(prefix: string, rawName: string): string {
  const candidate = prefix + rawName;
  if (isSafeFileName(candidate) && (rawName === '' || isSafeFileName(decodeOrSelf(rawName))))
    return candidate;
  const budget = MAX_NAME_BYTES - Buffer.byteLength(prefix);
  const base = rawName === '' ? '' : sanitize(rawName, budget);
  return truncateBytes(prefix + base, MAX_NAME_BYTES);
}

/** `safeBaseName`, plus what Windows also refuses: a trailing dot or space. */
function sanitize(rawName: string, maxBytes: number): string {
  const base = safeBaseName(rawName, maxBytes).replace(/[. ]+$/, '');
  return base === '' ? `file-${shortHash(rawName)}` : base;
}

const UNSAFE_CHARS = /[\u0000-\u001f\u007f/\\<>:"|?*]/;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/**
 * True when a string can be used as one file name on Linux, macOS and Windows as it
 * is: no separators, control or reserved characters, not `.`/`..`, no leading dot, no
 * trailing dot or space, not a reserved device name, at most {@link MAX_NAME_BYTES} bytes.
 */
export function isSafeFileName(name: string): boolean {
  return (
    name.length > 0 &&
    !UNSAFE_CHARS.test(name) &&
    !name.startsWith('.') &&
    !/[. ]$/.test(name) &&
    !WINDOWS_RESERVED.test(name) &&
    Buffer.byteLength(name) <= MAX_NAME_BYTES
  );
}

/** The `filepath` query parameter of a storage-proxy URL. */
export function storageFilepath(url: string): string | undefined {
  const query = url.split('?').slice(1).join('?').split('#', 1)[0] ?? '';
  const value = new URLSearchParams(query).get('filepath');
  return value ?? undefined;
}

/** Full hex SHA-256 of a string (cache file keys). */
export function longHash(text: string): string {
  return hexDigest('sha256', text);
}

/** The path of an absolute http(s) URL the way Python's `urlparse` splits it. */
export function urlPathOf(url: string): string {
  const rest = url.replace(/^[a-z]+:\/\/[^/?#]*/i, '');
  return rest.split(/[?#]/, 1)[0] ?? '';
}

function named(
  url: string,
  normalized: string,
  kind: Classified['kind'],
  rawName: string,
  style: 'hashed' | 'plain',
): Classified {
  let localName: string;
  if (style === 'plain') {
    localName =
      isSafeFileName(rawName) && isSafeFileName(decodeOrSelf(rawName))
        ? rawName
        : sanitize(rawName || url, MAX_NAME_BYTES);
  } else {
    localName = hashedName(url, rawName);
  }
  return { url, normalized, kind, rawName, localName };
}

/** Python's `os.path.basename`: everything after the last `/`. */
function posixBase(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? path : path.slice(slash + 1);
}

function decodeOrSelf(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
