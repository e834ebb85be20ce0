import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  type CompatMode,
  ConversionReport,
  type ImporterDefinition,
  isLsconvError,
  LsconvError,
  type OptionSpecs,
  type Registry,
  resolveOptions,
  type Task,
} from '@lsconv/core';
import { type FlagSpec, type OptionFlag, parseArgs, peekFlag, splitOptionFlags, wantsHelp } from '../args.js';
import { describeProblems, loadRegistry } from '../discovery.js';
import { helpWidth, renderFlags, wrap } from '../help.js';
import { type CliIo, EXIT, exitCodeForSignal, userPath, writeLines } from '../io.js';
import { createProgress } from '../progress.js';
import { closest } from '../suggest.js';
import { definitionHelp, problemsHelp, RUN_FLAGS, stringValue, usageError, writeReport } from './shared.js';

/** The tasks file written when `-o` is not given, as in the Python converter. */
export const DEFAULT_IMPORT_OUTPUT = 'output.json';

/** The flags of every import. */
export const IMPORT_FLAGS: readonly FlagSpec[] = [
  {
    name: 'input',
    short: 'i',
    type: 'string',
    placeholder: 'INPUT',
    description: 'The dataset to import (a folder or a file, as the importer says)',
  },
  {
    name: 'output',
    short: 'o',
    type: 'string',
    placeholder: 'FILE',
    default: DEFAULT_IMPORT_OUTPUT,
    description:
      'Label Studio tasks (JSON) to write; the labeling config goes beside it as <name>.label_config.xml',
  },
  ...RUN_FLAGS,
];

/** The flags of one importer: the common ones and its declared options. */
export function importFlagTable(importer: ImporterDefinition<OptionSpecs>): {
  flags: FlagSpec[];
  importerFlags: OptionFlag[];
  hidden: OptionFlag[];
} {
  const { shown: importerFlags, hidden } = splitOptionFlags(importer.options, IMPORT_FLAGS);
  return { flags: [...IMPORT_FLAGS, ...importerFlags.map((f) => f.flag)], importerFlags, hidden };
}

/**
 * The Python converter takes `--image-dims W H` (two values); lsconv's option is one
 * value, so two numbers after the flag are joined as `WxH`.
 */
export function joinImageDims(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [w, h] = [argv[i + 1], argv[i + 2]];
    if (arg === '--image-dims' && w !== undefined && h !== undefined && /^\d+$/.test(w) && /^\d+$/.test(h)) {
      out.push(arg, `${w}x${h}`);
      i += 2;
    } else out.push(arg);
  }
  return out;
}

/** Where the labeling config of an import goes: `tasks.json` → `tasks.label_config.xml`. */
export function labelConfigPath(tasksFile: string): string {
  return join(dirname(tasksFile), `${basename(tasksFile).replace(/\.json$/i, '')}.label_config.xml`);
}

