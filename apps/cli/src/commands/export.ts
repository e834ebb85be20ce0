import { promises as fs, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  type CompatMode,
  type ConversionReport,
  DEFAULT_FORMAT_ID,
  defaultThreads,
  directorySink,
  emptyLabelConfig,
  type FormatDefinition,
  isLsconvError,
  type LabelConfig,
  LsconvError,
  type OptionSpecs,
  officialPackageOf,
  openTaskSource,
  parseLabelConfig,
  type Registry,
  type ResourceOptions,
  runExport,
  type Sink,
  zipFileSink,
} from '@lsconv/core';
import {
  type FlagSpec,
  type OptionFlag,
  type ParsedArgs,
  parseArgs,
  peekFlag,
  splitOptionFlags,
  wantsHelp,
} from '../args.js';
import { describeProblems, loadRegistry } from '../discovery.js';
import { columnStartOf, helpWidth, renderFlags, wrap } from '../help.js';
import { type CliIo, EXIT, exitCodeForSignal, userPath, writeLines } from '../io.js';
import { createProgress } from '../progress.js';
import { closest } from '../suggest.js';
import { definitionHelp, problemsHelp, RUN_FLAGS, stringValue, usageError, writeReport } from './shared.js';

/** The format used when `-f` is not given, as in the Python converter. */
export const DEFAULT_FORMAT = DEFAULT_FORMAT_ID;

/** The flags of every export. */
export const EXPORT_FLAGS: readonly FlagSpec[] = [
  {
    name: 'input',
    short: 'i',
    type: 'string',
    placeholder: 'INPUT',
    description:
      'The Label Studio export: a JSON file (a list of tasks or one task), a JSON Lines file, a folder of per-task JSON files, or - for standard input',
  },
  {
    name: 'config',
    short: 'c',
    type: 'string',
    placeholder: 'CONFIG',
    description:
      "The project's labeling config (XML). Optional, but formats that need it refuse to run without it",
  },
  {
    name: 'output',
    short: 'o',
    type: 'string',
    placeholder: 'OUTPUT',
    description:
      'Output folder (or zip file with --zip). Nothing appears under this name until the export has succeeded',
  },
  {
    name: 'format',
    short: 'f',
    type: 'string',
    placeholder: 'FORMAT',
    default: DEFAULT_FORMAT,
    description: 'Output format id, any case (lsconv formats lists them)',
  },
  {
    name: 'zip',
    type: 'boolean',
    description: 'Write one zip archive, OUTPUT.zip (or OUTPUT when it ends with .zip), instead of a folder',
  },
  {
    name: 'force',
    type: 'boolean',
    description: 'Export even when the format says it cannot export the labeling config',
  },
  {
    name: 'threads',
    type: 'number',
    placeholder: 'N',
    description:
      'Threads that parse and convert tasks (default: the number of cores); 1 runs in one thread. Output is identical either way',
  },
  ...RUN_FLAGS,
];

/** Flags that say where media (images, audio) referenced by tasks are found. */
export const RESOURCE_FLAGS: readonly FlagSpec[] = [
  {
    name: 'local-files-root',
    type: 'string',
    placeholder: 'DIR',
    env: 'LOCAL_FILES_DOCUMENT_ROOT',
    description: 'Root folder of /data/local-files/?d=... URLs',
  },
  {
    name: 'upload-dir',
    type: 'string',
    placeholder: 'DIR',
    env: 'LS_UPLOAD_DIR',
    description: "Label Studio's upload folder, holding <project>/<file> for /data/upload/... URLs",
  },
  {
    name: 'project-dir',
    type: 'string',
    placeholder: 'DIR',
    description: 'A Label Studio project folder; its upload/ is used when --upload-dir is not given',
  },
  {
    name: 'ls-url',
    type: 'string',
    placeholder: 'URL',
    env: 'LABEL_STUDIO_URL',
    description: 'Label Studio server, for relative media URLs and cloud storage links',
  },
  {
    name: 'ls-token',
    type: 'string',
    placeholder: 'TOKEN',
    env: 'LABEL_STUDIO_API_KEY',
    description: 'API token, sent only to the --ls-url host',
  },
  {
    name: 'cache-dir',
    type: 'string',
    placeholder: 'DIR',
    description: 'Keep downloaded media here; a second run reuses them',
  },
  {
    name: 'download-resources',
    type: 'boolean',
    description: 'Copy or download the media into the output, for formats that include images or audio',
  },
  { name: 'concurrency', type: 'number', placeholder: 'N', description: 'Parallel downloads' },
  {
    name: 'strict',
    type: 'boolean',
    description: 'Fail on the first media that cannot be read, instead of reporting it',
  },
];

