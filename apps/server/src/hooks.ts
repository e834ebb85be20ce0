// What every request goes through, whatever its route: JSON bodies within the limit,
// the API key, a body that stops arriving, Label Studio's error envelope, 404 and 405.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLsconvError } from '@lsconv/core';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from './context.js';
import { errorEnvelope, HttpError, parseJsonObject, sendRawError } from './http.js';
import type { RouteEntry } from './options.js';

/** Paths answered without a key. */
const PUBLIC = new Set(['/api/docs', '/api/docs/', '/api/version', '/api/version/']);

/** Installs the body parser, hooks and handlers on the root scope (route modules may override the parser). */
export function installHooks(
  app: FastifyInstance,
  ctx: ServerContext,
  routes: readonly RouteEntry[],
  bodyIdleMs: number,
): void {
  // Every body but a form is read as a JSON object, whatever its content type (as Label Studio's DRF parsers).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: ctx.maxBody }, (request, body, done) => {
    try {
      done(null, parseJsonObject(body as Buffer, request.headers['content-type']));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.addHook('onRequest', async (request, reply) => {
    // No answer is ever sniffed into another type (a JSON body read as HTML, say).
    reply.header('x-content-type-options', 'nosniff');
    watchBody(request.raw, reply.raw, bodyIdleMs);
    const path = pathOf(request.url);
    if (path.startsWith('/api/') && !PUBLIC.has(path)) await authenticate(request, ctx.checkApiKey);
  });
  app.setErrorHandler((error, request, reply) => answerError(ctx, error, request, reply));
  app.setNotFoundHandler(async (request) => {
    const path = pathOf(request.url);
    if (routes.some((route) => matches(route.url, path)))
      throw new HttpError(405, `Method "${request.method}" not allowed.`);
    throw new HttpError(404, 'Not found.');
  });
}

async function authenticate(
  request: FastifyRequest,
  check: (candidate: string) => Promise<boolean>,
): Promise<void> {
  const auth = String(request.headers.authorization ?? '');
  const challenge = { 'www-authenticate': 'Token' };
  if (!auth) throw new HttpError(401, 'Authentication credentials were not provided.', undefined, challenge);
  const m = /^(Token|Bearer)\s+(\S+)\s*$/i.exec(auth);
  if (!m || !(await check(m[2]!))) throw new HttpError(401, 'Invalid token.', undefined, challenge);
}

function answerError(ctx: ServerContext, error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const res = reply.raw;
  if (res.headersSent) {
    ctx.log(
      `lsconv-server: ${request.method} ${pathOf(request.url)} failed while streaming: ${String((error as Error)?.message ?? error)}`,
    );
    res.destroy();
    return;
  }
  // A refused upload is not read to its end: say the connection closes (or a keep-alive
  // client would send its next request on it), and close it once the answer is out.
  if (!request.raw.complete) {
    reply.header('connection', 'close');
    res.once('finish', () => request.raw.destroy());
  }
  const answer = toHttpError(ctx, error, request);
  for (const [name, value] of Object.entries(answer.headers ?? {})) reply.header(name, value);
  const excInfo = answer.status === 500 ? String((error as Error)?.stack ?? '') : undefined;
  reply
    .code(answer.status)
    .type('application/json')
    .send(errorEnvelope(answer.status, answer.message, answer.validationErrors, excInfo));
}

function toHttpError(ctx: ServerContext, error: unknown, request: FastifyRequest): HttpError {
  if (error instanceof HttpError) return error;
  if (isLsconvError(error)) {
    const status =
      error.code === 'ABORTED' ? 503 : error.code === 'INTERNAL' || error.code === 'OUTPUT_WRITE' ? 500 : 400;
    return new HttpError(status, error.message);
  }
  const fastifyError = error as FastifyError;
  if (fastifyError?.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return new HttpError(413, `Request body is larger than ${ctx.maxBody} bytes`);
  const status = fastifyError?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500)
    return new HttpError(status, fastifyError.message);
  ctx.log(
    `lsconv-server: ${request.method} ${pathOf(request.url)}: ${(error as Error)?.stack ?? String(error)}`,
  );
  return new HttpError(500, String((error as Error)?.message ?? error));
}

/**
 * A body that stops arriving (a stalled or trickling client) closes the connection
 * after bodyIdleMs: the socket's idle timer runs only until the body is complete, so
 * a long export computed after it is never cut.
 */
function watchBody(req: IncomingMessage, res: ServerResponse, bodyIdleMs: number): void {
  const hasBody =
    Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (!hasBody || bodyIdleMs <= 0 || req.complete) return;
  const socket = req.socket;
  const onIdle = () => {
    if (!res.headersSent) sendRawError(res, 408, 'The request body stopped arriving');
    socket.destroy();
  };
  socket.setTimeout(bodyIdleMs, onIdle);
  // Cleared when the body is complete, before the response ends and Node arms its own
  // keep-alive timer on the same socket. Requests refused early destroy the socket.
  req.once('end', () => {
    socket.setTimeout(0);
    socket.off('timeout', onIdle);
  });
}

const patterns = new Map<string, RegExp>();

/** True when a route's URL (`/api/projects/:id`) matches a path, with or without a trailing slash. */
function matches(url: string, path: string): boolean {
  let re = patterns.get(url);
  if (!re) {
    const source = url
      .replace(/\/$/, '')
      .split('/')
      .map((part) => (part.startsWith(':') ? '\\d+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    re = new RegExp(`^${source}/?$`);
    patterns.set(url, re);
  }
  return re.test(path);
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/**
 * Errors Fastify meets before any route or hook runs: a path that does not decode
 * (400, as before) and an over-long path parameter (no such project or snapshot).
 */
export function answerFrameworkError(
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
): void {
  const [status, detail] =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? [404, 'Not found.'] : [400, 'Bad request URL'];
  reply.code(status).type('application/json').send(errorEnvelope(status, detail));
}
