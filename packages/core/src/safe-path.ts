import * as crypto from 'node:crypto';
import {
  isAbsolute as isAbsolutePath,
  relative as relativePath,
  resolve as resolvePath,
  sep,
} from 'node:path';
import { LsconvError } from './errors.js';

/**
 * Checks a relative output path from a format and returns it normalised (`a/b.txt`).
 * Refuses absolute paths, `..`, empty segments, NUL bytes and backslashes, so no
 * path can leave the output folder whatever a task contained.
 */
export function checkOutputPath(path: string): string {
  // Nearly every path a format writes is plain ASCII segments that cannot be `.` or `..`
  // (each starts with a letter, digit or `_`): one regular expression settles those.
  if (typeof path === 'string' && path.length <= 255 && PLAIN_PATH.test(path)) return path;
  const fail = (why: string) =>
    new LsconvError('UNSAFE_PATH', `refused output path ${JSON.stringify(path.slice(0, 200))}: ${why}`, {
      hint: 'formats must build file names with safeBaseName()',
    });
  if (typeof path !== 'string' || path.length === 0) throw fail('empty');
  if (path.includes('\0')) throw fail('NUL byte');
  if (path.includes('\\')) throw fail('backslash');
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) throw fail('absolute');
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  const segments = trimmed.split('/');
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..') throw fail(`segment "${segment}"`);
    if (Buffer.byteLength(segment) > 255) throw fail('segment longer than 255 bytes');
  }
  return segments.join('/');
}

/**
 * {@link checkOutputPath} for a path under a folder the user chose, which may lie beside
 * the output: leading `..` segments are kept (the user typed them), the rest is checked.
 * The sinks still refuse such a path unless the folder was given to them
 * (`withOutsideFolder`), so task data alone can never lead out of the output.
 */
export function checkChosenPath(path: string): string {
  const up = /^(?:\.\.\/)*\.\.(?:\/|$)/.exec(path)?.[0];
  if (up === undefined) return checkOutputPath(path);
  const rest = path.slice(up.length);
  return rest === '' ? up.replace(/\/$/, '') : `${up.endsWith('/') ? up : `${up}/`}${checkOutputPath(rest)}`;
}

/** Segments of letters, digits, `_`, `-` and `.`, each starting with a letter, digit or `_`. */
const PLAIN_PATH = /^[A-Za-z0-9_][A-Za-z0-9_.-]*(?:\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/;

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/**
 * Reduces an untrusted string (a URL, a file name from task data) to a safe base
 * name: the last path segment (after URL decoding of `%2f`-style tricks), without
 * control characters, separators or leading dots, at most `maxBytes` long (the
 * extension kept). Never empty, never `.` or `..`.
 */
export function safeBaseName(name: string, maxBytes = 200): string {
  let text = String(name);
  if (text.includes('%')) {
    try {
      text = decodeURIComponent(text);
    } catch {
      // Not percent-encoded: use it as it is.
    }
  }
  text = text.replace(/[\u0000-\u001f\u007f]/g, '');
  const parts = text.split(/[\\/]+/).filter((p) => p !== '');
  let base = parts.length ? parts[parts.length - 1]! : '';
  base = base
    .replace(/[<>:"|?*]/g, '_')
    .replace(/^\.+/, '')
    .trim();
  if (base === '' || base === '.' || base === '..') base = `file-${shortHash(name)}`;
  if (WINDOWS_RESERVED.test(base)) base = `_${base}`;
  return truncateBytes(base, maxBytes);
}

/**
 * Cuts a name to at most `maxBytes` UTF-8 bytes, keeping its extension when it can, and
 * never splitting a character. Linear in the length of the name, however long.
 */
export function truncateBytes(name: string, maxBytes: number): string {
  if (name.length <= maxBytes / 3 || Buffer.byteLength(name) <= maxBytes) return name;
  const dot = name.lastIndexOf('.');
  let ext = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  if (Buffer.byteLength(ext) > maxBytes) ext = '';
  const stem = ext ? name.slice(0, dot) : name;
  return stem.slice(0, utf8PrefixLength(stem, maxBytes - Buffer.byteLength(ext))) + ext;
}

/** How many UTF-16 units of `text` start it within `budget` UTF-8 bytes, whole characters only. */
function utf8PrefixLength(text: string, budget: number): number {
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const code = text.codePointAt(i)!;
    // A lone surrogate is written as U+FFFD: three bytes, like Buffer.byteLength counts it.
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (bytes + size > budget) break;
    bytes += size;
    i += code >= 0x10000 ? 2 : 1;
  }
  return i;
}

/** First 8 hex digits of the MD5 of a string. */
export function shortHash(text: string): string {
  return hexDigest('md5', text).slice(0, 8);
}

// One-shot `crypto.hash` (Node 20.12 and later) takes about 1 µs where a Hash object
// takes 3–4 µs; the formats hash every image reference, so it shows in their profiles.
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

/** The hex digest of a string's UTF-8 bytes. */
export function hexDigest(algorithm: 'md5' | 'sha256', text: string): string {
  return oneShotHash
    ? oneShotHash(algorithm, text, 'hex')
    : crypto.createHash(algorithm).update(text).digest('hex');
}

/**
 * `root/name` as an absolute path when it stays inside `root`, else undefined: for
 * file names read from untrusted data (`../`, absolute paths, NUL bytes) before a file
 * is opened. Symbolic links inside `root` are the owner's choice and are followed.
 */
export function containedPath(root: string, name: string): string | undefined {
  if (name === '' || name.includes('\0')) return undefined;
  const base = resolvePath(root);
  const full = resolvePath(base, name);
  const rel = relativePath(base, full);
  if (rel === '' || rel.split(sep)[0] === '..' || isAbsolutePath(rel)) return undefined;
  return full;
}