/**
 * The flags of the Python converter's command line, accepted so scripts switch by
 * changing the command name. A format that has an option for one says so on the option
 * (`pythonFlag`): the flag then sets it; formats without one ignore it, as the Python
 * command line does.
 */
export const PYTHON_FLAGS: readonly FlagSpec[] = [
  {
    name: 'csv-separator',
    type: 'string',
    placeholder: 'SEP',
    description: "Sets the format's option that declares this Python flag; ignored by formats without one",
  },
  {
    name: 'csv-no-header',
    type: 'boolean',
    description: "Sets the format's option that declares this Python flag; ignored by formats without one",
  },
  {
    name: 'image-dir',
    type: 'string',
    placeholder: 'DIR',
    description: "Sets the format's option that declares this Python flag; ignored by formats without one",
  },
  {
    name: 'heartex-format',
    type: 'boolean',
    description: 'Accepted and ignored: the input kind is detected from its content',
  },
  {
    name: 'brush-to-coco',
    type: 'boolean',
    description: 'Accepted and ignored, as the Python converter does; choose the format with -f',
  },
];

/**
 * {@link PYTHON_FLAGS} and the other Python flags the installed formats declare on their
 * options (`pythonFlag`), each once, naming the formats that use each.
 */
export function pythonOptionFlags(registry: Registry): FlagSpec[] {
  const users = new Map<string, string[]>();
  const flags = new Map<string, FlagSpec>(PYTHON_FLAGS.map((f) => [f.name, f]));
  for (const { format } of registry.formats.values()) {
    for (const spec of Object.values(format.options as OptionSpecs)) {
      if (!spec.pythonFlag) continue;
      users.set(spec.pythonFlag, [...(users.get(spec.pythonFlag) ?? []), format.id]);
      if (flags.has(spec.pythonFlag)) continue;
      const type = spec.type === 'boolean' || spec.type === 'number' ? spec.type : 'string';
      const flag: FlagSpec = { name: spec.pythonFlag, type, description: '' };
      if (type !== 'boolean') flag.placeholder = type === 'number' ? 'N' : 'VALUE';
      flags.set(spec.pythonFlag, flag);
    }
  }
  return [...flags.values()].map((flag) => {
    const formats = users.get(flag.name);
    return formats
      ? { ...flag, description: `Python converter flag of ${formats.join(', ')}; ignored by other formats` }
      : flag;
  });
}

/** A Python flag that sets an option of the chosen format under another name than its own flag. */
interface PythonAlias {
  flag: string;
  option: string;
  negates: boolean;
}

/** The `--threads` value: a positive whole number, the core count when not given. */
function threadCount(value: unknown): number {
  if (value === undefined) return defaultThreads();
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 256) {
    throw usageError(
      `--threads must be a whole number from 1 to 256, got ${String(value)}`,
      'for example --threads 4',
    );
  }
  return value;
}

/** Largest labeling config read (the config parser refuses larger ones anyway). */
const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

/** How long an interrupted export may take to clean up before the CLI gives up on it. */
const ABORT_GRACE_MS = 5000;

