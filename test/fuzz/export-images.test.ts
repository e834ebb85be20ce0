// Fuzz properties of the *_WITH_IMAGES formats (see export-properties.ts). Their media
// are the harness's local files, or point at a closed loopback port or at this file's
// loopback server, never the network.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pngHeader } from '@lsconv/testkit';
import { afterAll } from 'vitest';
import { setLoopbackPort } from './arbitraries.js';
import { describeExportFuzz, GROUPS } from './export-properties.js';
import { loadDefinitions } from './harness.js';

const server = createServer((req, res) => {
  const path = (req.url ?? '').split('?')[0];
  if (path === '/img/a.png') res.end(pngHeader(16, 12));
  else if (path === '/img/big.png') res.end(pngHeader(100_000, 100_000));
  else if (path === '/img/b.jpg') res.end('not a jpeg at all');
  else {
    res.statusCode = 404;
    res.end();
  }
});
await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
setLoopbackPort((server.address() as AddressInfo).port);
afterAll(() => new Promise<void>((done) => server.close(() => done())));

const { formats } = await loadDefinitions();
describeExportFuzz(formats.filter((f) => GROUPS.images!.includes(f.id)));
