import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { dirname } from 'node:path';
import { guardedLookup, PRIVATE_ADDRESS_CODE, privateLiteralAddress } from './address-guard.js';
import { DownloadError } from './download-error.js';

let guardedAgents: { http: HttpAgent; https: HttpsAgent } | undefined;
/**
 * The connection pools of guarded requests: their sockets look host names up through
 * {@link guardedLookup}, so the address a request connects to is the address checked. They
 * are kept apart from the default pools so that a guarded request never reuses a connection
 * an unguarded one opened.
 */
export function guardedAgent(protocol: string): HttpAgent {
  guardedAgents ??= {
    http: new HttpAgent({ keepAlive: true, lookup: guardedLookup } as ConstructorParameters<
      typeof HttpAgent
    >[0]),
    https: new HttpsAgent({ keepAlive: true, lookup: guardedLookup } as ConstructorParameters<
      typeof HttpsAgent
    >[0]),
  };
  return protocol === 'https:' ? guardedAgents.https : guardedAgents.http;
}

/** How one download behaves. */
export interface DownloadSettings {
  /** Longest wait for an answer, or between two pieces of the body. */
  timeoutMs: number;
  /** Longest time the whole download may take, from the first request to the last byte, retries included. */
  deadlineMs: number;
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

export { DownloadError, type DownloadFailure } from './download-error.js';

/**
 * Downloads a URL into `dest` (through a temporary file renamed at the end, so a
 * half-written file never looks complete), on node:http/https. Follows redirects itself so
 * the `Authorization` header and the address guard apply to every hop; retries 5xx, 408,
 * 429, time-outs, early closes and connection errors with exponential back-off. Gives up
 * after `deadlineMs` in all, however slowly the bytes keep coming; every failure is a
 * {@link DownloadError}, never an uncaught exception.
 */
export async function downloadToFile(
  url: string,
  dest: string,
  settings: DownloadSettings,
): Promise<{ bytes: number; finalUrl: string }> {
  const deadline = new AbortController();
  const timer = setTimeout(
    () =>
      deadline.abort(
        new DownloadError('deadline', `not done within the ${seconds(settings.deadlineMs)} deadline`, false),
      ),
    settings.deadlineMs,
  );
  const signal = settings.signal ? AbortSignal.any([settings.signal, deadline.signal]) : deadline.signal;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        return await transfer(url, dest, settings, signal);
      } catch (error) {
        const failure = toDownloadError(error, settings, deadline.signal);
        if (!failure.retryable || attempt >= settings.retries) throw failure;
        const backoff = settings.retryDelayMs * 2 ** attempt + Math.random() * settings.retryDelayMs;
        await sleep(Math.min(30_000, Math.max(backoff, failure.retryAfterMs ?? 0)), signal).catch((e) => {
          throw toDownloadError(e, settings, deadline.signal);
        });
      }
    }
  } finally {
    clearTimeout(timer);
  }
}

async function transfer(
  url: string,
  dest: string,
  settings: DownloadSettings,
  signal: AbortSignal,
): Promise<{ bytes: number; finalUrl: string }> {
  let target = parseHttpUrl(url);
  let response: IncomingMessage;
  for (let hop = 0; ; hop++) {
    const guard = !settings.allowPrivateAddresses && !settings.trusted(target);
    if (guard) {
      // An IP literal is checked here; a host name by the lookup of the connection itself
      // (guardedAgent), so it is resolved once and the address checked is the one
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
    response = await get(target, headers, guard, settings.timeoutMs, signal);
    const location = response.headers.location;
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && location) {
      response.destroy();
      if (hop >= settings.maxRedirects)
        throw new DownloadError('redirect', `more than ${settings.maxRedirects} redirects`, false);
      target = parseHttpUrl(new URL(location, target).href);
      continue;
    }
    break;
  }
  const status = response.statusCode ?? 0;
  if (status < 200 || status > 299) {
    response.destroy();
    const retryable = status >= 500 || status === 408 || status === 429;
    throw new DownloadError(
      'http',
      `HTTP ${status}${response.statusMessage ? ` ${response.statusMessage}` : ''}`,
      retryable,
      status,
      retryAfter(response.headers['retry-after']),
    );
  }
  const declared = Number(response.headers['content-length'] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > settings.maxBytes) {
    response.destroy();
    throw new DownloadError(
      'too-large',
      `larger than the ${settings.maxBytes}-byte limit (${declared} bytes)`,
      false,
    );
  }
  const bytes = await saveBody(response, dest, settings, declared);
  return { bytes, finalUrl: target.href };
}