/** The flags of an export to one format: the common ones, the format's own, and the Python ones it does not shadow. */
export function exportFlagTable(
  format: FormatDefinition<OptionSpecs>,
  registry: Registry,
): {
  flags: FlagSpec[];
  formatFlags: OptionFlag[];
  hidden: OptionFlag[];
  aliases: PythonAlias[];
} {
  const {
    shown: formatFlags,
    hidden,
    reserved,
  } = splitOptionFlags(format.options, [...EXPORT_FLAGS, ...RESOURCE_FLAGS]);
  const own = new Set(formatFlags.map((f) => f.flag.name));
  const aliases = Object.entries(format.options as OptionSpecs).flatMap(([option, spec]) =>
    spec.pythonFlag && !own.has(spec.pythonFlag) && !reserved.has(spec.pythonFlag)
      ? [{ flag: spec.pythonFlag, option, negates: spec.pythonFlagNegates === true }]
      : [],
  );
  const python = pythonOptionFlags(registry).filter((f) => !own.has(f.name));
  return {
    flags: [...EXPORT_FLAGS, ...RESOURCE_FLAGS, ...formatFlags.map((f) => f.flag), ...python],
    formatFlags,
    hidden,
    aliases,
  };
}

/** `lsconv export`: converts an export to one format. Returns the exit code. */
export async function exportCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const plugins = peekFlag(argv, 'plugin');
  const requested = peekFlag(argv, 'format', 'f').at(-1);
  const registry = await loadRegistry(io, plugins);
  if (wantsHelp(argv)) {
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
  const resources = resourceOptions(io, values, input);
  const force = values.force === true;
  const configFile = stringValue(values.config);
  const config = configFile === undefined ? undefined : await readLabelConfig(io, configFile);
  if (!config && !force) {
    const support = format.supports(emptyLabelConfig());
    if (!support.ok) {
      throw new LsconvError(
        'UNSUPPORTED_CONFIG',
        `format ${format.id} needs a labeling config: ${support.reason}`,
        {
          hint: "give the project's labeling config with -c config.xml",
        },
      );
    }
  }
  const zip = values.zip === true;
  const target = zip && !/\.zip$/i.test(output) ? `${output}.zip` : output;
  checkOutputTarget(io, target, zip);
  const stdin = input === '-';
  const controller = new AbortController();
  const outer = io.signal;
  if (outer?.aborted) return exitCodeForSignal(outer.reason);
  const onAbort = () => {
    controller.abort(outer?.reason);
    if (stdin) {
      // A read blocked on standard input only wakes up when the stream fails; the
      // listener keeps that failure from crashing the process when no read is pending.
      io.stdin.on('error', () => undefined);
      io.stdin.destroy(new Error('interrupted'));
    }
  };
  outer?.addEventListener('abort', onAbort, { once: true });
  const quiet = values.quiet === true;
  if (stdin && (io.stdin as { isTTY?: boolean }).isTTY && !quiet) {
    io.stderr.write('lsconv: reading tasks from standard input (end with Ctrl-D)\n');
  }
  const source = openTaskSource(stdin ? (io.stdin === process.stdin ? '-' : io.stdin) : userPath(io, input), {
    // Only a format that writes tasks back byte for byte needs a raw copy of each.
    keepRaw: format.writesRawTasks,
    signal: controller.signal,
  });
  const sink: Sink = zip ? zipFileSink(userPath(io, target)) : directorySink(userPath(io, target));
  const progress = createProgress(io.stderr, format.id, !quiet);
  const run = runExport({
    format,
    tasks: source,
    config,
    sink,
    options,
    compat: (values.compat ?? 'default') as CompatMode,
    force,
    signal: controller.signal,
    input: source.description,
    resources,
    threads: threadCount(values.threads),
    formatModule: registry.formats.get(format.id)?.origin.entry,
    onTask: (n) => progress.update(n),
  }).then(
    (report) => ({ report }),
    (error: unknown) => ({ error }),
  );
  let graceTimer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<'gave-up'>((resolveGaveUp) => {
    controller.signal.addEventListener(
      'abort',
      () => {
        graceTimer = setTimeout(() => resolveGaveUp('gave-up'), ABORT_GRACE_MS);
        graceTimer.unref();
      },
      { once: true },
    );
  });
  let outcome: Awaited<typeof run> | 'gave-up';
  try {
    outcome = await Promise.race([run, gaveUp]);
  } finally {
    clearTimeout(graceTimer);
    outer?.removeEventListener('abort', onAbort);
    progress.done();
  }
  if (outcome === 'gave-up') await sink.abort().catch(() => undefined);
  if (outcome === 'gave-up' || ('error' in outcome && controller.signal.aborted)) {
    io.stderr.write('lsconv: interrupted; no output was written\n');
    return exitCodeForSignal(controller.signal.reason);
  }
  if ('error' in outcome) throw outcome.error;
  const report = outcome.report;
  const reportFile = stringValue(values.report);
  if (reportFile !== undefined) await writeReport(io, reportFile, report);
  if (!quiet) writeLines(io.stderr, summary(report, target));
  return EXIT.OK;
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

/** Reads and parses the labeling config; an unreadable file is a `CONFIG_READ` error naming it. */
export async function readLabelConfig(io: CliIo, file: string): Promise<LabelConfig> {
  const path = userPath(io, file);
  let xml: string;
  try {
    const stat = await fs.stat(path);
    if (stat.isDirectory()) {
      throw new LsconvError('CONFIG_READ', 'the labeling config is a folder, not a file', {
        file,
        hint: 'give the XML file with -c config.xml',
      });
    }
    if (stat.size > MAX_CONFIG_BYTES) {
      throw new LsconvError('CONFIG_READ', `the labeling config is larger than ${MAX_CONFIG_BYTES} bytes`, {
        file,
        hint: 'a labeling config is a small XML file; check the path given with -c',
      });
    }
    xml = await fs.readFile(path, 'utf8');
  } catch (error) {
    if (isLsconvError(error)) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new LsconvError(
      'CONFIG_READ',
      `cannot read the labeling config: ${code === 'ENOENT' ? 'no such file' : (code ?? error)}`,
      {
        file,
        hint: 'check the path given with -c',
      },
    );
  }
  // Editors on Windows save XML with a byte order mark; the XML parser would see text before the root.
  if (xml.charCodeAt(0) === 0xfeff) xml = xml.slice(1);
  return parseLabelConfig(xml, { file });
}

function formatOptions(
  formatFlags: readonly OptionFlag[],
  aliases: readonly PythonAlias[],
  values: ParsedArgs['values'],
): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const { option, flag } of formatFlags) {
    if (values[flag.name] !== undefined) options[option] = values[flag.name];
  }
  // The format's own flag wins over the Python name of the same option.
  for (const { flag, option, negates } of aliases) {
    const value = values[flag];
    if (value !== undefined && options[option] === undefined) options[option] = negates ? !value : value;
  }
  return options;
}

