import { randomUUID } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';

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
    /** Headers the answer carries (`www-authenticate`, `retry-after`). */
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
  }
}

/** A 400 with `validation_errors` (DRF's field errors). */
export function validationError(errors: Record<string, string[]>): HttpError {
  return new HttpError(400, 'Validation error', errors);
}

/** Label Studio's error envelope. */
export function errorEnvelope(
  status: number,
  detail: string,
  validationErrors?: Record<string, string[]>,
  excInfo?: string,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    id: randomUUID(),
    status_code: status,
    version: SERVER_VERSION,
    detail,
    exc_info: excInfo ?? null,
  };
  if (validationErrors) body.validation_errors = validationErrors;
  return body;
}

/** Writes the envelope straight to a Node response (for answers outside a route, e.g. a stalled body). */
export function sendRawError(res: ServerResponse, status: number, detail: string): void {
  const text = JSON.stringify(errorEnvelope(status, detail));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * A JSON object request body (`{}` when empty); form-encoded bodies are read as fields.
 * Every content type but forms is read as JSON, as the server always did.
 */
export function parseJsonObject(body: Buffer, contentType: string | undefined): Record<string, unknown> {
  const text = body.toString('utf8').trim();
  if (!text) return {};
  if (String(contentType ?? '').includes('application/x-www-form-urlencoded')) {
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

/**
 * `Content-Disposition` for a download name, as Django writes it: `filename="…"` for an
 * ASCII name (clients split the header on `filename=` and take what follows), and
 * `filename*=utf-8''…` alone for any other name.
 */
export function attachmentHeader(name: string): string {
  if (/^[\x20-\x7e]*$/.test(name)) return `attachment; filename="${name.replace(/(["\\])/g, '\\$1')}"`;
  return `attachment; filename*=utf-8''${encodeURIComponent(name)}`;
}

/** Headers of a download named `name`. */
export function downloadHeaders(name: string, type: string): Record<string, string> {
  return {
    'content-type': type,
    'content-disposition': attachmentHeader(name),
    filename: name,
    'access-control-expose-headers': 'filename',
  };
}

/** Sends a local file as a download (see {@link sendStored}). */
export async function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  name: string,
  type: string,
  beforeHeaders?: () => void,
  extraHeaders: Record<string, string> = {},
): Promise<void> {
  const stat = await fs.stat(path);
  const file = { size: stat.size, stream: () => createReadStream(path) };
  await sendStored(req, res, file, name, type, beforeHeaders, extraHeaders);
}

/** Streams a file as a download on a raw response (HEAD gets the headers alone). */
export async function sendStored(
  req: IncomingMessage,
  res: ServerResponse,
  file: { size: number; stream(): Readable | Promise<Readable> },
  name: string,
  type: string,
  /** Called once the file is found, just before the headers go out (a Fastify reply hijacks here). */
  beforeHeaders?: () => void,
  extraHeaders: Record<string, string> = {},
): Promise<void> {
  beforeHeaders?.();
  const headers: Record<string, string | number> = {
    ...downloadHeaders(name, type),
    ...extraHeaders,
    'content-length': file.size,
  };
  const exposed = Object.keys(extraHeaders);
  if (exposed.length) headers['access-control-expose-headers'] = ['filename', ...exposed].join(', ');
  res.writeHead(200, headers);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = await file.stream();
  await new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    res.on('close', () => {
      stream.destroy();
      resolve();
    });
    stream.pipe(res).on('finish', resolve);
  });
}
