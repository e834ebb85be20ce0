// Test helper (excluded from the build): a loopback HTTP server, written on node:net so
// that it can misbehave the way real servers and proxies do.

import type { AddressInfo } from 'node:net';
import { createServer, type Socket } from 'node:net';

/**
 * What the server does for a path `/<fault>/<anything>`:
 * - `ok`: answers 200 with the body;
 * - `close-early`: sends the headers (the full Content-Length) and half the body, then closes;
 * - `close-before-body`: sends the headers, then closes before any body byte;
 * - `reset`: sends the headers and a few bytes, then resets the connection (RST);
 * - `drip`: sends the headers, then one byte every `dripMs`, for ever;
 * - `silent`: accepts the connection and never answers.
 */
export type Fault = 'ok' | 'close-early' | 'close-before-body' | 'reset' | 'drip' | 'silent';

export const FAULTS: readonly Fault[] = ['close-early', 'close-before-body', 'reset', 'drip', 'silent'];

export interface FaultServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Requests seen per fault. */
  hits: Record<Fault, number>;
  close(): Promise<void>;
}

/** Starts the server; every answer carries `body` (a small image, say). */
export async function startFaultServer(body: Buffer, dripMs = 1000): Promise<FaultServer> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const hits: Record<Fault, number> = {
    ok: 0,
    'close-early': 0,
    'close-before-body': 0,
    reset: 0,
    drip: 0,
    silent: 0,
  };
  const head = `HTTP/1.1 200 OK\r\ncontent-type: image/png\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n`;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let request = '';
    socket.on('data', (chunk) => {
      if (request.includes('\r\n\r\n')) return;
      request += chunk.toString('latin1');
      if (!request.includes('\r\n\r\n')) return;
      const path = /^GET (\S+)/.exec(request)?.[1] ?? '/';
      const fault = (path.split('/')[1] ?? 'ok') as Fault;
      hits[fault] = (hits[fault] ?? 0) + 1;
      answer(socket, fault);
    });
  });
  function answer(socket: Socket, fault: Fault): void {
    switch (fault) {
      case 'silent':
        return;
      case 'close-before-body':
        socket.end(head);
        return;
      case 'close-early':
        socket.end(Buffer.concat([Buffer.from(head, 'latin1'), body.subarray(0, body.length >> 1)]));
        return;
      case 'reset':
        socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body.subarray(0, 8)]), () =>
          socket.resetAndDestroy(),
        );
        return;
      case 'drip': {
        // A body far longer than the client will wait for.
        socket.write(head.replace(/content-length: \d+/, 'content-length: 100000000'));
        let sent = 0;
        const timer = setInterval(() => {
          if (socket.destroyed) {
            clearInterval(timer);
            timers.delete(timer);
            return;
          }
          const at = sent++ % body.length;
          socket.write(body.subarray(at, at + 1));
        }, dripMs);
        timers.add(timer);
        return;
      }
      default:
        socket.end(Buffer.concat([Buffer.from(head, 'latin1'), body]));
    }
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearInterval(timer);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
