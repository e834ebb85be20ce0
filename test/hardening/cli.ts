import { resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '@lsconv/cli';

/** The repository root: the CLI discovers the workspace's formats from here. */
export const REPO = resolve(import.meta.dirname, '../..');

/** Runs the CLI in this process with no standard input; returns its exit code and what it printed. */
export async function runCli(args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main([...args], {
    stdout: {
      write: (s: string) => {
        out += s;
        return true;
      },
    },
    stderr: {
      write: (s: string) => {
        err += s;
        return true;
      },
    },
    stdin: new PassThrough().end(),
    cwd: REPO,
    env: {},
  });
  return { code, out, err };
}
