import { statSync } from 'node:fs';
import {
  type CompatMode,
  type ConversionReport,
  directorySink,
  type FormatDefinition,
  isLsconvError,
  LsconvError,
  type OptionSpecs,
  type OutsideFolder,
  officialPackageOf,
  openTaskSource,
  type Registry,
  runExport,
  type Sink,
  withOutsideFolder,
  zipFileSink,
} from '@lsconv/core';
import { type ParsedArgs, parseArgs, peekFlag, wantsHelp } from '../args.js';
import { describeProblems, loadRegistry } from '../discovery.js';
import { helpWidth } from '../help.js';
import { type CliIo, EXIT, exitCodeForSignal, userPath, writeLines } from '../io.js';
import { createProgress } from '../progress.js';
import { closest } from '../suggest.js';
import { datasetOptions } from './dataset-flags.js';
import { firstTimeFor, pythonDifferences } from './differences.js';
import { DEFAULT_FORMAT, exportFlagTable, exportHelp } from './export-flags.js';
import {
  checkOutputTarget,
  exportConfig,
  formatOptions,
  imageDirInOutput,
  resourceOptions,
  threadCount,
} from './export-inputs.js';
import { checkLosses, lossesToFail } from './gate.js';
import { stringValue, usageError, writeReport } from './shared.js';

export {
  DEFAULT_FORMAT,
  EXPORT_FLAGS,
  exportFlagTable,
  exportHelp,
  PYTHON_FLAGS,
  type PythonAlias,
  pythonOptionFlags,
  RESOURCE_FLAGS,
} from './export-flags.js';
export { readLabelConfig } from './export-inputs.js';

/** Error codes of the loss gate: the summary is printed before the error. */
const GATE_CODES: ReadonlySet<string> = new Set(['EMPTY_OUTPUT', 'LOSS']);

/** How long an interrupted export may take to clean up before the CLI gives up on it. */
const ABORT_GRACE_MS = 5000;

/** `lsconv export`: converts an export to one format. Returns the exit code. */
export async function exportCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const plugins = peekFlag(argv, 'plugin');
  const requested = peekFlag(argv, 'format', 'f').at(-1);
  const help = wantsHelp(argv);
  const registry = await loadRegistry(io, plugins, help ? undefined : (requested ?? DEFAULT_FORMAT));
  if (help) {
    const only = requested === undefined ? undefined : findFormat(registry, requested);
    writeLines(io.stdout, exportHelp(registry, only, helpWidth(io.stdout.columns)));
    return EXIT.OK;
  }
  const format = findFormat(registry, requested ?? DEFAULT_FORMAT);
  const { flags, formatFlags, aliases } = exportFlagTable(format, registry);
  const command = `lsconv export -f ${format.id}`;
  const { values, positionals } = parseArgs(argv, flags, { command, helpCommand: `${command} --help` });
  if (positionals.length) {
    throw usageError(
      `unexpected argument ${JSON.stringify(positionals[0])}`,
      'give files with -i INPUT, -c CONFIG and -o OUTPUT',
    );
  }
  const input = stringValue(values.input);
  const output = stringValue(values.output);
  if (!input) {
    throw usageError(
      'missing -i INPUT',
      'give the Label Studio export with -i tasks.json (or -i - for standard input)',
    );
  }
  if (!output) throw usageError('missing -o OUTPUT', 'give the output folder with -o OUTPUT');
  const options = formatOptions(formatFlags, aliases, values);
  const losses = lossesToFail(values);
  const outsideImages = imageDirInOutput(format, options, io, output);
  const resources = resourceOptions(io, values, input);
  const force = values.force === true;
  const config = await exportConfig(io, stringValue(values.config), format, force);
  const zip = values.zip === true || /\.zip$/i.test(output);
  const target = zip && !/\.zip$/i.test(output) ? `${output}.zip` : output;
  checkOutputTarget(io, target, zip, values.merge === true);
  const stdin = input === '-';
  const controller = new AbortController();
  const outer = io.signal;
  if (outer?.aborted) return exitCodeForSignal(outer.reason);
  const onAbort = () => cancel(io, controller, stdin);
  outer?.addEventListener('abort', onAbort, { once: true });
  const quiet = values.quiet === true;
  if (stdin && (io.stdin as { isTTY?: boolean }).isTTY && !quiet) {
    io.stderr.write('lsconv: reading tasks from standard input (end with Ctrl-D)\n');
  }
  const progress = createProgress(io.stderr, format.id, {
    enabled: !quiet,
    totalBytes: stdin ? undefined : inputSize(userPath(io, input)),
  });
  const source = openTaskSource(stdin ? (io.stdin === process.stdin ? '-' : io.stdin) : userPath(io, input), {
    // Only a format that writes tasks back byte for byte needs a raw copy of each.
    keepRaw: format.writesRawTasks,
    signal: controller.signal,
    onBytes: (bytes) => progress.addBytes(bytes),
  });
  const sink = outputSink(userPath(io, target), {
    zip,
    merge: values.merge === true,
    formatId: format.id,
    signal: controller.signal,
    outsideImages,
  });
  // The report of a run the gate stopped, for the summary.
  let gated: ConversionReport | undefined;
  const run = runExport({
    format,
    tasks: source,
    config,
    sink,
    options,
    ...(await datasetOptions(io, values)),
    compat: (values.compat ?? 'default') as CompatMode,
    force,
    signal: controller.signal,
    input: source.description,
    resources,
    threads: threadCount(values.threads),
    formatModule: registry.formats.get(format.id)?.origin.entry,
    onTask: (n) => progress.update(n),
    beforeCommit: (report) => {
      gated = report;
      checkLosses(report, losses);
    },
  }).then(
    (report) => ({ report }),
    (error: unknown) => ({ error }),
  );
  let outcome: Awaited<typeof run> | 'gave-up';
  try {
    outcome = await withAbortGrace(run, controller.signal);
  } finally {
    outer?.removeEventListener('abort', onAbort);
    progress.done();
  }
  if (outcome === 'gave-up') await sink.abort().catch(() => undefined);
  if (outcome === 'gave-up' || ('error' in outcome && controller.signal.aborted)) {
    io.stderr.write(`lsconv: interrupted; ${target} was left as it was\n`);
    return exitCodeForSignal(controller.signal.reason);
  }
  if (controller.signal.aborted) {
    // The signal came while the finished output was being moved into place: it is complete.
    io.stderr.write(`lsconv: interrupted after the export was complete; ${target} holds the new output\n`);
    return exitCodeForSignal(controller.signal.reason);
  }
  if ('error' in outcome) {
    // A run the gate stopped: say what was lost, then why it failed (main prints the error).
    if (gated && isLsconvError(outcome.error) && GATE_CODES.has(outcome.error.code))
      await tell(io, values, gated, format.id, `${target} (left as it was)`);
    throw outcome.error;
  }
  await tell(io, values, outcome.report, format.id, target);
  return EXIT.OK;
}

