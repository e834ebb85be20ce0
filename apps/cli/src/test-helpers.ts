import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import type { CliIo } from './io.js';

/** The repository root. */
export const REPO = resolve(import.meta.dirname, '../../..');
/** The built command. */
export const CLI_BIN = join(REPO, 'apps/cli/dist/bin.js');
/** Test plugins (a format + importer, a broken one, one for another core). */
export const PLUGINS = join(REPO, 'apps/cli/fixtures/plugins');
export const TEST_PLUGIN = join(PLUGINS, 'lsconv-format-cli-test');
export const BROKEN_PLUGIN = join(PLUGINS, 'lsconv-format-cli-broken');
export const OLD_PLUGIN = join(PLUGINS, 'lsconv-format-cli-old');
/** The shared conformance cases. */
export const CONFORMANCE = resolve(REPO, '../shared/fixtures/conformance');

/** A fresh folder under the system temp folder. */
export function tempDir(prefix = 'lsconv-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Names in a folder that an export left behind while writing (`.x.lsconv-tmp-…`). */
export function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.includes('lsconv-tmp'));
}

/** A fake `io` that records what `main` prints. */
export interface FakeIo extends CliIo {
  out(): string;
  err(): string;
}

/** Builds a fake io; `stdin` text becomes a readable stream. */
export function fakeIo(
  options: {
    cwd?: string;
    stdin?: string | Readable;
    env?: Record<string, string>;
    tty?: boolean;
    signal?: AbortSignal;
    host?: string;
  } = {},
): FakeIo {
  let out = '';
  let err = '';
  const stdin =
    typeof options.stdin === 'string'
      ? Readable.from([Buffer.from(options.stdin)])
      : (options.stdin ?? new PassThrough().end());
  return {
    stdout: {
      write: (s: string) => {
        out += s;
        return true;
      },
      isTTY: options.tty ?? false,
      columns: 100,
    },
    stderr: {
      write: (s: string) => {
        err += s;
        return true;
      },
      isTTY: options.tty ?? false,
      columns: 100,
    },
    stdin,
    cwd: options.cwd ?? REPO,
    env: options.env ?? {},
    signal: options.signal,
    ...(options.host === undefined ? {} : { host: options.host }),
    out: () => out,
    err: () => err,
  };
}

/** What a spawned CLI did. */
export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (`node apps/cli/dist/bin.js`) in a child process. */
export function runCli(
  args: readonly string[],
  options: { cwd?: string; input?: string; env?: Record<string, string>; bin?: string } = {},
): Promise<CliRun> {
  const bin = options.bin ?? CLI_BIN;
  if (!existsSync(bin)) throw new Error(`${bin} does not exist: run pnpm build first (pnpm test does)`);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: options.cwd ?? REPO,
      env: cleanEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** The environment for a child CLI, without variables that change its behaviour. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of [
    'LSCONV_DEBUG',
    'LABEL_STUDIO_URL',
    'LABEL_STUDIO_API_KEY',
    'LS_UPLOAD_DIR',
    'LOCAL_FILES_DOCUMENT_ROOT',
  ]) {
    delete env[name];
  }
  return { ...env, ...extra };
}

/** Waits until `check` is true, polling; the test's own timeout bounds it. */
export async function waitFor(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 20));
}
