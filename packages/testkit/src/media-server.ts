import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback media server for tests of formats that fetch their media. */
export interface SlowMediaServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Most requests that were being answered at the same time. */
  readonly maxInFlight: number;
  /** Requests answered so far. */
  readonly requests: number;
  close(): Promise<void>;
}

/** How a slow media server holds its answers. */
export interface SlowMediaOptions {
  /**
   * Hold every answer until this many requests are in flight at once (then answer them
   * all, and every later request, after `delayMs`). A client that fetches several files
   * at a time reaches it however slowly it is scheduled, so a test of overlap depends on
   * what the client does, not on timing. Default 0: no gate.
   */
  holdUntilInFlight?: number;
  /**
   * When the gate has not opened this long after a request came, it opens anyway (so a
   * client that fetches one file at a time fails the test instead of hanging it).
   * Default 10 s.
   */
  holdTimeoutMs?: number;
}

/**
 * Starts a server on 127.0.0.1 that answers each GET after `delayMs` with the bytes
 * `body(path)` gives for its path and query (404 when it gives none), and counts how many requests overlap: a
 * format that fetches one file at a time never has two in flight.
 */
export async function startSlowMediaServer(
  body: (path: string) => Uint8Array | undefined,
  delayMs = 40,
  options: SlowMediaOptions = {},
): Promise<SlowMediaServer> {
  let inFlight = 0;
  let maxInFlight = 0;
  let requests = 0;
  const gate = options.holdUntilInFlight ?? 0;
  let open = gate <= 1;
  const held: (() => void)[] = [];
  const release = () => {
    open = true;
    for (const answer of held.splice(0)) answer();
  };
  const server = createServer((req, res) => {
    inFlight++;
    requests++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => inFlight--);
    const answer = () => setTimeout(reply, delayMs);
    if (open) answer();
    else {
      held.push(answer);
      if (inFlight >= gate) release();
      else setTimeout(() => !open && release(), options.holdTimeoutMs ?? 10_000).unref();
    }
    function reply() {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const bytes = body(url.pathname + url.search);
      if (!bytes) res.writeHead(404).end();
      else {
        res.writeHead(200, { 'content-length': bytes.length });
        res.end(bytes);
      }
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get maxInFlight() {
      return maxInFlight;
    },
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