function resourceOptions(io: CliIo, values: ParsedArgs['values'], input: string): ResourceOptions {
  const env = (name: string) => (io.env[name] ? io.env[name] : undefined);
  const path = (value: unknown) =>
    typeof value === 'string' && value !== '' ? resolve(io.cwd, value) : undefined;
  const concurrency = values.concurrency;
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || (concurrency as number) < 1)) {
    throw usageError(
      `--concurrency must be a whole number of at least 1, got ${String(concurrency)}`,
      'for example --concurrency 8',
    );
  }
  const options: ResourceOptions = {
    localFilesRoot: path(values['local-files-root'] ?? env('LOCAL_FILES_DOCUMENT_ROOT')),
    uploadDir: path(values['upload-dir'] ?? env('LS_UPLOAD_DIR')),
    projectDir: path(values['project-dir']),
    baseDir: baseDirOf(io, input),
    lsUrl: stringValue(values['ls-url']) ?? env('LABEL_STUDIO_URL'),
    lsToken: stringValue(values['ls-token']) ?? env('LABEL_STUDIO_API_KEY'),
    cacheDir: path(values['cache-dir']),
    download: values['download-resources'] === true ? true : undefined,
    concurrency: concurrency as number | undefined,
    strict: values.strict === true ? true : undefined,
  };
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as ResourceOptions;
}

