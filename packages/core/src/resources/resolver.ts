import { homedir, tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { BoundedMap } from '../bounded-map.js';
import { LsconvError, shortValue } from '../errors.js';
import type { ConversionReport } from '../report.js';
import { classifyReference } from './classify.js';
import { Limiter } from './limiter.js';
import { readAudioDuration, readImageInfo } from './media-info.js';
import { createCopier, createOutputPaths } from './resolver-copy.js';
import { createSettler } from './resolver-failures.js';
import { createAcquirer, RESOURCE_DEFAULTS } from './resolver-fetch.js';
import { isFileLater, isFileNow, type ResolverPlaces } from './resolver-plan.js';
import type {
  ImageInfo,
  PrefetchRef,
  ResolvedResource,
  ResourceCallContext,
  ResourceOptions,
  ResourceProgress,
  ResourceResolver,
} from './types.js';

export { RESOURCE_DEFAULTS };

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
  const imageInfos = new BoundedMap<string, Promise<ImageInfo | undefined>>(10_000);
  const durations = new BoundedMap<string, Promise<number | undefined>>(10_000);
  let cacheRoot: string | undefined;

  const emit = () => opts.onProgress?.({ ...counters });

  const cacheDir = (): string => (cacheRoot ??= resolvePath(opts.cacheDir ?? defaultCacheDir()));

  const places: ResolverPlaces = { opts, lsUrl, uploadDir, isFile };
  const acquire = createAcquirer({ places, lsOrigin, limiter, counters, emit, cacheDir });
  const { settle, recordFailure } = createSettler(opts, report);
  const copyTo = createCopier({ acquire, settle, recordFailure, blocking });
  const outputPath = createOutputPaths((url) => resolver.describe(url));

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

    copyTo,

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

    outputPath,

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
  integer('deadlineMs', 1);
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
