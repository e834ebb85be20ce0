import { closeSync, createReadStream, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve as resolvePath, win32 } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BoundedMap } from '../bounded-map.js';
import { HashSet64, TaggedStringSet } from '../compact-set.js';
import { LsconvError, shortValue } from '../errors.js';
import type { ConversionReport } from '../report.js';
import { checkOutputPath, hexDigest, shortHash, truncateBytes } from '../safe-path.js';
import type { Sink } from '../sinks/types.js';
import { type Classified, classifyReference, hashedName, longHash, storageFilepath } from './classify.js';
import { DownloadError, downloadToFile } from './http.js';
import { Limiter } from './limiter.js';
import { readAudioDuration, readImageInfo } from './media-info.js';
import type {
  ImageInfo,
  PrefetchRef,
  ResolvedResource,
  ResourceCallContext,
  ResourceOptions,
  ResourceProgress,
  ResourceResolver,
} from './types.js';

/** Defaults of the numeric {@link ResourceOptions}. */
export const RESOURCE_DEFAULTS = Object.freeze({
  /** Parallel downloads: enough to hide latency, few enough for a laptop and a polite server. */
  concurrency: 16,
  timeoutMs: 30_000,
  retries: 3,
  retryDelayMs: 250,
  /** 512 MiB: an hour of 16-bit stereo WAV fits, a runaway response does not. */
  maxBytes: 512 * 1024 * 1024,
  maxRedirects: 5,
  userAgent: 'lsconv (Label Studio export converter)',
});

/**
 * Creates the resource resolver that formats share: it classifies task data
 * references (`/data/local-files/?d=`, `/data/upload/…`, plain paths, `http(s)://`,
 * `s3://`/`gs://`/`azure-blob://`, storage-proxy URLs), names them as the Python
 * converter does, finds them on disk or downloads them into a persistent cache
 * (in parallel, with time-outs, retries and a size cap), reads image sizes and audio
 * durations, and copies them into an export. A resource that cannot be had becomes
 * an entry in `report` (or an error with `strict`) and the export goes on.
 */
