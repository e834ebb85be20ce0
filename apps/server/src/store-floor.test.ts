// On the oldest Node.js the server supports (22.13.0), loading node:sqlite prints an
// ExperimentalWarning. Neither `lsconv-server` nor a program using the store may show it.
// These tests run the built server (dist/) on that Node, from tools/floor.
import { spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { BOX_CONFIG, box, removeDir } from './test-helpers.js';

const FLOOR_NODE = resolve(import.meta.dirname, '../../../tools/floor/node_modules/.bin/node');
const DIST = resolve(import.meta.dirname, '../dist');
const missing = existsSync(FLOOR_NODE)
  ? undefined
  : `skipped: ${FLOOR_NODE} is missing (install tools/floor to run the Node 22.13.0 checks)`;
if (missing) console.warn(`store-floor.test.ts ${missing}`);

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'lsconv-floor-'));
  dirs.push(d);
  return d;
};

/** Runs the floor Node with arguments; resolves with its exit code and output. */
function run(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(FLOOR_NODE, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe.skipIf(missing)(`on Node 22.13.0 ${missing ? `(${missing})` : ''}`, () => {
  it('the floor Node does warn when node:sqlite is loaded plainly (what the store hides)', async () => {
    const r = await run(['-e', "process.getBuiltinModule('node:sqlite')"], tempDir());
    expect(r.stderr).toContain('ExperimentalWarning: SQLite is an experimental feature');
  });

  it('a program opening the store prints no ExperimentalWarning, and other warnings still print', async () => {
    const dir = tempDir();
    const script = `
      import { openSqliteStore } from ${JSON.stringify(pathToFileURL(join(DIST, 'index.js')).href)};
      const store = openSqliteStore(${JSON.stringify(join(dir, 'data'))});
      const p = await store.createProject({ title: 't', description: '', labelConfig: '' });
      const batch = await store.beginImport(p.id);
      await batch.add([{ json: '{"data":{}}', hasAnnotations: false, hasSkipped: false, hasCompleted: false,
        isLabeled: false, annotations: 0, skipped: 0, predictions: 0 }]);
      await batch.commit();
      console.log(process.version, await store.countTasks(p.id, {}));
      await store.close();
      process.emitWarning('lsconv floor test warning');
    `;
    const r = await run(['--input-type=module', '-e', script], dir);
    expect(r.stdout).toBe('v22.13.0 1\n');
    expect(r.stderr).toContain('Warning: lsconv floor test warning');
    expect(r.stderr).not.toContain('ExperimentalWarning');
    expect(r.code).toBe(0);
  });

  it('lsconv-server starts, imports, runs a snapshot in a worker thread, exports and stops without one', async () => {
    const dir = tempDir();
    const dataDir = join(dir, 'data');
    const bin = join(DIST, 'bin.js');
    const child = spawn(FLOOR_NODE, [bin, '--port', '0', '--data-dir', dataDir, '--api-key', 'floor-key'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    try {
      const base = await new Promise<string>((done, fail) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m) done(m[1]!);
        });
        child.on('exit', () => fail(new Error(`the server exited: ${out}${stderr}`)));
      });
      const api = async (path: string, json?: unknown) => {
        const res = await fetch(`${base}${path}`, {
          method: json === undefined ? 'GET' : 'POST',
          headers: { authorization: 'Token floor-key', 'content-type': 'application/json' },
          ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
        });
        expect(res.status, path).toBeLessThan(300);
        return (await res.json()) as Record<string, any>;
      };
      expect(await api('/health')).toBeTruthy();
      const project = await api('/api/projects', { title: 'Floor', label_config: BOX_CONFIG });
      await api(`/api/projects/${project.id}/import`, [
        { data: { image: 'a.jpg' }, annotations: [{ result: [box('Car')] }] },
        { data: { image: 'b.jpg' } },
      ]);
      const snap = await api(`/api/projects/${project.id}/exports`, { title: 'floor' });
      let status = '';
      for (let i = 0; i < 600 && status !== 'completed' && status !== 'failed'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        status = (await api(`/api/projects/${project.id}/exports/${snap.id}`)).status;
      }
      expect(status).toBe('completed');
      const tasks = await (
        await fetch(`${base}/api/projects/${project.id}/exports/${snap.id}/download`, {
          headers: { authorization: 'Token floor-key' },
        })
      ).json();
      expect(tasks).toHaveLength(2);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(stderr).not.toContain('ExperimentalWarning');

    // The console command opens the store in its own process.
    const exported = await run(
      [bin, 'export', '1', 'JSON', '--export-path', join(dir, 'out'), '--data-dir', dataDir],
      dir,
    );
    expect(exported.stdout).toContain('Project exported successfully');
    expect(exported.stderr).not.toContain('ExperimentalWarning');
    expect(exported.code).toBe(0);
  });
  it('reads the data folder of the better-sqlite3 store as on Node 24 (SQLite 3.47 there)', async () => {
    const fixture = resolve(import.meta.dirname, '../fixtures/store-better-sqlite3');
    const dir = tempDir();
    cpSync(join(fixture, 'data'), dir, { recursive: true });
    // writable, even from a read-only checkout
    const writable = (path: string) => {
      const isDir = statSync(path).isDirectory();
      chmodSync(path, isDir ? 0o755 : 0o644);
      if (isDir) for (const name of readdirSync(path)) writable(join(path, name));
    };
    writable(dir);
    const script = `
      import { openSqliteStore } from ${JSON.stringify(pathToFileURL(join(DIST, 'index.js')).href)};
      import { dumpStore } from ${JSON.stringify(pathToFileURL(join(fixture, 'dump.mjs')).href)};
      const store = openSqliteStore(${JSON.stringify(dir)});
      process.stdout.write(JSON.stringify(await dumpStore(store)));
      await store.close();
    `;
    const r = await run(['--input-type=module', '-e', script], dir);
    expect(r.stderr).toBe('');
    const expected = JSON.parse(readFileSync(join(fixture, 'expected.json'), 'utf8')) as { store: unknown };
    expect(JSON.parse(r.stdout)).toEqual(expected.store);
  });
});
