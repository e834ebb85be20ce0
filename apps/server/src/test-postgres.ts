// A throwaway PostgreSQL cluster for tests: `initdb` into a temporary folder, the
// server on a loopback port and a socket in that folder, stopped and removed after.
// initdb refuses to run as root, so as root the cluster runs as `nobody`.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';

/** A running cluster. */
export interface PgCluster {
  /** The `postgres` database's URL (superuser `lsconv`, no password: trust on loopback). */
  url: string;
  port: number;
  /** Creates an empty database; returns its URL. */
  createDatabase(): Promise<string>;
  /** Stops the server at once and removes the folder. */
  stop(): Promise<void>;
}

/** The folder of initdb and pg_ctl: on PATH, else Debian's /usr/lib/postgresql/<version>/bin. */
export function postgresBinDir(): string {
  for (const dir of (process.env.PATH ?? '').split(':'))
    if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0]) return join(base, versions[0], 'bin');
  throw new Error(
    'PostgreSQL is not installed (no initdb and pg_ctl on PATH or in /usr/lib/postgresql/*/bin): install the postgresql package (.ci/run does)',
  );
}

/** A free loopback port. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Runs a PostgreSQL program, as `nobody` when this process is root. */
function asOwner(bin: string, args: string[], cwd: string): string {
  const root = process.getuid?.() === 0;
  const [cmd, argv] = root
    ? ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', bin, ...args]]
    : [bin, args];
  return execFileSync(cmd as string, argv as string[], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
}

/** Starts a cluster in a new temporary folder. */
export async function startPgCluster(): Promise<PgCluster> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'lsconv-pg-'));
  if (process.getuid?.() === 0) chownSync(dir, 65534, 65534);
  const data = join(dir, 'data');
  const port = await freePort();
  try {
    asOwner(join(bin, 'initdb'), ['-D', data, '-U', 'lsconv', '-A', 'trust', '-E', 'UTF8', '--no-sync'], dir);
    asOwner(
      join(bin, 'pg_ctl'),
      [
        '-D',
        data,
        '-l',
        join(dir, 'log'),
        '-w',
        '-o',
        `-k ${dir} -h 127.0.0.1 -p ${port} -F -c max_connections=300`,
        'start',
      ],
      dir,
    );
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const e = error as { stderr?: string; message: string };
    throw new Error(`could not start a PostgreSQL cluster: ${e.stderr || e.message}`);
  }
  const url = `postgres://lsconv@127.0.0.1:${port}/postgres`;
  let n = 0;
  return {
    url,
    port,
    async createDatabase() {
      const name = `t${process.pid}_${++n}`;
      databases++;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://lsconv@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      try {
        asOwner(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], dir);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

let active: PgCluster | undefined;
let databases = 0;

/** The cluster test servers of this file use, when {@link usePostgresStore} asked for one. */
export function activePgCluster(): PgCluster | undefined {
  return active;
}

/**
 * Makes every test server of the calling file use PostgreSQL (a new database each, in a
 * cluster started before the file's tests and removed after).
 */
export function usePostgresStore(): void {
  beforeAll(async () => {
    active = await startPgCluster();
  });
  afterAll(async () => {
    await active?.stop();
    active = undefined;
  });
}

/** A test that fails unless the file's test servers ran on PostgreSQL databases of the cluster. */
export function expectPostgresServers(): void {
  it('ran its servers on PostgreSQL', () => {
    expect(active).toBeDefined();
    expect(databases).toBeGreaterThan(0);
  });
}
