import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversionReport } from '../report.js';
import { checkOutputPath } from '../safe-path.js';
import { directorySink } from '../sinks/directory.js';
import { isSafeFileName } from './classify.js';
import { createResourceResolver } from './resolver.js';
import { send, startServer, type TestServer } from './test-server.js';

/** Names an export may contain on purpose or by accident; none may produce a path outside the output. */
const HOSTILE = [
  '../../etc/passwd',
  '../../../../../../../../tmp/evil.png',
  '/etc/passwd',
  '/absolute/evil.png',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '..%2f..%2fevil.png',
  '%2e%2e',
  'evil.png%00.jpg',
  'nul\u0000byte.png',
  'x'.repeat(300),
  `${'y'.repeat(300)}.png`,
  `${'é'.repeat(200)}.png`,
  '..\\..\\windows\\evil.png',
  'C:\\Windows\\System32\\evil.png',
  '\\\\server\\share\\evil.png',
  '.',
  '..',
  '',
  '.hidden',
  'CON',
  'aux.png',
  'trailing.dot.',
  'tab\tand\nnewline.png',
  'colon:star*?.png',
  'dir/',
];

/** Every URL form a task can use, built around one untrusted name. */
function forms(name: string, host: string): string[] {
  const all = [
    `${host}/files/${name}`,
    `${host}/files/${encodeURIComponent(name)}`,
    `/data/upload/1/${name}`,
    `/data/local-files/?d=${name}`,
    `/storage-data/uploaded/?filepath=upload/1/${encodeURIComponent(name)}`,
    name,
    `s3://bucket/${name}`,
    `gs://bucket/dir/${name}`,
    `azure-blob://container/${name}`,
  ];
  return [...new Set(all)];
}

let root: string;
let server: TestServer;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'lsconv-hostile-'));
  // A file that a traversal would reach; it must never be read.
  writeFileSync(join(root, 'secret.png'), 'secret');
  mkdirSync(join(root, 'docs'));
  mkdirSync(join(root, 'upload', '1'), { recursive: true });
  server = await startServer((_req, res) => send(res, 'image bytes'));
});

afterAll(async () => {
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('hostile names never leave the output folder', () => {
  it.each(HOSTILE.map((name) => [JSON.stringify(name).slice(0, 60), name]))('%s', (_label, name) => {
    const resolver = createResourceResolver();
    for (const url of forms(name, 'https://media.example.org')) {
      const { localName } = resolver.describe(url);
      expect(isSafeFileName(localName), `${JSON.stringify(url)} → ${JSON.stringify(localName)}`).toBe(true);
      expect(Buffer.byteLength(localName)).toBeLessThanOrEqual(240);
      for (const dir of ['images', 'audio', 'a/b']) {
        const path = resolver.outputPath(dir, url);
        expect(checkOutputPath(path)).toBe(path);
        const out = resolve(root, 'out');
        const full = resolve(out, path);
        expect(full.startsWith(out + sep), `${url} → ${path}`).toBe(true);
        expect(relative(out, full).split(sep)).toHaveLength(dir.split('/').length + 1);
      }
    }
  });

  it('keeps the extension of over-long names', () => {
    const resolver = createResourceResolver();
    expect(resolver.describe(`https://x.org/${'y'.repeat(300)}.png`).localName).toMatch(
      /^[0-9a-f]{8}__y+\.png$/,
    );
    expect(resolver.describe(`/data/upload/1/${'z'.repeat(300)}.wav`).localName).toMatch(/^z+\.wav$/);
  });

  it('gives different sources with the same sanitised name different output paths', () => {
    const resolver = createResourceResolver();
    const paths = new Set<string>();
    const urls = HOSTILE.flatMap((name) => forms(name, 'https://media.example.org'));
    for (const url of urls) paths.add(resolver.outputPath('images', url));
    expect(paths.size).toBe(new Set(urls).size);
  });

  it('downloads and copies every form into a real folder without writing anywhere else', async () => {
    const parent = mkdtempSync(join(root, 'run-'));
    const out = join(parent, 'out');
    const sink = directorySink(out);
    const report = new ConversionReport('TEST');
    const resolver = createResourceResolver(
      {
        download: true,
        cacheDir: join(parent, 'cache'),
        uploadDir: join(root, 'upload'),
        localFilesRoot: join(root, 'docs'),
        baseDir: join(root, 'docs'),
        lsUrl: server.url,
        lsToken: 't',
        retries: 0,
      },
      report,
    );
    let copied = 0;
    for (const name of HOSTILE) {
      for (const url of forms(name, server.url)) {
        const ok = await resolver.copyTo(sink, url, resolver.outputPath('images', url), { taskId: 1 });
        if (ok) copied++;
      }
    }
    await sink.commit();
    expect(copied).toBeGreaterThan(HOSTILE.length);
    const files = walk(parent);
    for (const file of files) {
      const inside = file.startsWith(out + sep) || file.startsWith(join(parent, 'cache') + sep);
      expect(inside, file).toBe(true);
    }
    expect(files.filter((f) => f.startsWith(out + sep))).toHaveLength(copied);
    // Only the output folder and the cache exist; nothing was written beside them or above them.
    expect(readdirSync(parent).sort()).toEqual(['cache', 'out']);
    expect(readdirSync(root).sort()).toEqual(
      ['docs', 'run-' + parent.split('run-')[1], 'secret.png', 'upload'].sort(),
    );
    // The secret beside the roots was never copied.
    for (const file of files) expect(statSync(file).size === 6 && file.endsWith('secret.png')).toBe(false);
  });

  it('never reads a file outside the local-files root or the upload folder', async () => {
    const resolver = createResourceResolver({
      localFilesRoot: join(root, 'docs'),
      uploadDir: join(root, 'upload'),
    });
    for (const url of [
      '/data/local-files/?d=../secret.png',
      '/data/local-files/?d=..%2fsecret.png',
      `/data/local-files/?d=${join(root, 'secret.png')}`,
      '/data/local-files/?d=..\\secret.png',
      '/data/upload/../../secret.png',
      '/data/upload/1/..%2f..%2fsecret.png',
      '/data/upload/%2e%2e/%2e%2e/secret.png',
      '/storage-data/uploaded/?filepath=upload/../../secret.png',
      '/data/local-files/?d=secret.png%00',
    ]) {
      expect((await resolver.resolve(url)).path, url).toBeUndefined();
    }
  });
});

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full));
    else out.push(full);
  }
  return out;
}
