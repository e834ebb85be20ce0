import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { guardedLookup, PRIVATE_ADDRESS_CODE, privateLiteralAddress } from './address-guard.js';

let guardedAgent: Agent | undefined;
/**
 * The connection pool for guarded requests: its sockets look host names up through
 * {@link guardedLookup}, so the address a request connects to is the address checked.
 */
export function guardedDispatcher(): Agent {
  guardedAgent ??= new Agent({ connect: { lookup: guardedLookup } });
  return guardedAgent;
}

/** How one download behaves. */
export interface DownloadSettings {
  timeoutMs: number;
  retries: number;
  retryDelayMs: number;
  maxBytes: number;
  maxRedirects: number;
  allowPrivateAddresses: boolean;
  userAgent: string;
  signal?: AbortSignal | undefined;
  /** True for the configured Label Studio origin, which the address guard lets through. */
  trusted(url: URL): boolean;
  /** The `Authorization` header value for this URL, or undefined (checked on every redirect hop). */
  authorize(url: URL): string | undefined;
  /** Called after each chunk with its size. */
  onBytes?: ((count: number) => void) | undefined;
}

/** Why a download failed. */
export type DownloadFailure =
  | 'http'
  | 'timeout'
  | 'network'
  | 'too-large'
  | 'blocked'
  | 'redirect'
  | 'aborted'
  | 'write';

/** A failed download, with a one-line reason. */
export class DownloadError extends Error {
  override readonly name = 'DownloadError';
  constructor(
    readonly failure: DownloadFailure,
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/**
 * Downloads a URL into `dest` (through a temporary file renamed at the end, so a
 * half-written file never looks complete). Follows redirects itself so the
 * `Authorization` header and the address guard apply to every hop; retries 5xx, 408,
 * 429, time-outs and connection errors with exponential back-off.
 */
export async function downloadToFile(
  url: string,
  dest: string,
  settings: DownloadSettings,
): Promise<{ bytes: number; finalUrl: string }> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await attemptDownload(url, dest, settings);
    } catch (error) {
      const failure = toDownloadError(error, settings);
      if (!failure.retryable || attempt >= settings.retries) throw failure;
      const backoff = settings.retryDelayMs * 2 ** attempt + Math.random() * settings.retryDelayMs;
      await sleep(Math.min(30_000, Math.max(backoff, failure.retryAfterMs ?? 0)), settings.signal);
    }
  }
}

async function attemptDownload(
  url: string,
  dest: string,
  settings: DownloadSettings,
): Promise<{ bytes: number; finalUrl: string }> {
  // The time-out covers waiting for an answer and every pause while the body arrives,
  // not the whole transfer, so a large file on a slow but live link still completes.
  const idle = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(
      () => idle.abort(new DOMException('request timed out', 'TimeoutError')),
      settings.timeoutMs,
    );
  };
  arm();
  const signal = settings.signal ? anySignal([settings.signal, idle.signal]) : idle.signal;
  try {
    return await transfer(url, dest, settings, signal, arm);
  } finally {
    clearTimeout(timer);
  }
}

