import { createHash } from 'node:crypto';
import { SERVER_VERSION } from '../http.js';
import { PAGE_HTML } from '../page.js';
import { defineRoutes } from './route.js';

/** The CSP source of each inline `<tag>` block of the page: its SHA-256, so no other inline code runs. */
function inlineHashes(html: string, tag: 'script' | 'style'): string {
  const blocks = [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))];
  return blocks.map((m) => `'sha256-${createHash('sha256').update(m[1]!).digest('base64')}'`).join(' ');
}

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-cache',
  // Only the page's own script and style run (by hash); it is never framed, and forms and
  // links stay on this server.
  'content-security-policy': [
    "default-src 'self'",
    `script-src ${inlineHashes(PAGE_HTML, 'script')}`,
    `style-src ${inlineHashes(PAGE_HTML, 'style')}`,
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-frame-options': 'DENY',
};

/**
 * What answers without a key: the web page, `/health` (the process answers), `/ready`
 * (the database and the job queue answer: a load balancer sends requests only to a ready
 * instance), `/api/version` and the OpenAPI document (none of them in it).
 */
export default defineRoutes((app, ctx) => {
  for (const url of ['/', '/index.html']) {
    app.get(url, { schema: { hide: true } }, async (_request, reply) =>
      reply.headers(PAGE_HEADERS).send(PAGE_HTML),
    );
  }
  app.get('/health', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('application/json').send({ status: 'UP' }),
  );
  app.get('/ready', { schema: { hide: true } }, async (_request, reply) => {
    const check = async (what: () => Promise<void>) =>
      what().then(
        () => 'ok',
        (error) => String((error as Error)?.message ?? error),
      );
    const database = ctx.closed ? 'shutting down' : await check(() => ctx.store.ping());
    const queue = ctx.closed ? 'shutting down' : await check(() => ctx.jobs.ready());
    const ready = database === 'ok' && queue === 'ok';
    return reply
      .code(ready ? 200 : 503)
      .type('application/json')
      .send({ status: ready ? 'READY' : 'NOT READY', database, queue });
  });
  app.get('/api/version', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('application/json').send(versionJson()),
  );
  app.get('/api/docs', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('application/json').send(app.swagger()),
  );
});

/**
 * `/api/version`, in Label Studio's shape: clients read `release` and look for
 * `label-studio-enterprise-backend` (absent: a Community server).
 */
function versionJson() {
  return {
    release: SERVER_VERSION,
    'label-studio-os-package': {
      version: SERVER_VERSION,
      short_version: SERVER_VERSION.split('.').slice(0, 2).join('.'),
    },
    'label-studio-os-backend': {
      message: 'lsconv-server',
      commit: '',
      date: '',
      branch: '',
      version: SERVER_VERSION,
    },
    edition: 'Community',
    lsconv: { server: SERVER_VERSION },
  };
}