export function createResourceResolver(
  options: ResourceOptions = {},
  report?: ConversionReport,
): ResourceResolver {
  const opts = Object.freeze(checkResourceOptions(options));
  const lsUrl = opts.lsUrl?.replace(/\/+$/, '');
  const lsOrigin = lsUrl ? new URL(lsUrl).origin : undefined;
  const uploadDir = opts.uploadDir ?? (opts.projectDir ? join(opts.projectDir, 'upload') : undefined);
  const networkByDefault = opts.fetch ?? opts.download ?? false;
  const blocking = opts.blockingFileAccess !== false;
  const isFile = (path: string) => (blocking ? isFileNow(path) : isFileLater(path));
  const limiter = new Limiter(opts.concurrency ?? RESOURCE_DEFAULTS.concurrency);
  const counters: ResourceProgress = { requested: 0, active: 0, done: 0, failed: 0, bytes: 0, cached: 0 };
  const outcomes = new BoundedMap<string, Promise<Outcome>>(10_000);
  const downloads = new Map<string, Promise<DownloadResult>>();
  const reported = new BoundedMap<string, true>(10_000);
  const imageInfos = new BoundedMap<string, Promise<ImageInfo | undefined>>(10_000);
  const durations = new BoundedMap<string, Promise<number | undefined>>(10_000);
  // The names `outputPath` handed out (folder + name), each tagged with its source's digest;
  // typed arrays, since an export that copies its media names every file (see compact-set.ts).
  const outputNames = new TaggedStringSet();
  const sinkWrites = new WeakMap<Sink, SinkWrites>();
  let cacheRoot: string | undefined;

  const emit = () => opts.onProgress?.({ ...counters });

  const cacheDir = (): string => (cacheRoot ??= resolvePath(opts.cacheDir ?? defaultCacheDir()));

  const authorize = (url: URL): string | undefined => {
    if (!opts.lsToken || !lsOrigin || url.origin !== lsOrigin) return undefined;
    return `${looksLikeJwt(opts.lsToken) ? 'Bearer' : 'Token'} ${opts.lsToken}`;
  };

  async function findLocal(c: Classified): Promise<string | undefined> {
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

  function planRemote(c: Classified, context: ResourceCallContext | undefined): Attempt[] | Failure {
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
    if (!lsUrl) return fail('resource-not-found', notFoundWithoutServer(c));
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

  function notFoundWithoutServer(c: Classified): string {
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

  function cachePath(attempt: Attempt): string {
    return join(cacheDir(), `${longHash(attempt.key).slice(0, 16)}-${truncateBytes(attempt.localName, 200)}`);
  }

  function download(attempt: Attempt): Promise<DownloadResult> {
    const dest = cachePath(attempt);
    let running = downloads.get(dest);
    if (!running) {
      counters.requested++;
      emit();
      running = limiter
        .run(async () => {
          // A concurrent job may have finished it while this one waited for a slot.
          if (await isFile(dest)) return { path: dest, source: 'cache' as const };
          counters.active++;
          emit();
          try {
            await downloadToFile(attempt.url, dest, {
              timeoutMs: opts.timeoutMs ?? RESOURCE_DEFAULTS.timeoutMs,
              retries: opts.retries ?? RESOURCE_DEFAULTS.retries,
              retryDelayMs: opts.retryDelayMs ?? RESOURCE_DEFAULTS.retryDelayMs,
              maxBytes: opts.maxBytes ?? RESOURCE_DEFAULTS.maxBytes,
              maxRedirects: RESOURCE_DEFAULTS.maxRedirects,
              allowPrivateAddresses: opts.allowPrivateAddresses ?? true,
              userAgent: opts.userAgent ?? RESOURCE_DEFAULTS.userAgent,
              signal: opts.signal,
              authorize,
              // The operator named this server; only hosts taken from task data are guarded.
              trusted: (url) => url.origin === lsOrigin,
              onBytes: (count) => {
                counters.bytes += count;
              },
            });
            counters.done++;
            return { path: dest, source: 'download' as const };
          } catch (error) {
            counters.failed++;
            const failure =
              error instanceof DownloadError
                ? error
                : new DownloadError('network', String((error as Error)?.message ?? error), false);
            return { error: failure };
          } finally {
            counters.active--;
            emit();
          }
        })
        .finally(() => downloads.delete(dest));
      downloads.set(dest, running);
    }
    return running;
  }

  async function computeOutcome(
    url: string,
    context: ResourceCallContext | undefined,
    network: boolean,
  ): Promise<Outcome> {
    const c = classifyReference(url);
    const local = await findLocal(c);
    if (local) return { c, localName: c.localName, path: local, source: 'local' };
    const plan = planRemote(c, context);
    if (!Array.isArray(plan)) {
      // Python compatibility: a missing plain path is only an error once something tries to read it.
      if (plan.code === 'resource-not-found' && c.kind === 'path' && !network)
        return { c, localName: c.localName };
      return { c, localName: c.localName, failure: plan };
    }
    for (const attempt of plan) {
      const cached = cachePath(attempt);
      if (await isFile(cached)) {
        counters.cached++;
        emit();
        return { c, localName: attempt.localName, path: cached, source: 'cache' };
      }
    }
    const first = plan[0]!;
    if (!network) return { c, localName: first.localName };
    let lastError: DownloadError | undefined;
    for (const attempt of plan) {
      const result = await download(attempt);
      if ('path' in result)
        return { c, localName: attempt.localName, path: result.path, source: result.source };
      lastError = result.error;
      // Only an HTTP answer justifies trying the fallback URL; a dead host stays dead.
      if (result.error.failure !== 'http') break;
    }
    const error = lastError!;
    const code =
      error.failure === 'too-large'
        ? 'resource-too-large'
        : error.failure === 'blocked'
          ? 'resource-blocked-address'
          : 'resource-download-failed';
    return { c, localName: first.localName, failure: { code, reason: `download failed: ${error.message}` } };
  }

  function acquire(
    url: string,
    context: ResourceCallContext | undefined,
    network: boolean,
  ): Promise<Outcome> {
    const text = typeof url === 'string' ? url : String(url);
    const cloud = /^(s3|gs|azure-blob):/.test(text);
    const key = `${network ? 1 : 0}\u0000${cloud ? String(context?.taskId) : ''}\u0000${text}`;
    let outcome = outcomes.get(key);
    if (!outcome) {
      outcome = computeOutcome(text, context, network);
      outcomes.set(key, outcome);
      // A failure caused by cancellation must not stick for later runs of the same resolver.
      outcome.then((o) => {
        if (o.failure && opts.signal?.aborted) outcomes.delete(key);
      });
    }
    return outcome;
  }

  function settle(url: string, outcome: Outcome, context: ResourceCallContext | undefined): ResolvedResource {
    const resolved: ResolvedResource = {
      url: outcome.c.url,
      kind: outcome.c.kind,
      localName: outcome.localName,
    };
    if (outcome.path) {
      resolved.path = outcome.path;
      if (outcome.source) resolved.source = outcome.source;
    }
    if (outcome.failure) {
      resolved.error = outcome.failure.reason;
      recordFailure(url, outcome.failure, context);
    }
    return resolved;
  }

  function recordFailure(url: string, failure: Failure, context: ResourceCallContext | undefined): void {
    if (opts.strict) {
      throw new LsconvError('RESOURCE', `cannot get ${shortValue(url, 200)}: ${failure.reason}`, {
        ...location(context),
        hint: 'fix the reference or the resource options, or run without --strict to report it and go on',
      });
    }
    const dedupe = `${failure.code}\u0000${url}\u0000${context?.taskIndex}\u0000${String(context?.taskId)}`;
    if (reported.get(dedupe)) return;
    reported.set(dedupe, true);
    report?.skip({
      kind: 'resource',
      code: failure.code,
      reason: `${shortValue(url, 200)}: ${failure.reason}`,
      ...location(context),
    });
  }

  const resolver: ResourceResolver = {
    options: opts,

    describe(url: string): ResolvedResource {
      const c = classifyReference(url);
      return { url: c.url, kind: c.kind, localName: c.localName };
    },

    async resolve(url: string, context?: ResourceCallContext): Promise<ResolvedResource> {
      return settle(url, await acquire(url, context, networkByDefault), context);
    },

    async imageInfo(url: string, context?: ResourceCallContext): Promise<ImageInfo | undefined> {
      const resolved = await resolver.resolve(url, context);
      if (!resolved.path) return undefined;
      const path = resolved.path;
      let info = imageInfos.get(path);
      if (!info) {
        info = readImageInfo(path).catch(() => undefined);
        imageInfos.set(path, info);
      }
      return info;
    },

    async audioDuration(url: string, context?: ResourceCallContext): Promise<number | undefined> {
      const resolved = await resolver.resolve(url, context);
      if (!resolved.path) return undefined;
      const path = resolved.path;
      let duration = durations.get(path);
      if (!duration) {
        duration = readAudioDuration(path).catch(() => undefined);
        durations.set(path, duration);
      }
      return duration;
    },

    async copyTo(sink: Sink, url: string, destPath: string, context?: ResourceCallContext): Promise<boolean> {
      const dest = checkOutputPath(destPath);
      let writes = sinkWrites.get(sink);
      if (!writes) {
        writes = { running: new Map(), copied: new HashSet64() };
        sinkWrites.set(sink, writes);
      }
      const { running, copied } = writes;
      const prior = running.get(dest);
      if (prior?.key === url) return prior.done;
      // A finished copy of this source to this destination: the file is there (sinks never
      // remove one), so the sink need not be asked (a directory sink checks the disk).
      const pair = pairHash(dest, url);
      if (!prior && copied.has(pair[0], pair[1])) return true;
      if (prior || sink.has(dest)) {
        recordFailure(
          url,
          { code: 'resource-name-collision', reason: `${dest} already holds another file; not overwritten` },
          context,
        );
        return false;
      }
      const done = (async () => {
        try {
          // Copying is an explicit request for the bytes, so it may fetch even when `download` is off.
          const outcome = await acquire(url, context, true);
          const resolved = settle(url, outcome, context);
          if (!resolved.path) return false;
          await copyFileInto(sink, dest, resolved.path, blocking);
          copied.add(pair[0], pair[1]);
          return true;
        } finally {
          running.delete(dest);
        }
      })();
      running.set(dest, { key: url, done });
      return done;
    },

    prefetch(refs: Iterable<PrefetchRef>, prefetchOptions?: { copy?: boolean }): void {
      const network = prefetchOptions?.copy === true || networkByDefault;
      for (const ref of refs) {
        const url = typeof ref === 'string' ? ref : ref?.url;
        if (typeof url !== 'string') continue;
        const context = typeof ref === 'string' ? undefined : ref.context;
        // A cloud reference is presigned for one task: without its id there is nothing to start.
        if (context?.taskId === undefined && /^(s3|gs|azure-blob):/.test(url)) continue;
        acquire(url, context, network).catch(() => undefined);
      }
    },

    outputPath(dir: string, resource: string | ResolvedResource): string {
      const { url, localName } = typeof resource === 'string' ? resolver.describe(resource) : resource;
      const folder = dir === '' ? '' : `${checkOutputPath(dir)}/`;
      const tag = sourceTag(url);
      let name = localName;
      for (let length = 4; ; length += 4) {
        if (outputNames.claim(folder + name, tag) !== 'other') break;
        // Same name, another source: add a hash of this source (Python would overwrite).
        const dot = localName.lastIndexOf('.');
        const suffix = `_${(shortHash(url) + longHash(url)).slice(0, Math.min(length, 40))}`;
        name =
          dot > 0
            ? `${truncateBytes(localName.slice(0, dot), 180)}${suffix}${localName.slice(dot)}`
            : `${truncateBytes(localName, 180)}${suffix}`;
      }
      return checkOutputPath(folder + name);
    },

    progress(): ResourceProgress {
      return { ...counters };
    },
  };
  return resolver;
}

/**
 * The persistent download cache used when `cacheDir` is not given:
 * `$XDG_CACHE_HOME/lsconv` or `~/.cache/lsconv` on Linux, `~/Library/Caches/lsconv`
 * on macOS, `%LOCALAPPDATA%\lsconv\Cache` on Windows.
 */
export function defaultCacheDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  let home: string;
  try {
    home = homedir();
  } catch {
    home = tmpdir();
  }
  if (process.platform === 'win32')
    return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'lsconv', 'Cache');
  if (process.platform === 'darwin') return join(home, 'Library', 'Caches', 'lsconv');
  return join(env.XDG_CACHE_HOME || join(home, '.cache'), 'lsconv');
}

/** Checks option values and fills nothing in; throws `INVALID_OPTION` with the option's name. */
function checkResourceOptions(options: ResourceOptions): ResourceOptions {
  const bad = (name: string, why: string) =>
    new LsconvError('INVALID_OPTION', `resource option ${name} ${why}`, {
      hint: 'fix the value and run again',
    });
  const integer = (name: keyof ResourceOptions, min: number) => {
    const value = options[name];
    if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < min)) {
      throw bad(name, `must be an integer >= ${min}, got ${shortValue(value)}`);
    }
  };
  integer('concurrency', 1);
  integer('timeoutMs', 1);
  integer('retries', 0);
  integer('retryDelayMs', 0);
  integer('maxBytes', 1);
  if (options.lsUrl !== undefined && options.lsUrl !== '') {
    let ok = false;
    try {
      ok = /^https?:$/.test(new URL(options.lsUrl).protocol);
    } catch {
      ok = false;
    }
    if (!ok) throw bad('lsUrl', `must be a full http:// or https:// URL, got ${shortValue(options.lsUrl)}`);
  }
  const clean: ResourceOptions = {};
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined && value !== '') (clean as Record<string, unknown>)[key] = value;
  }
  return clean;
}

