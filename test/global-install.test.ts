// Global installs as the README tells users to make them (`npm install -g @lsconv/cli
// @lsconv/format-coco`, `npm install -g @lsconv/server @lsconv/format-…`): the packages are
// packed with `pnpm pack` (workspace: ranges rewritten) and installed with npm into a
// temporary prefix; only third-party dependencies come from the registry. The commands run
// from an unrelated folder, so nothing but the global install can provide the formats.
// Needs the packages built (`pnpm build`).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'lsconv-global-'));
const elsewhere = join(work, 'elsewhere');

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** The workspace's packages by name. */
const workspace = new Map<string, string>();
for (const group of ['packages', 'apps']) {
  for (const entry of readdirSync(join(repo, group))) {
    const file = join(repo, group, entry, 'package.json');
    if (existsSync(file))
      workspace.set((JSON.parse(readFileSync(file, 'utf8')) as Manifest).name, join(repo, group, entry));
  }
}

const packed = new Map<string, Promise<string>>();

/** A workspace package packed with `pnpm pack`, once. */
function pack(name: string): Promise<string> {
  let tarball = packed.get(name);
  if (!tarball) {
    const dir = workspace.get(name);
    if (!dir) throw new Error(`${name} is not a workspace package`);
    const dest = mkdtempSync(join(work, 'pack-'));
    tarball = run('npx', ['--yes', 'pnpm@12.4.2', 'pack', '--pack-destination', dest], { cwd: dir }).then(
      () => {
        const [file] = readdirSync(dest);
        if (!file) throw new Error(`packing ${name} gave nothing`);
        return join(dest, file);
      },
    );
    packed.set(name, tarball);
  }
  return tarball;
}

/** The packages and the workspace packages they need (format-kit, core...), each once. */
function withWorkspaceDependencies(names: readonly string[]): string[] {
  const out = new Set<string>();
  const visit = (name: string) => {
    if (out.has(name) || !workspace.has(name)) return;
    out.add(name);
    const pkg = JSON.parse(readFileSync(join(workspace.get(name)!, 'package.json'), 'utf8')) as Manifest;
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies })) visit(dep);
  };
  for (const name of names) visit(name);
  return [...out];
}

/** `npm install -g` of these packages into a new prefix; returns the prefix. */
async function globalInstall(label: string, names: readonly string[]): Promise<string> {
  const prefix = join(work, label);
  const tarballs = await Promise.all(withWorkspaceDependencies(names).map(pack));
  await run(
    'npm',
    [
      'install',
      '-g',
      '--prefix',
      prefix,
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--loglevel=error',
      ...tarballs,
    ],
    { cwd: work },
  );
  return prefix;
}

interface Listing {
  formats: { id: string; package: string }[];
  problems: { package: string; reason: string }[];
}

let cliPrefix = '';
let serverPrefix = '';

beforeAll(async () => {
  mkdirSync(elsewhere);
  [cliPrefix, serverPrefix] = await Promise.all([
    globalInstall('cli', ['@lsconv/core', '@lsconv/cli', '@lsconv/format-coco']),
    globalInstall('server', ['@lsconv/core', '@lsconv/server', '@lsconv/format-csv']),
  ]);
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('npm install -g @lsconv/cli @lsconv/format-coco', () => {
  const lsconv = (args: string[]) => run(join(cliPrefix, 'bin', 'lsconv'), args, { cwd: elsewhere });

  it('lists COCO from the package installed beside the CLI', async () => {
    const listing = JSON.parse((await lsconv(['formats', '--json'])).stdout) as Listing;
    expect(listing.formats.map((f) => f.id).sort()).toEqual(['COCO', 'COCO_WITH_IMAGES', 'JSON']);
    expect(listing.formats.find((f) => f.id === 'COCO')?.package).toBe('@lsconv/format-coco');
    expect(listing.problems).toEqual([]);
  });

  it('names the package that provides an official format that is not installed', async () => {
    const error = await lsconv(['export', '-i', 'tasks.json', '-o', 'out', '-f', 'yolo_obb']).then(
      () => undefined,
      (e: { stderr: string; code: number }) => e,
    );
    expect(error?.code).toBe(2);
    expect(error?.stderr).toMatch(/unknown format "yolo_obb".*@lsconv\/format-yolo/);
    expect(error?.stderr).toContain('npm install @lsconv/format-yolo');
  });
});

describe('npm install -g @lsconv/server @lsconv/format-csv', () => {
  it('serves CSV from the package installed beside the server', async () => {
    const server = spawn(
      join(serverPrefix, 'bin', 'lsconv-server'),
      ['--port', '0', '--data-dir', join(work, 'server-data'), '--api-key', 'global-test-key'],
      { cwd: elsewhere, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const url = await listening(server);
      const headers = { authorization: 'Token global-test-key', 'content-type': 'application/json' };
      const created = await fetch(`${url}/api/projects`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          title: 'global',
          label_config:
            '<View><Text name="text" value="$text"/><Choices name="label" toName="text"><Choice value="a"/></Choices></View>',
        }),
      });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: number };
      const formats = (await (
        await fetch(`${url}/api/projects/${id}/export/formats`, { headers })
      ).json()) as {
        name: string;
      }[];
      expect(formats.map((f) => f.name).sort()).toEqual(['CSV', 'JSON', 'TSV']);
    } finally {
      server.kill('SIGTERM');
    }
  });
});

/** The server's URL, from its "listening on" line. */
function listening(server: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    server.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    server.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    server.on('exit', (code) => reject(new Error(`lsconv-server exited with ${code}: ${err}`)));
  });
}