/** `lsconv import <kind>`: turns a dataset into Label Studio tasks and a labeling config. Returns the exit code. */
export async function importCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const [kind, ...rest] = argv;
  const width = helpWidth(io.stdout.columns);
  if (kind === undefined || kind === '--help' || kind === '-h') {
    const registry = await loadRegistry(io, peekFlag(argv, 'plugin'));
    writeLines(kind === undefined ? io.stderr : io.stdout, importHelp(registry, undefined, width));
    return kind === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (kind.startsWith('-')) {
    throw usageError(
      `lsconv import takes the importer first, got ${JSON.stringify(kind)}`,
      'write lsconv import <kind> -i INPUT -o tasks.json (lsconv formats lists the importers)',
    );
  }
  const registry = await loadRegistry(io, peekFlag(rest, 'plugin'));
  const importer = findImporter(registry, kind);
  if (wantsHelp(rest)) {
    writeLines(io.stdout, importHelp(registry, importer, width));
    return EXIT.OK;
  }
  const { flags, importerFlags } = importFlagTable(importer);
  const command = `lsconv import ${importer.id}`;
  const { values, positionals } = parseArgs(joinImageDims(rest), flags, {
    command,
    helpCommand: `${command} --help`,
  });
  if (positionals.length) {
    throw usageError(`unexpected argument ${JSON.stringify(positionals[0])}`, `see ${command} --help`);
  }
  const input = stringValue(values.input);
  if (!input) throw usageError('missing -i INPUT', `give the dataset with -i; see ${command} --help`);
  const output = stringValue(values.output) ?? DEFAULT_IMPORT_OUTPUT;
  const given: Record<string, unknown> = {};
  for (const { option, flag } of importerFlags)
    if (values[flag.name] !== undefined) given[option] = values[flag.name];
  const options = resolveOptions(`importer ${importer.id}`, importer.options, given);
  const report = new ConversionReport(`import ${importer.id}`);
  const quiet = values.quiet === true;
  const controller = new AbortController();
  const outer = io.signal;
  if (outer?.aborted) return exitCodeForSignal(outer.reason);
  const onAbort = () => controller.abort(outer?.reason);
  outer?.addEventListener('abort', onAbort, { once: true });
  const progress = createProgress(io.stderr, `import ${importer.id}`, { enabled: !quiet });
  const tasksFile = userPath(io, output);
  const configFile = labelConfigPath(tasksFile);
  try {
    let result: Awaited<ReturnType<typeof importer.run>>;
    try {
      result = await importer.run({
        input: userPath(io, input),
        options,
        report,
        compat: (values.compat ?? 'default') as CompatMode,
        signal: controller.signal,
      });
    } catch (error) {
      throw asImporterError(importer.id, error);
    }
    if (typeof result?.labelConfig !== 'string' || result.tasks == null) {
      throw new LsconvError('INTERNAL', `importer ${importer.id} returned no tasks or labeling config`, {
        hint: 'this is a bug in the importer; please report it',
      });
    }
    await writeImport(
      importer.id,
      tasksFile,
      configFile,
      result.tasks,
      result.labelConfig,
      report,
      controller.signal,
      (n) => progress.update(n),
    );
  } catch (error) {
    if (controller.signal.aborted) {
      progress.done();
      io.stderr.write('lsconv: interrupted; no output was written\n');
      return exitCodeForSignal(controller.signal.reason);
    }
    throw error;
  } finally {
    outer?.removeEventListener('abort', onAbort);
    progress.done();
    report.finish();
  }
  const reportFile = stringValue(values.report);
  if (reportFile !== undefined) await writeReport(io, reportFile, report);
  if (!quiet) {
    writeLines(io.stderr, [
      `import ${importer.id}: ${report.itemsWritten} tasks written to ${output}, labeling config in ${labelConfigPath(output)}`,
      ...report.summaryLines().slice(1),
    ]);
  }
  return EXIT.OK;
}

/** The importer of that id, or an `UNKNOWN_FORMAT` error that says which importers exist. */
export function findImporter(registry: Registry, id: string): ImporterDefinition<OptionSpecs> {
  try {
    return registry.importer(id);
  } catch {
    const ids = [...registry.importers.keys()];
    const near = closest(id, ids);
    const parts = [
      ids.length
        ? `installed importers: ${ids.join(', ')}`
        : 'no importer is installed (importers come with format packages)',
    ];
    if (registry.problems.length)
      parts.push(`plugins that could not be loaded: ${describeProblems(registry.problems)}`);
    throw new LsconvError('UNKNOWN_FORMAT', `unknown importer "${id}"`, {
      hint: (near ? `did you mean ${near}? ` : '') + parts.join('; '),
    });
  }
}

/**
 * Streams the tasks into a temporary file beside the target, writes the config the
 * same way, and renames both into place only when everything succeeded.
 */