/**
 * One GET, resolved with the response once its headers are in. The socket is destroyed on
 * `signal` (cancel or deadline), and when `idleMs` pass without a byte, answer or body.
 */
function get(
  target: URL,
  headers: Record<string, string>,
  guard: boolean,
  idleMs: number,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(target, {
      method: 'GET',
      headers,
      signal,
      ...(guard ? { agent: guardedAgent(target.protocol) } : {}),
    });
    let response: IncomingMessage | undefined;
    req.setTimeout(idleMs, () => {
      const stalled = response
        ? new DownloadError('timeout', `the body stalled: no byte for ${seconds(idleMs)}`, true)
        : new DownloadError('timeout', `no answer for ${seconds(idleMs)}`, true);
      response?.destroy(stalled);
      req.destroy(stalled);
    });
    // Errors after the answer reach the body's reader; these listeners only keep them from
    // being unhandled.
    req.on('error', (error) => reject(signal.aborted ? signal.reason : error));
    req.once('response', (answer) => {
      response = answer;
      answer.on('error', () => undefined);
      resolve(answer);
    });
    req.end();
  });
}

/** Writes a response body to `dest` through a temporary file; checks its length and the size cap. */
async function saveBody(
  response: IncomingMessage,
  dest: string,
  settings: DownloadSettings,
  declared: number,
): Promise<number> {
  const partial = `${dest}.${randomBytes(6).toString('hex')}.part`;
  let bytes = 0;
  let file: Awaited<ReturnType<typeof open>> | undefined;
  try {
    file = await openCreatingFolder(partial);
    for await (const chunk of response as AsyncIterable<Buffer>) {
      bytes += chunk.byteLength;
      if (bytes > settings.maxBytes)
        throw new DownloadError('too-large', `larger than the ${settings.maxBytes}-byte limit`, false);
      await file.write(chunk);
      settings.onBytes?.(chunk.byteLength);
    }
    if (!response.complete || (Number.isFinite(declared) && bytes !== declared)) {
      const error: NodeJS.ErrnoException = new Error('premature close');
      error.code = 'ERR_STREAM_PREMATURE_CLOSE';
      throw error;
    }
    await file.close();
    await rename(partial, dest);
    return bytes;
  } catch (error) {
    response.destroy();
    await file?.close().catch(() => undefined);
    await rm(partial, { force: true }).catch(() => undefined);
    const code = (error as { code?: string })?.code;
    if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE') {
      const of = Number.isFinite(declared) ? `${declared}` : 'the';
      throw new DownloadError('truncated', `the connection closed after ${bytes} of ${of} bytes`, true);
    }
    throw error;
  }
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

function toDownloadError(error: unknown, settings: DownloadSettings, deadline: AbortSignal): DownloadError {
  if (deadline.aborted) return deadline.reason as DownloadError;
  if (settings.signal?.aborted) return new DownloadError('aborted', 'cancelled', false);
  if (error instanceof DownloadError) return error;
  const code = (error as { code?: string })?.code;
  const message = (error as Error)?.message ?? String(error);
  if (code === 'ENOTFOUND') return new DownloadError('network', 'host not found', false);
  if (code === 'EAI_AGAIN')
    return new DownloadError('network', 'the host name lookup failed for now (EAI_AGAIN)', true);
  if (code === PRIVATE_ADDRESS_CODE) return new DownloadError('blocked', message, false);
  if (code === 'ENOSPC' || code === 'EACCES' || code === 'EROFS')
    return new DownloadError('write', `cannot write the cache: ${code}`, false);
  if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ABORT_ERR')
    return new DownloadError('network', `the connection was closed or reset (${code})`, true);
  if (TLS_CODES.test(code ?? '') || /certificate|SSL|TLS/i.test(message))
    return new DownloadError('tls', `TLS failed: ${message}${code ? ` (${code})` : ''}`, false);
  return new DownloadError('network', `connection failed (${code ?? message})`, true);
}

const TLS_CODES =
  /^(CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|ERR_TLS_|ERR_SSL_|HOSTNAME_MISMATCH|ERR_TLS_CERT)/;

function retryAfter(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs)) return secs * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

/** `12 s` or `250 ms`. */
function seconds(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
