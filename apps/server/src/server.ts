// lsconv-server: wiring only. The routes are in routes/ (one module per route or small
// group, each with its schema), background jobs in jobs/, imports in importer.ts, easy
// export in easy-export.ts, and what every request goes through in hooks.ts.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { createContext, type ServerContext } from './context.js';
import { answerFrameworkError, installHooks } from './hooks.js';
import { createImporter } from './importer.js';
import { createJobRunner } from './jobs/runner.js';
import { swaggerOptions } from './openapi.js';
import type { LsconvServer, RouteEntry, ServerOptions, ServerTimeouts } from './options.js';
import { ROUTES } from './routes/index.js';

export type { LsconvServer, RouteEntry, ServerOptions, ServerTimeouts } from './options.js';
export { defaultSnapshotTitle, snapshotPlan } from './snapshot-options.js';

/** Creates the server (not yet listening): opens the store, loads the formats, resumes unfinished jobs. */
export async function createLsconvServer(options: ServerOptions): Promise<LsconvServer> {
  const shutdown = new AbortController();
  const ctx = (await createContext(options, shutdown.signal)) as ServerContext;
  // The shared queue (and pg-boss) is loaded only when a PostgreSQL database is in use.
  ctx.jobs = options.database
    ? await (await import('./jobs/shared-runner.js')).createSharedJobRunner(ctx, options.database)
    : createJobRunner(ctx);
  ctx.imports = createImporter(ctx.store, ctx, () => ctx.closed);
  // A restart never leaves a job stuck: whatever was created or running reruns from the start.
  await ctx.jobs.resume();

  const routes: RouteEntry[] = [];
  const app = await createApp(ctx, options.timeouts ?? {}, routes);
  const server = app.server;
  return {
    server,
    apiKey: ctx.apiKey,
    apiKeyGenerated: ctx.apiKeyGenerated,
    store: ctx.store,
    registry: ctx.registry,
    routes,
    openApi: async () => app.swagger() as Record<string, any>,
    async listen(port, host = '127.0.0.1') {
      await app.listen({ port, host });
      return (server.address() as AddressInfo).port;
    },
    async close() {
      if (ctx.closed) return;
      ctx.closed = true;
      // Stops accepting connections; in-flight requests go on.
      const closing = app.close();
      server.closeIdleConnections();
      // An import is applied whole or not at all: one still arriving is rolled back and
      // answered 503 before the store closes, not cut off with a bare connection reset.
      await ctx.imports.stop();
      await ctx.jobs.stop(options.shutdownGraceMs ?? 10_000);
      shutdown.abort();
      // Connections that finish a response after close() stay keep-alive: close them as they go idle.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      const timer = setTimeout(() => server.closeAllConnections(), 5_000);
      server.closeIdleConnections();
      await closing;
      clearInterval(sweep);
      clearTimeout(timer);
      await ctx.store.close();
    },
  };
}

/** The Fastify app: the Node server with its time limits, the hooks, the OpenAPI generator and every route module. */
async function createApp(
  ctx: ServerContext,
  timeouts: ServerTimeouts,
  routes: RouteEntry[],
): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    routerOptions: { ignoreTrailingSlash: true },
    bodyLimit: ctx.maxBody,
    frameworkErrors: answerFrameworkError,
    serverFactory: (handler) => {
      const server = createServer(
        { connectionsCheckingInterval: timeouts.checkIntervalMs ?? 30_000 },
        handler,
      );
      server.headersTimeout = timeouts.headersMs ?? 60_000;
      server.requestTimeout = timeouts.requestMs ?? 3_600_000;
      return server;
    },
  });
  // Route schemas document the API (and generate /api/docs); bodies and queries are checked
  // in the handlers, which answer Label Studio's (DRF's) exact validation messages.
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat())
      if (method !== 'HEAD') routes.push({ method, url: route.url, hidden: route.schema?.hide === true });
  });
  await app.register(swagger, swaggerOptions());
  installHooks(app, ctx, routes, timeouts.bodyIdleMs ?? 60_000);
  for (const module of ROUTES) await app.register(async (scope) => module(scope, ctx));
  await app.ready();
  return app;
}