/** Relative media paths in tasks are relative to the input's folder (the folder itself for a folder of task files). */
function baseDirOf(io: CliIo, input: string): string {
  if (input === '-') return io.cwd;
  const path = resolve(io.cwd, input);
  try {
    return statSync(path).isDirectory() ? path : dirname(path);
  } catch {
    return dirname(path);
  }
}

/** Refuses early an output path that cannot be written, before reading any task. */
function checkOutputTarget(io: CliIo, target: string, zip: boolean): void {
  let stat: ReturnType<typeof statSync> | undefined;
  try {
    stat = statSync(userPath(io, target));
  } catch {
    return;
  }
  if (zip && stat.isDirectory()) {
    throw new LsconvError('OUTPUT_EXISTS', `the output ${target} is a folder, not a zip file`, {
      hint: 'choose another -o path, or drop --zip to write a folder',
    });
  }
  if (!zip && !stat.isDirectory()) {
    throw new LsconvError('OUTPUT_EXISTS', `the output ${target} exists and is not a folder`, {
      hint: 'choose another -o path, or add --zip to write a zip file',
    });
  }
}

function summary(report: ConversionReport, target: string): string[] {
  return [...report.summaryLines(), `  output: ${target}`];
}

/** Help for `lsconv export`, listing every format and its options, or one format's. */
export function exportHelp(
  registry: Registry,
  only: FormatDefinition<OptionSpecs> | undefined,
  width: number,
): string[] {
  const formats = only ? [only] : [...registry.formats.values()].map((f) => f.format);
  const tables = new Map(formats.map((format) => [format, exportFlagTable(format, registry)]));
  const python = pythonOptionFlags(registry);
  const column = Math.max(
    columnStartOf([...EXPORT_FLAGS, ...RESOURCE_FLAGS, ...python]),
    ...[...tables.values()].map((t) =>
      columnStartOf(
        t.formatFlags.map((f) => f.flag),
        4,
      ),
    ),
  );
  const lines = [
    'Usage: lsconv export -i INPUT [-c CONFIG] -o OUTPUT [-f FORMAT] [format flags] [flags]',
    '',
    ...wrap(
      'Converts a Label Studio export to FORMAT. Tasks are streamed: memory holds one task at a time unless the format needs more. ' +
        'Nothing is written under OUTPUT unless the export succeeds.',
      width,
    ),
    '',
    'Flags:',
    ...renderFlags(EXPORT_FLAGS, width, 2, column),
    '',
    'Media (images, audio) the tasks point at:',
    ...renderFlags(RESOURCE_FLAGS, width, 2, column),
    '',
    'Python converter flags (accepted, so scripts switch by changing the command name):',
    ...renderFlags(python, width, 2, column),
    '',
    only ? `Format ${only.id}:` : 'Formats (-f) and their flags:',
  ];
  for (const format of formats) {
    const origin = [...registry.formats.values()].find((f) => f.format === format)?.origin;
    const { formatFlags, hidden } = tables.get(format)!;
    lines.push(...definitionHelp(format, origin, formatFlags, hidden, width, column));
  }
  if (!only)
    lines.push(
      ...problemsHelp(registry, 'Plugins that could not be loaded (lsconv formats says more):', width),
    );
  lines.push('', 'Exit codes: 0 done, 1 conversion failed, 2 wrong command line, 130/143 interrupted.');
  return lines;
}