async function transfer(
  url: string,
  dest: string,
  settings: DownloadSettings,
  signal: AbortSignal,
  arm: () => void,
): Promise<{ bytes: number; finalUrl: string }> {
  let target = parseHttpUrl(url);
  let response: Response | undefined;
  for (let hop = 0; ; hop++) {
    const guard = !settings.allowPrivateAddresses && !settings.trusted(target);
    if (guard) {
      // An IP literal is checked here; a host name by the lookup of the connection itself
      // (guardedDispatcher), so it is resolved once and the address checked is the one
      // connected to (no DNS rebinding window).
      const address = privateLiteralAddress(target);
      if (address !== undefined) {
        throw new DownloadError(
          'blocked',
          `${target.host} resolves to the private address ${address}, which is not allowed here`,
          false,
        );
      }
    }
    const headers: Record<string, string> = { 'user-agent': settings.userAgent, accept: '*/*' };
    const authorization = settings.authorize(target);
    if (authorization) headers.authorization = authorization;
    response = guard
      ? ((await undiciFetch(target, {
          headers,
          redirect: 'manual',
          signal,
          dispatcher: guardedDispatcher(),
        })) as unknown as Response)
      : await fetch(target, { headers, redirect: 'manual', signal });
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel().catch(() => undefined);
      if (hop >= settings.maxRedirects)
        throw new DownloadError('redirect', `more than ${settings.maxRedirects} redirects`, false);
      target = parseHttpUrl(new URL(location, target).href);
      continue;
    }
    break;
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    const status = response.status;
    const retryable = status >= 500 || status === 408 || status === 429;
    throw new DownloadError(
      'http',
      `HTTP ${status}${response.statusText ? ` ${response.statusText}` : ''}`,
      retryable,
      status,
      retryAfter(response),
    );
  }
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > settings.maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new DownloadError(
      'too-large',
      `larger than the ${settings.maxBytes}-byte limit (${declared} bytes)`,
      false,
    );
  }
  const partial = `${dest}.${randomBytes(6).toString('hex')}.part`;
  let bytes = 0;
  const file = await openCreatingFolder(partial);
  try {
    if (response.body) {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        bytes += chunk.byteLength;
        if (bytes > settings.maxBytes)
          throw new DownloadError('too-large', `larger than the ${settings.maxBytes}-byte limit`, false);
        arm();
        await file.write(chunk);
        settings.onBytes?.(chunk.byteLength);
      }
    }
    await file.close();
    await rename(partial, dest);
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(partial, { force: true }).catch(() => undefined);
    throw error;
  }
  return { bytes, finalUrl: target.href };
}

/** Opens a file for writing, creating its folder only when it is missing (once per cache, not per file). */
async function openCreatingFolder(path: string) {
  try {
    return await open(path, 'w');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(dirname(path), { recursive: true });
    return open(path, 'w');
  }
}

function parseHttpUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new DownloadError('network', `not a valid URL`, false);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DownloadError(
      'redirect',
      `refused ${url.protocol} URL (only http and https are fetched)`,
      false,
    );
  }
  return url;
}

function toDownloadError(error: unknown, settings: DownloadSettings): DownloadError {
  if (error instanceof DownloadError) return error;
  if (settings.signal?.aborted) return new DownloadError('aborted', 'cancelled', false);
  const name = (error as { name?: string })?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new DownloadError('timeout', `no answer for ${settings.timeoutMs} ms`, true);
  }
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const code = cause?.code ?? (error as { code?: string })?.code;
  if (code === 'ENOTFOUND') return new DownloadError('network', `host not found`, false);
  if (code === PRIVATE_ADDRESS_CODE)
    return new DownloadError('blocked', cause?.message ?? 'a private address is not allowed here', false);
  if (code === 'ENOSPC' || code === 'EACCES' || code === 'EROFS')
    return new DownloadError('write', `cannot write the cache: ${code}`, false);
  const detail = code ?? cause?.message ?? (error as Error)?.message ?? String(error);
  return new DownloadError('network', `connection failed (${detail})`, true);
}

function retryAfter(response: Response): number | undefined {
  const value = response.headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new DownloadError('aborted', 'cancelled', false));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new DownloadError('aborted', 'cancelled', false));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** `AbortSignal.any` (Node >= 20.3), with a fallback for older 20.x releases. */
function anySignal(signals: AbortSignal[]): AbortSignal {
  const native = (AbortSignal as { any?: (s: AbortSignal[]) => AbortSignal }).any;
  if (native) return native(signals);
  const controller = new AbortController();
  for (const signal of signals) {
    if (signal.aborted) {
      controller.abort(signal.reason);
      break;
    }
    signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  }
  return controller.signal;
}