interface Attempt {
  /** What to request. */
  url: string;
  /** What the cache file name hashes (the Python converter's key). */
  key: string;
  localName: string;
}

interface Failure {
  code: string;
  reason: string;
}

interface Outcome {
  c: Classified;
  localName: string;
  path?: string;
  source?: 'local' | 'cache' | 'download';
  failure?: Failure;
}

/**
 * What the resolver remembers of one sink: the copies under way, and the finished ones as a
 * 64-bit digest of the pair (destination, source): 8 bytes instead of both strings (a
 * million copied images would otherwise keep tens of megabytes). Two different pairs would
 * have to share 64 bits of MD5 to be taken for one another. Whether a destination holds
 * another file is asked of the sink, which knows exactly.
 */
interface SinkWrites {
  running: Map<string, { key: string; done: Promise<boolean> }>;
  copied: HashSet64;
}

/** 64 bits of the MD5 of a destination and a source, as two 32-bit halves. */
function pairHash(dest: string, url: string): [number, number] {
  const hex = hexDigest('md5', `${dest}\u0000${url}`);
  return [Number.parseInt(hex.slice(0, 8), 16), Number.parseInt(hex.slice(8, 16), 16)];
}

/**
 * 8 bytes of the MD5 of a source reference: what a name's owner is remembered by. Two
 * references that differ would have to share 64 bits of MD5 and one file name to be taken
 * for one another.
 */
