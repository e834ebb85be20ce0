import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The version reported in error envelopes. */
export const SERVER_VERSION = '0.1.0';

/**
 * An error answered with Label Studio's envelope (`custom_exception_handler`):
 * `detail` alone, or `detail: "Validation error"` with `validation_errors`.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    detail: string,
    readonly validationErrors?: Record<string, string[]>,
  ) {
    super(detail);
  }
}

/** A 400 with `validation_errors` (DRF's field errors). */
export function validationError(errors: Record<string, string[]>): HttpError {
  return new HttpError(400, 'Validation error', errors);
}

/** Writes Label Studio's error envelope. */
export function sendError(
  res: ServerResponse,
  status: number,
  detail: string,
  validationErrors?: Record<string, string[]>,
  excInfo?: string,
): void {
  const body: Record<string, unknown> = {
    id: randomUUID(),
    status_code: status,
    version: SERVER_VERSION,
    detail,
    exc_info: excInfo ?? null,
  };
  if (validationErrors) body.validation_errors = validationErrors;
  sendJson(res, status, body);
}

/** Writes a JSON body. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Writes a plain-text body (Label Studio answers a few 404s this way). */
export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Reads a whole (small) request body, refusing more than `limit` bytes with 413. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit)
    throw new HttpError(413, `Request body is larger than ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, `Request body is larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Reads a JSON object body; an empty body is `{}`. */
export async function readJsonObject(req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  const body = await readBody(req, limit);
  const text = body.toString('utf8').trim();
  if (!text) return {};
  const type = String(req.headers['content-type'] ?? '');
  if (type.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `JSON parse error - ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw validationError({ non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] });
  }
  return value as Record<string, unknown>;
}

/** DRF BooleanField parsing of a query or body value. */
export function parseBool(name: string, raw: unknown, fallback: boolean): boolean {
  if (raw === undefined || raw === null) return fallback;
  if (typeof raw === 'boolean') return raw;
  const text = String(raw).trim().toLowerCase();
  if (['true', '1', 'yes', 'on', 't', 'y'].includes(text)) return true;
  if (['false', '0', 'no', 'off', 'f', 'n', ''].includes(text)) return false;
  throw validationError({ [name]: ['Must be a valid boolean.'] });
}

/** A route handler. */
export type Handler = (ctx: RequestContext) => Promise<void> | void;

/** What a handler gets. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
}

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

/**
 * A tiny router: `/api/projects/:id/exports/:pk`, matched with and without a
 * trailing slash (Label Studio answers both without redirecting).
 */
export class Router {
  private readonly routes: Route[] = [];

  /** Adds a route. */
  on(method: string, path: string, handler: Handler): this {
    const keys: string[] = [];
    const source = path
      .replace(/\/$/, '')
      .split('/')
      .map((part) => {
        if (part.startsWith(':')) {
          keys.push(part.slice(1));
          return '(\\d+)';
        }
        return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    this.routes.push({ method, pattern: new RegExp(`^${source}/?$`), keys, handler });
    return this;
  }

  /** The handler for a request, `405` when the path exists with another method, or undefined. */
  match(
    method: string,
    pathname: string,
  ): { handler: Handler; params: Record<string, string> } | 'method' | undefined {
    let pathFound = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(pathname);
      if (!m) continue;
      pathFound = true;
      if (route.method !== method && !(method === 'HEAD' && route.method === 'GET')) continue;
      const params: Record<string, string> = {};
      route.keys.forEach((k, i) => {
        params[k] = m[i + 1]!;
      });
      return { handler: route.handler, params };
    }
    return pathFound ? 'method' : undefined;
  }

  /** Every route, for the OpenAPI description. */
  list(): { method: string; pattern: string }[] {
    return this.routes.map((r) => ({ method: r.method, pattern: r.pattern.source }));
  }
}

/** `Content-Disposition` for a download name, ASCII-safe with an RFC 5987 fallback. */
export function attachmentHeader(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
