// SIGKILL in the middle of a CLI export: the built `lsconv` writes into an output that
// already holds an earlier export, and is killed once it has written part of the new one.
// The earlier output must be untouched and nothing partial may appear under its name;
// the next export to the same place removes the temporary files the killed one left.
// Needs the packages built (pnpm build).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '../..');
const CLI = join(REPO, 'apps/cli/dist/bin.js');
const root = mkdtempSync(join(tmpdir(), 'lsconv-kill-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function task(i: number): string {
  return JSON.stringify({
    id: i,
    data: { text: `task number ${i} ${'lorem ipsum '.repeat(20)}` },
    annotations: [{ id: i, result: [], created_at: '2024-01-01T00:00:00Z' }],
  });
}

function run(args: string[], stdin?: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, stderr }));
    child.stdin!.end(stdin ?? '');
  });
}

/** Every file under a folder with its bytes, by relative path. */
function snapshot(path: string): Record<string, string> {
  if (statSync(path).isFile()) return { '.': readFileSync(path).toString('base64') };
  const out: Record<string, string> = {};
  for (const entry of readdirSync(path, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    out[full.slice(path.length)] = readFileSync(full).toString('base64');
  }
  return out;
}

function temporaries(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.includes('lsconv-tmp'));
}

/** Bytes written so far under the temporary output of a running export, or 0. */
function bytesInTemporaries(dir: string): number {
  let total = 0;
  for (const name of temporaries(dir)) {
    const path = join(dir, name);
    if (statSync(path).isFile()) total += statSync(path).size;
    else
      for (const e of readdirSync(path, { recursive: true, withFileTypes: true }))
        if (e.isFile()) total += statSync(join(e.parentPath, e.name)).size;
  }
  return total;
}

/**
 * Starts an export reading standard input, feeds it tasks until the temporary output
 * holds at least `bytes`, then kills it with SIGKILL (tasks are still coming, so the
 * export is certainly unfinished). Fails unless the temporary output held that much
 * when the kill landed.
 */
async function killMidExport(
  args: string[],
  dir: string,
  bytes = 1024 * 1024,
  cli = CLI,
  maxTasks = 200_000,
): Promise<void> {
  const child: ChildProcess = spawn(process.execPath, [cli, ...args, '-i', '-', '-q', '--threads', '1'], {
    cwd: REPO,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, signal) => r(signal)));
  const stdin = child.stdin!;
  stdin.on('error', () => undefined);
  stdin.write('[');
  let i = 0;
  // Bounded, so an export that writes no temporary output fails the checks instead of hanging.
  while (bytesInTemporaries(dir) < bytes && i < maxTasks) {
    const batch: string[] = [];
    for (let k = 0; k < 500; k++) batch.push(task(i++));
    const more = stdin.write(`${i > 500 ? ',' : ''}${batch.join(',')}`);
    if (!more) await new Promise((r) => stdin.once('drain', r));
    await new Promise((r) => setImmediate(r));
  }
  const written = bytesInTemporaries(dir);
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  expect(written, 'bytes in the temporary output when the kill landed').toBeGreaterThanOrEqual(bytes);
}

describe('SIGKILL during a CLI export', () => {
  it('a folder output keeps the earlier export; the next run removes the leftovers', async () => {
    const dir = mkdtempSync(join(root, 'folder-'));
    const out = join(dir, 'out');
    const earlier = `[${[1, 2, 3].map(task).join(',')}]`;
    expect((await run(['export', '-i', '-', '-o', out, '-f', 'JSON', '-q'], earlier)).code).toBe(0);
    const before = snapshot(out);
    expect(Object.keys(before)).toEqual(['/.lsconv-output', '/result.json']);

    await killMidExport(['export', '-o', out, '-f', 'JSON'], dir);

    expect(snapshot(out)).toEqual(before);
    expect(temporaries(dir)).toHaveLength(1); // what the killed process could not clean up
    const again = await run(['export', '-i', '-', '-o', out, '-f', 'JSON', '-q'], earlier);
    expect(again.code).toBe(0);
    expect(temporaries(dir)).toEqual([]);
    expect(snapshot(out)).toEqual(before);
  });

  it('a zip output keeps the earlier archive byte for byte', async () => {
    await zipKillCase(CLI);
  });

  // The zip case fails on exports that break its promise, so it is not vacuous.
  it('the zip case fails for an export that writes straight into the archive', async () => {
    await expect(zipKillCase(brokenExporter('direct'), 2_000)).rejects.toThrow(/temporary output/);
  });

  it('the zip case fails for an export that truncates the earlier archive first', async () => {
    await expect(zipKillCase(brokenExporter('clobber'), 2_000)).rejects.toThrow(/to deeply equal/);
  });

  it('a second output written while the first run is alive is not touched by the sweep', async () => {
    const dir = mkdtempSync(join(root, 'alive-'));
    const out = join(dir, 'out');
    // A temporary output of a live process (this one) beside the target.
    const live = join(dir, `.out.lsconv-tmp-${process.pid}-0123abcd`);
    writeFileSync(live, 'in use');
    expect((await run(['export', '-i', '-', '-o', out, '-f', 'JSON', '-q'], '[]')).code).toBe(0);
    expect(existsSync(live)).toBe(true);
  });
});

/**
 * Exports to a zip over an earlier archive, kills the export midway (with `killCli`) and
 * checks the earlier archive is intact and the leftover is swept by the next real run.
 */
async function zipKillCase(killCli: string, maxTasks?: number): Promise<void> {
  const dir = mkdtempSync(join(root, 'zip-'));
  const out = join(dir, 'out.zip');
  const earlier = `[${[1, 2, 3].map(task).join(',')}]`;
  expect((await run(['export', '-i', '-', '-o', out, '--zip', '-f', 'JSON', '-q'], earlier)).code).toBe(0);
  const before = snapshot(out);

  // The archive compresses the repeated text well: a smaller part of it is enough.
  await killMidExport(['export', '-o', out, '--zip', '-f', 'JSON'], dir, 64 * 1024, killCli, maxTasks);

  expect(existsSync(out)).toBe(true);
  expect(snapshot(out)).toEqual(before);
  expect(temporaries(dir)).toHaveLength(1); // the killed process's partial archive
  expect(readdirSync(dir).filter((n) => !n.includes('lsconv-tmp'))).toEqual(['out.zip']);
  expect((await run(['export', '-i', '-', '-o', out, '--zip', '-f', 'JSON', '-q'], earlier)).code).toBe(0);
  expect(temporaries(dir)).toEqual([]);
}

/**
 * A deliberately broken exporter for the mutation checks: it copies standard input to the
 * `-o` file directly (`direct`), or empties that file and then writes a temporary file
 * beside it (`clobber`).
 */
function brokenExporter(mode: 'direct' | 'clobber'): string {
  const path = join(root, `broken-${mode}.mjs`);
  writeFileSync(
    path,
    [
      "import { createWriteStream, writeFileSync } from 'node:fs';",
      "import { basename, dirname, join } from 'node:path';",
      "const out = process.argv[process.argv.indexOf('-o') + 1];",
      `const mode = ${JSON.stringify(mode)};`,
      "if (mode === 'clobber') writeFileSync(out, '');",
      "const temporary = join(dirname(out), '.' + basename(out) + '.lsconv-tmp-' + process.pid + '-0');",
      "const target = mode === 'direct' ? out : temporary;",
      'process.stdin.pipe(createWriteStream(target));',
    ].join('\n'),
  );
  return path;
}