function sourceTag(url: string): Buffer {
  return Buffer.from(hexDigest('md5', url).slice(0, 16), 'hex');
}

/** Files up to this size are copied with one read and the sink's `writeFile`. */
const SMALL_COPY_BYTES = 1024 * 1024;

/**
 * Copies the file at `path` into `sink` as `dest`. With `blocking`, a small file (most
 * images) is read synchronously in one call: that costs less than the four thread-pool round
 * trips of a stream (open, read, read to the end, close), which left the main thread idle a
 * third of the time when an export copies an image per task. Other files stream.
 */
async function copyFileInto(sink: Sink, dest: string, path: string, blocking: boolean): Promise<void> {
  const small = blocking ? readSmallFile(path) : undefined;
  if (small) {
    await sink.writeFile(dest, small);
    return;
  }
  const writer = await sink.createFile(dest);
  for await (const chunk of createReadStream(path)) await writer.write(chunk as Buffer);
  await writer.close();
}

/** The bytes of the file at `path` when it holds at most {@link SMALL_COPY_BYTES}, read synchronously. */
function readSmallFile(path: string): Buffer | undefined {
  const fd = openSync(path, 'r');
  try {
    const { size } = fstatSync(fd);
    if (size > SMALL_COPY_BYTES) return undefined;
    // One byte more than the size, to see a file that grew since it was measured.
    const bytes = Buffer.allocUnsafe(size + 1);
    let length = 0;
    for (let n = 1; n > 0 && length < bytes.length; length += n) {
      n = readSync(fd, bytes, length, bytes.length - length, null);
    }
    return length <= size ? bytes.subarray(0, length) : undefined;
  } finally {
    closeSync(fd);
  }
}

type DownloadResult = { path: string; source: 'cache' | 'download' } | { error: DownloadError };

function fail(code: string, reason: string): Failure {
  return { code, reason };
}

function location(context: ResourceCallContext | undefined) {
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
function isFileNow(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
  } catch {
    return false;
  }
}

/** Whether `path` is a file, asked on the thread pool. */
async function isFileLater(path: string): Promise<boolean> {
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

/** A JSON Web Token (Label Studio personal access token) goes as `Bearer`, like the SDK. */
function looksLikeJwt(token: string): boolean {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[0]) return false;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as { alg?: unknown };
    return typeof header === 'object' && header !== null && typeof header.alg === 'string';
  } catch {
    return false;
  }
}