/** Cancels the run on the outer signal; a read blocked on standard input is woken up. */
function cancel(io: CliIo, controller: AbortController, stdin: boolean): void {
  controller.abort(io.signal?.reason);
  if (stdin) {
    // A read blocked on standard input only wakes up when the stream fails; the
    // listener keeps that failure from crashing the process when no read is pending.
    io.stdin.on('error', () => undefined);
    io.stdin.destroy(new Error('interrupted'));
  }
}

/** Writes the report (`--report`) and the summary, with how the run differs from the Python converter. */
async function tell(
  io: CliIo,
  values: ParsedArgs['values'],
  report: ConversionReport,
  formatId: string,
  output: string,
): Promise<void> {
  const reportFile = stringValue(values.report);
  if (reportFile !== undefined) await writeReport(io, reportFile, report);
  if (values.quiet === true) return;
  const differences = pythonDifferences(report, (values.compat ?? 'default') as CompatMode);
  writeLines(io.stderr, [
    ...report.summaryLines(),
    `  output: ${output}`,
    ...(differences.length && firstTimeFor(io, formatId) ? differences : []),
  ]);
}

/**
 * The run's outcome, or `'gave-up'` when the signal aborts and the run has not settled
 * within {@link ABORT_GRACE_MS} after that.
 */
async function withAbortGrace<T>(run: Promise<T>, signal: AbortSignal): Promise<T | 'gave-up'> {
  let graceTimer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<'gave-up'>((resolveGaveUp) => {
    signal.addEventListener(
      'abort',
      () => {
        graceTimer = setTimeout(() => resolveGaveUp('gave-up'), ABORT_GRACE_MS);
        graceTimer.unref();
      },
      { once: true },
    );
  });
  try {
    return await Promise.race([run, gaveUp]);
  } finally {
    clearTimeout(graceTimer);
  }
}

/**
 * The format of that id (case-insensitive), or an `UNKNOWN_FORMAT` error that
 * suggests the nearest id and names plugins that failed to load.
 */
export function findFormat(registry: Registry, id: string): FormatDefinition<OptionSpecs> {
  try {
    return registry.format(id);
  } catch (error) {
    // An official id that is not installed: core's hint names the package to install.
    if (officialPackageOf(id)) throw error;
    const ids = [...registry.formats.keys()];
    const near = closest(id, ids);
    const parts = [`installed formats: ${ids.join(', ')}`];
    if (registry.problems.length)
      parts.push(`plugins that could not be loaded: ${describeProblems(registry.problems)}`);
    if (!near) {
      parts.push(
        'formats come from packages installed beside lsconv, in the current project or its workspace, or given with --plugin',
      );
    }
    throw new LsconvError('UNKNOWN_FORMAT', `unknown format "${id}"`, {
      hint: (near ? `did you mean ${near}? ` : '') + parts.join('; '),
    });
  }
}

/** The size of an input file, for percent and time left; undefined for a folder. */
function inputSize(path: string): number | undefined {
  const stat = statSync(path, { throwIfNoEntry: false });
  return stat?.isFile() ? stat.size : undefined;
}

/** What lsconv writes into an output folder it made, so a later export may replace it. */
function outputMarker(formatId: string): string {
  return `${JSON.stringify({ writtenBy: 'lsconv', format: formatId })}\n`;
}

/**
 * Where an export writes: a zip file or a folder (replaced whole when lsconv wrote it,
 * merged into with `--merge`), and an `--image-dir` outside it when one was given.
 */
function outputSink(
  path: string,
  how: { zip: boolean; merge: boolean; formatId: string; signal: AbortSignal; outsideImages?: OutsideFolder },
): Sink {
  const output: Sink = how.zip
    ? zipFileSink(path)
    : directorySink(path, {
        existing: how.merge ? 'merge' : 'own',
        marker: outputMarker(how.formatId),
        signal: how.signal,
      });
  return how.outsideImages ? withOutsideFolder(output, how.outsideImages) : output;
}
