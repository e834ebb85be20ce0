// The runtime, tested rather than assumed: the suite itself runs on the Node.js release the
// workspace pins (root devDependency `node`), and a smoke check runs the built CLI and server
// on the oldest release users may have (`engines.node`, installed by tools/floor). Each
// conversion on the floor must give the same bytes as on the pinned release. Needs the
// packages built (`pnpm build`, which `pnpm test` runs first).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { findConformanceDir } from '@lsconv/testkit';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = join(import.meta.dirname, '..');
const rootPkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};
const floorPkg = JSON.parse(readFileSync(join(repo, 'tools', 'floor', 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
};
const floorVersion = rootPkg.engines.node.replace(/^>=/, '');
const floorNode = join(repo, 'tools', 'floor', 'node_modules', 'node', 'bin', 'node');
const cli = join(repo, 'apps', 'cli', 'dist', 'bin.js');
const serverBin = join(repo, 'apps', 'server', 'dist', 'bin.js');
const work = mkdtempSync(join(tmpdir(), 'lsconv-floor-'));
// COCO and the brush formats write a creation date; pin it so two runs can be compared.
const env = { ...process.env, SOURCE_DATE_EPOCH: '1700000000', NO_COLOR: '1' };

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Every file under `dir`, relative path → bytes. */
function files(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

/** Runs `lsconv` with a given Node.js binary; fails the test on a non-zero exit or any warning. */
async function lsconv(node: string, args: string[]): Promise<string> {
  // From the repository, as `pnpm lsconv` runs it: the workspace's format packages are discovered there.
  const { stdout, stderr } = await run(node, [cli, ...args], { env, cwd: repo, maxBuffer: 1 << 24 });
  expect(stderr, `lsconv ${args.join(' ')} printed a warning on ${node}`).not.toMatch(/Warning/);
  return stdout;
}

/** Converts on the floor and on the pinned release; the two folders must hold the same bytes. */
async function sameOnBoth(name: string, args: string[]): Promise<Map<string, Buffer>> {
  const onFloor = join(work, `${name}-floor`);
  const onPinned = join(work, `${name}-pinned`);
  await lsconv(floorNode, ['export', ...args, '-o', onFloor, '-q']);
  await lsconv(process.execPath, ['export', ...args, '-o', onPinned, '-q']);
  const a = files(onFloor);
  const b = files(onPinned);
  expect(a.size, `${name} wrote no file`).toBeGreaterThan(0);
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  for (const [path, bytes] of a) expect(bytes.equals(b.get(path)!), `${name}: ${path} differs`).toBe(true);
  return a;
}

describe('the runtime', () => {
  it('the suite runs on the Node.js release the workspace pins (24 LTS)', () => {
    expect(process.version).toBe(`v${rootPkg.devDependencies.node}`);
    expect(process.versions.node.split('.')[0]).toBe('24');
  });

  it('the floor runtime is the release engines.node names', async () => {
    expect(floorPkg.devDependencies.node).toBe(floorVersion);
    const { stdout } = await run(floorNode, ['--version']);
    expect(stdout.trim()).toBe(`v${floorVersion}`);
    expect(Number(floorVersion.split('.')[0])).toBeLessThan(24);
  });
});

describe(`smoke check on the floor release (Node.js ${floorVersion})`, () => {
  const conformance = findConformanceDir();
  const example = join(repo, 'examples', 'bbox');

  it('converts the bundled example (tabular formats, worker threads)', async () => {
    for (const format of ['CSV', 'JSON_MIN']) {
      const out = await sameOnBoth(`example-${format}`, [
        '-i',
        join(example, 'tasks.json'),
        '-c',
        join(example, 'config.xml'),
        '-f',
        format,
        '--threads',
        '2',
      ]);
      expect([...out.keys()]).toEqual(['.lsconv-output', format === 'CSV' ? 'result.csv' : 'result.json']);
    }
  });

  const families: [string, string, string, string[]][] = [
    ['vision', 'tpl-bbox', 'COCO', []],
    ['vision', 'tpl-bbox', 'YOLO', []],
    ['vision', 'tpl-bbox', 'VOC', []],
    ['text', 'tpl-ner-conll', 'CONLL2003', []],
    ['brush masks', 'tpl-brush-masks', 'BRUSH_TO_PNG', []],
    // Copies the clips from the case's upload folder and reads their durations.
    ['audio', 'tpl-asr', 'ASR_MANIFEST', ['--upload-dir', 'upload', '--download-resources']],
  ];
  for (const [family, caseName, format, extra] of families) {
    it.runIf(conformance)(`exports ${format} (${family}) as on the pinned release`, async () => {
      const dir = join(conformance!, caseName);
      const out = await sameOnBoth(`${caseName}-${format}`, [
        '-i',
        join(dir, 'tasks.json'),
        '-c',
        join(dir, 'config.xml'),
        '-f',
        format,
        '--compat',
        'python',
        ...extra.map((arg) => (arg === 'upload' ? join(dir, arg) : arg)),
      ]);
      // The reference wrote these files for the same case: the floor writes them too.
      const expected = files(join(dir, 'expected', format));
      for (const path of expected.keys())
        if (!path.endsWith('.gitkeep')) expect(out.has(path), path).toBe(true);
    });
  }

  it('lists every format (`lsconv formats`)', async () => {
    const list = (node: string) =>
      lsconv(node, ['formats', '--json']).then(
        (text) => JSON.parse(text) as { formats: { id: string }[]; problems: unknown[] },
      );
    const floor = await list(floorNode);
    const pinned = await list(process.execPath);
    expect(floor.problems).toEqual([]);
    expect(floor.formats.map((f) => f.id)).toEqual(pinned.formats.map((f) => f.id));
    expect(floor.formats.map((f) => f.id)).toEqual(expect.arrayContaining(['COCO', 'YOLO', 'CONLL2003']));
  });

  it('starts the server, which answers /health, with no warning on the terminal', async () => {
    const child = spawn(
      floorNode,
      [
        serverBin,
        '--port',
        '0',
        '--host',
        '127.0.0.1',
        '--data-dir',
        join(work, 'server-data'),
        '--api-key',
        'k',
      ],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    try {
      const port = await listeningPort(child);
      const health = await get(`http://127.0.0.1:${port}/health`);
      expect(health.status).toBe(200);
      expect(JSON.parse(health.body)).toMatchObject({ status: 'UP' });
    } finally {
      child.kill('SIGTERM');
      await new Promise((done) => child.once('exit', done));
    }
    expect(stderr).not.toMatch(/Warning/);
  });
});

/** The port the server prints once it listens (its first stdout line). */
function listeningPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the server did not start: ${out}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on http:\/\/[^:]+:(\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before listening: ${out}`));
    });
  });
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}
