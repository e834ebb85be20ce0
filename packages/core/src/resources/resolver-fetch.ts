/**
 * Getting a resource's bytes for the resolver: on disk, in the download cache, or downloaded
 * into it (in parallel, deduplicated, counted); one outcome per reference, remembered.
 */
import { join } from 'node:path';
import { BoundedMap } from '../bounded-map.js';
import { truncateBytes } from '../safe-path.js';
import { classifyReference, longHash } from './classify.js';
import { DownloadError } from './download-error.js';
import type { downloadToFile } from './http.js';
import type { Limiter } from './limiter.js';
import { type Attempt, findLocal, type Outcome, planRemote, type ResolverPlaces } from './resolver-plan.js';
import type { ResourceCallContext, ResourceOptions, ResourceProgress } from './types.js';

/** Defaults of the numeric {@link ResourceOptions}. */
export const RESOURCE_DEFAULTS = Object.freeze({
  /** Parallel downloads: enough to hide latency, few enough for a laptop and a polite server. */
  concurrency: 16,
  timeoutMs: 30_000,
  /** Ten minutes for one download, retries included: 512 MiB at under 1 MB/s still fits. */
  deadlineMs: 600_000,
  retries: 3,
  retryDelayMs: 250,
  /** 512 MiB: an hour of 16-bit stereo WAV fits, a runaway response does not. */
  maxBytes: 512 * 1024 * 1024,
  maxRedirects: 5,
  userAgent: 'lsconv (Label Studio export converter)',
});

/** What {@link createAcquirer} works with, shared with the rest of the resolver. */
export interface AcquireDeps {
  places: ResolverPlaces;
  /** The origin of the Label Studio URL, whose requests carry the token. */
  lsOrigin: string | undefined;
  limiter: Limiter;
  /** The resolver's counters, updated in place. */
  counters: ResourceProgress;
  emit: () => void;
  cacheDir: () => string;
}

/**
 * The resolver's `acquire(url, context, network)`: where a reference's file is, found
 * locally, in the cache or (with `network`) downloaded, or why not; each reference's outcome
 * computed once.
 */
export function createAcquirer(
  deps: AcquireDeps,
): (url: string, context: ResourceCallContext | undefined, network: boolean) => Promise<Outcome> {
  const { places, lsOrigin, limiter, counters, emit, cacheDir } = deps;
  const { opts, isFile } = places;
  const outcomes = new BoundedMap<string, Promise<Outcome>>(10_000);
  const downloads = new Map<string, Promise<DownloadResult>>();

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
            // Loaded on the first download: exports that download nothing never load node:http.
            const { downloadToFile: download } = await import('./http.js');
            await download(attempt.url, dest, downloadSettings(opts, lsOrigin, counters));
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
    const local = await findLocal(c, places);
    if (local) return { c, localName: c.localName, path: local, source: 'local' };
    const plan = planRemote(c, context, places);
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

  return acquire;
}

/** The settings of one download: the resolver's options, its defaults, and the token for the Label Studio origin only. */
function downloadSettings(
  opts: ResourceOptions,
  lsOrigin: string | undefined,
  counters: ResourceProgress,
): Parameters<typeof downloadToFile>[2] {
  const authorize = (url: URL): string | undefined => {
    if (!opts.lsToken || !lsOrigin || url.origin !== lsOrigin || !isLabelStudioMediaPath(url))
      return undefined;
    return `${looksLikeJwt(opts.lsToken) ? 'Bearer' : 'Token'} ${opts.lsToken}`;
  };
  return {
    timeoutMs: opts.timeoutMs ?? RESOURCE_DEFAULTS.timeoutMs,
    deadlineMs: opts.deadlineMs ?? RESOURCE_DEFAULTS.deadlineMs,
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
  };
}

/**
 * The paths where Label Studio serves media: `/data/…` (uploads, Local Storage),
 * `/storage-data/…` (the storage proxy) and the presign redirects of tasks and projects.
 * Only these get the API token. `..` and percent-encoded separators are resolved first,
 * so `/data/../api/…` or `/data/upload/..%2F..%2Fapi/…` are not media paths (nor a
 * `?d=` or `?filepath=` that climbs out of its folder).
 */
export function isLabelStudioMediaPath(url: URL): boolean {
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return false;
  }
  const climbs = (text: string) => text.split(/[\\/]/).some((segment) => segment === '..' || segment === '.');
  // The file a Local Storage or storage proxy URL names is in its query.
  if (climbs(path) || ['d', 'filepath'].some((key) => climbs(url.searchParams.get(key) ?? ''))) return false;
  return /^\/(data\/|storage-data\/|(tasks|projects)\/[^/]+\/presign\/?$)/.test(path);
}

type DownloadResult = { path: string; source: 'cache' | 'download' } | { error: DownloadError };

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
