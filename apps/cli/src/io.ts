import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import type { ErrorCode } from '@lsconv/core';

/** Something text can be written to: `process.stdout`, or a test double. */
export interface OutputStream {
  write(chunk: string): unknown;
  /** True for a terminal: the progress line is drawn only then. */
  isTTY?: boolean;
  /** Terminal width, used to wrap help text. */
  columns?: number;
}

/** Everything the command line touches, so `main()` runs in-process in tests. */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  /** Read by `-i -`. */
  stdin: Readable;
  /** Relative paths are relative to this folder; plugins are discovered from it. */
  cwd: string;
  /** Read for `LOCAL_FILES_DOCUMENT_ROOT`, `LS_UPLOAD_DIR`, `LABEL_STUDIO_URL`, `LABEL_STUDIO_API_KEY`, `LSCONV_DEBUG`. */
  env: Readonly<Record<string, string | undefined>>;
  /** Aborted on SIGINT or SIGTERM; its `reason` is the signal name. */
  signal?: AbortSignal;
  /**
   * The folder of the package whose bin started the CLI (its package.json says which
   * packages are plugins): `@lsconv/cli`'s own when not given.
   */
  host?: string;
}

/** Exit codes, as documented in the README. */
export const EXIT = {
  /** Done. */
  OK: 0,
  /** The conversion failed: bad input, config, output, plugin or an internal error. */
  FAILED: 1,
  /** The command line is wrong: unknown command or flag, bad flag value, unknown format. */
  USAGE: 2,
  /** Nothing was written although the input had regions (every one was skipped); `--allow-empty` exits 0. */
  EMPTY: 3,
  /** The export lost what `--fail-on` (or `--strict`) names; nothing was written. */
  LOSS: 4,
  /** Interrupted by SIGINT (Ctrl-C); nothing was written. */
  INTERRUPTED: 130,
  /** Stopped by SIGTERM; nothing was written. */
  TERMINATED: 143,
} as const;

const USAGE_CODES: ReadonlySet<ErrorCode> = new Set(['INVALID_OPTION', 'UNKNOWN_FORMAT']);

/** The exit code for an error code. */
export function exitCodeFor(code: ErrorCode): number {
  if (code === 'EMPTY_OUTPUT') return EXIT.EMPTY;
  if (code === 'LOSS') return EXIT.LOSS;
  return USAGE_CODES.has(code) ? EXIT.USAGE : EXIT.FAILED;
}

/** The exit code for the signal that aborted a run. */
export function exitCodeForSignal(reason: unknown): number {
  return reason === 'SIGTERM' ? EXIT.TERMINATED : EXIT.INTERRUPTED;
}

/**
 * A path from the command line, usable by the file system and readable in messages:
 * kept as typed when it is absolute or `io.cwd` is the process's folder, else made
 * absolute against `io.cwd`.
 */
export function userPath(io: CliIo, path: string): string {
  return io.cwd === process.cwd() ? path : resolve(io.cwd, path);
}

/** Writes lines to a stream. */
export function writeLines(stream: OutputStream, lines: readonly string[]): void {
  if (lines.length) stream.write(`${lines.join('\n')}\n`);
}