async function writeImport(
  importerId: string,
  tasksFile: string,
  configFile: string,
  tasks: AsyncIterable<Task> | Iterable<Task>,
  labelConfig: string,
  report: ConversionReport,
  signal: AbortSignal,
  onTask: (count: number) => void,
): Promise<void> {
  const suffix = `.lsconv-tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmpTasks = join(dirname(tasksFile), `.${basename(tasksFile)}${suffix}`);
  const tmpConfig = join(dirname(configFile), `.${basename(configFile)}${suffix}`);
  const guard = async <T>(what: () => Promise<T>): Promise<T> => {
    try {
      return await what();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new LsconvError(
        'OUTPUT_WRITE',
        `cannot write ${tasksFile}: ${code ?? (error as Error).message}`,
        {
          hint: code === 'ENOSPC' ? 'the disk is full' : 'check that the output folder is writable',
          cause: error,
        },
      );
    }
  };
  let handle: fs.FileHandle | undefined;
  try {
    await guard(() => fs.mkdir(dirname(tasksFile), { recursive: true }));
    handle = await guard(() => fs.open(tmpTasks, 'w'));
    let pending = '[';
    let bytes = 0;
    const flush = async () => {
      const chunk = Buffer.from(pending);
      pending = '';
      bytes += chunk.byteLength;
      await guard(() => handle!.write(chunk));
    };
    let count = 0;
    const iterator = (Symbol.asyncIterator in tasks ? tasks : toAsync(tasks)) as AsyncIterable<Task>;
    try {
      for await (const task of iterator) {
        if (signal.aborted) throw new LsconvError('ABORTED', 'the import was cancelled');
        pending += `${count === 0 ? '\n' : ',\n'}${JSON.stringify(task)}`;
        count++;
        onTask(count);
        if (pending.length >= 256 * 1024) await flush();
      }
    } catch (error) {
      throw asImporterError(importerId, error);
    }
    pending += count === 0 ? ']\n' : '\n]\n';
    await flush();
    await guard(() => handle!.close());
    handle = undefined;
    await guard(() => fs.writeFile(tmpConfig, labelConfig));
    await guard(() => fs.rename(tmpTasks, tasksFile));
    await guard(() => fs.rename(tmpConfig, configFile));
    report.tasksRead = count;
    report.itemsWritten = count;
    report.filesWritten = 2;
    report.bytesWritten = bytes + Buffer.byteLength(labelConfig);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await fs.rm(tmpTasks, { force: true }).catch(() => undefined);
    await fs.rm(tmpConfig, { force: true }).catch(() => undefined);
    throw error;
  }
}

async function* toAsync<T>(items: Iterable<T>): AsyncIterable<T> {
  yield* items;
}

function asImporterError(importerId: string, error: unknown): LsconvError {
  if (isLsconvError(error)) return error;
  return new LsconvError(
    'INTERNAL',
    `importer ${importerId} failed: ${(error as Error)?.message ?? String(error)}`,
    {
      cause: error,
      hint: 'this is a bug in the importer; please report it with the input that caused it',
    },
  );
}

/** Help for `lsconv import`, listing every importer and its options, or one importer's. */
export function importHelp(
  registry: Registry,
  only: ImporterDefinition<OptionSpecs> | undefined,
  width: number,
): string[] {
  const lines = [
    'Usage: lsconv import <kind> -i INPUT [-o tasks.json] [importer flags] [flags]',
    '',
    ...wrap(
      'Turns a dataset (in a format an installed importer reads) into Label Studio tasks and a labeling config to create the project with. ' +
        'Nothing is written unless the import succeeds.',
      width,
    ),
    '',
    'Flags:',
    ...renderFlags(IMPORT_FLAGS, width),
    '',
  ];
  const importers = only ? [only] : [...registry.importers.values()].map((i) => i.importer);
  lines.push(only ? `Importer ${only.id}:` : 'Importers (<kind>) and their flags:');
  if (importers.length === 0)
    lines.push(
      '  none installed: importers come with format packages (lsconv formats lists what is installed)',
    );
  for (const importer of importers) {
    const origin = [...registry.importers.values()].find((i) => i.importer === importer)?.origin;
    const { importerFlags, hidden } = importFlagTable(importer);
    lines.push(...definitionHelp(importer, origin, importerFlags, hidden, width));
  }
  if (!only) lines.push(...problemsHelp(registry, 'Plugins that could not be loaded:', width));
  return lines;
}
