import type { SwaggerOptions } from '@fastify/swagger';
import { SERVER_VERSION } from './http.js';

/**
 * The frame of the OpenAPI document served at `/api/docs`; its paths are generated
 * by @fastify/swagger from the schemas the route modules declare.
 */
export function swaggerOptions(): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'lsconv-server',
        version: SERVER_VERSION,
        description:
          "Label Studio-compatible projects, import and export endpoints. Every /api route except this document needs `Authorization: Token <key>`. Errors use Label Studio's envelope.",
      },
      components: {
        securitySchemes: {
          token: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'Token <key>' },
        },
      },
      security: [{ token: [] }],
    },
  };
}
