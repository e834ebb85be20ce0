import type { ErrorCode } from '@lsconv/core';
import { helpWidth, renderColumns, wrap } from './help.js';
import { type CliIo, EXIT, exitCodeFor, writeLines } from './io.js';
import { cliVersion } from './package-info.js';
import { closest } from './suggest.js';

export type { CliIo, OutputStream } from './io.js';
export { EXIT } from './io.js';

const COMMANDS: readonly (readonly [string, string])[] = [
  ['export', 'Convert a Label Studio export to a training format (lsconv formats lists them)'],
  ['formats', 'List the formats and importers that are installed, and plugins that could not be loaded'],
  ['import', 'Turn a dataset into Label Studio tasks and a labeling config (the importers formats bring)'],
];

/**
 * Runs the `lsconv` command line with these arguments (without `node` and the
 * script) and returns the exit code. Everything it reads and writes goes through
 * `io`, so tests call it in-process. It never throws: errors become one line on
 * `io.stderr` (with the stack only when `LSCONV_DEBUG=1`).
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    return reportError(error, io);
  }
}

async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
      writeLines(io.stderr, topHelp(helpWidth(io.stderr.columns)));
      return EXIT.USAGE;
    case '--version':
    case '-V':
    case 'version':
      io.stdout.write(`${cliVersion()}\n`);
      return EXIT.OK;
    case '--help':
    case '-h':
    case 'help':
      if (command === 'help' && rest[0] && !rest[0].startsWith('-')) return dispatch([rest[0], '--help'], io);
      writeLines(io.stdout, topHelp(helpWidth(io.stdout.columns)));
      return EXIT.OK;
    // Commands load lazily, so --version and --help do not pay for core and the plugins.
    case 'export':
      return (await import('./commands/export.js')).exportCommand(rest, io);
    case 'formats':
      return (await import('./commands/formats.js')).formatsCommand(rest, io);
    case 'import':
      return (await import('./commands/import.js')).importCommand(rest, io);
    default: {
      const near = closest(
        command,
        COMMANDS.map(([name]) => name),
      );
      const { LsconvError } = await import('@lsconv/core');
      throw new LsconvError('INVALID_OPTION', `unknown command ${JSON.stringify(command)}`, {
        hint: `${near ? `did you mean ${near}? ` : ''}commands: ${COMMANDS.map(([name]) => name).join(', ')}; see lsconv --help`,
      });
    }
  }
}

function topHelp(width: number): string[] {
  return [
    `lsconv ${cliVersion()}: convert Label Studio exports to training formats, and back`,
    '',
    'Usage:',
    '  lsconv export -i INPUT [-c CONFIG] -o OUTPUT -f FORMAT [flags]',
    '  lsconv formats [--json]',
    '  lsconv import <kind> -i INPUT [-o tasks.json] [flags]',
    '',
    'Commands:',
    ...renderColumns(COMMANDS, width),
    '',
    ...wrap(
      'Run lsconv <command> --help for its flags; lsconv export -f FORMAT --help for the options of one format.',
      width,
    ),
    '',
    'Flags:',
    ...renderColumns(
      [
        ['-h, --help', 'Show help'],
        ['-V, --version', 'Print the version'],
      ],
      width,
    ),
    '',
    'Exit codes: 0 done, 1 conversion failed, 2 wrong command line, 3 nothing written (every region skipped), 4 a --fail-on loss, 130/143 interrupted.',
    'Set LSCONV_DEBUG=1 to print stack traces with errors.',
  ];
}

function reportError(error: unknown, io: CliIo): number {
  const debug = Boolean(io.env.LSCONV_DEBUG) && io.env.LSCONV_DEBUG !== '0';
  if (isLsconvError(error)) {
    io.stderr.write(`lsconv: ${oneLine(error.message)}\n`);
    if (debug) io.stderr.write(stackOf(error));
    return exitCodeFor(error.code);
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(
    `lsconv: internal error: ${oneLine(message)} — this is a bug in lsconv; run again with LSCONV_DEBUG=1 and report what it prints\n`,
  );
  if (debug) io.stderr.write(stackOf(error));
  return EXIT.FAILED;
}

/** Like core's `isLsconvError`, without loading core before a command needs it. */
function isLsconvError(error: unknown): error is Error & { code: ErrorCode } {
  return (
    error instanceof Error &&
    error.name === 'LsconvError' &&
    typeof (error as { code?: unknown }).code === 'string'
  );
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

function stackOf(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    parts.push(current instanceof Error ? (current.stack ?? current.message) : String(current));
    current = current instanceof Error ? current.cause : undefined;
    if (current !== undefined) parts.push('caused by:');
  }
  return `${parts.join('\n')}\n`;
}
