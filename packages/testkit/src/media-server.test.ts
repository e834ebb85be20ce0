import { describe, expect, it } from 'vitest';
import { startSlowMediaServer } from './media-server.js';

const body = (path: string) => (path.startsWith('/f/') ? new Uint8Array([1, 2, 3]) : undefined);

describe('startSlowMediaServer', () => {
  it('holds answers until enough requests overlap, then answers them all', async () => {
    const server = await startSlowMediaServer(body, 5, { holdUntilInFlight: 5, holdTimeoutMs: 60_000 });
    try {
      const answers = await Promise.all(
        Array.from({ length: 5 }, (_, i) => fetch(`${server.url}/f/${i}`).then((r) => r.arrayBuffer())),
      );
      expect(answers.map((a) => a.byteLength)).toEqual([3, 3, 3, 3, 3]);
      expect(server.maxInFlight).toBe(5);
      expect((await fetch(`${server.url}/missing`)).status).toBe(404);
      expect(server.requests).toBe(6);
    } finally {
      await server.close();
    }
  });

  it('a client that fetches one file at a time never overlaps: the gate opens after its time-out', async () => {
    const server = await startSlowMediaServer(body, 5, { holdUntilInFlight: 5, holdTimeoutMs: 200 });
    try {
      for (let i = 0; i < 4; i++) expect((await fetch(`${server.url}/f/${i}`)).status).toBe(200);
      expect(server.maxInFlight).toBe(1);
    } finally {
      await server.close();
    }
  });
});
