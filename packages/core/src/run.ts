import { pathToFileURL } from 'node:url';
import type { DatasetStep } from './dataset.js';
import type { DatasetOptions } from './dataset-options.js';
import { datasetSetup } from './dataset-run.js';
import { isLsconvError, LsconvError } from './errors.js';
import { type CompatMode, type ExportContext, type FormatDefinition, numberParsingFor } from './format.js';
import { emptyLabelConfig, type LabelConfig } from './label-config.js';
import { resolveOptions } from './options.js';
import { prepareSlices } from './pool/worker-pool.js';
import { ConversionReport } from './report.js';
import { createResourceResolver, type ResourceOptions, type ResourceResolver } from './resources/index.js';
import type { Sink } from './sinks/types.js';
import type { TaskSource } from './sources/index.js';
import type { Task } from './task.js';

/** What {@link runExport} takes. */
export interface RunExportOptions {
  /** The format to run. */
  format: FormatDefinition<any>;
  /** The tasks (a task source, or any async iterable of tasks). */
  tasks: AsyncIterable<Task>;
  /** The labeling config; an empty one when omitted. */
  config?: LabelConfig;
  /** Where the output goes; committed on success, aborted on failure. */
  sink: Sink;
  /**
   * The dataset options every format honours: splits, class map, label filter and renames,
   * which annotation of a task is exported.
   */
  dataset?: DatasetOptions;
  /** Option values by name; validated against the format's declared options. */
  options?: Readonly<Record<string, unknown>>;
  /** `python` reproduces the Python converter exactly. Default `default`. */
  compat?: CompatMode;
  /** Export even when the format says the config is not supported. */
  force?: boolean;
  /** Cancels the export. */
  signal?: AbortSignal;
  /** For messages: what the input is. */
  input?: string;
  /**
   * The resource resolver formats use for media, or options to create one (its
   * report entries go to this export's report).
   */
  resources?: ResourceResolver | ResourceOptions;
  /**
   * Called with the report once the format has written everything, before the sink is
   * committed: throwing here aborts the sink (a gate such as "nothing was written").
   */
  beforeCommit?: (report: ConversionReport) => void;
  /** Called every time a task is read, with the count. */
  onTask?: (count: number) => void;
  /**
   * Threads that parse and prepare tasks, for formats with a `prepare` step reading a
   * task source that can be sliced (otherwise `prepare` runs in this thread). Default 1 (everything in this thread); the CLI passes the core count.
   */
  threads?: number;
  /**
   * URL or path of the module exporting the format (the registry's `origin.entry`):
   * workers import it. Without it the format runs in this thread.
   */
  formatModule?: string | URL;
  /** Inputs smaller than this many bytes are prepared in this thread. Default 8 MB. */
  minParallelBytes?: number;
  /** Input bytes per batch sent to a worker. Default 256 KB (tests make it tiny to spread tasks over workers). */
  parallelBatchBytes?: number;
}

/** Below this, starting worker threads costs more than it saves. */
export const MIN_PARALLEL_BYTES = 8 * 1024 * 1024;

/**
 * Runs one export: validates the options, checks that the format supports the
 * config, streams the tasks through the format, and commits the sink — or aborts it,
 * so a failed export leaves nothing behind. Returns the report.
 */
export async function runExport(run: RunExportOptions): Promise<ConversionReport> {
  const { format, sink } = run;
  const report = new ConversionReport(format.id);
  const config = run.config ?? emptyLabelConfig();
  const signal = run.signal ?? new AbortController().signal;
  try {
    const options = resolveOptions(`format ${format.id}`, format.options, run.options ?? {});
    const compat = run.compat ?? 'default';
    if (!run.force) checkSupport(format, config, compat, report);
    let iterated = false;
    const input = run.input ?? 'input';
    const numbers = numberParsingFor(format, compat);
    const source = run.tasks as Partial<TaskSource>;
    // A task source parses with the number tokens this format needs (numbers.ts).
    const parsed: AsyncIterable<Task> =
      typeof source.withNumbers === 'function' ? source.withNumbers(numbers) : run.tasks;
    const { plan, step, sliceable, prepare, dataset, tasks, formatConfig } = await datasetSetup(
      run,
      parsed,
      config,
      report,
    );
    let values: AsyncIterable<unknown> = step && !prepare ? stepTasks(tasks, step, report) : tasks;
    if (prepare) {
      const pctx = { format: format.id, config: formatConfig, options, compat, input, report, dataset };
      const threads = Math.max(1, Math.floor(run.threads ?? 1));
      const moduleUrl = run.formatModule === undefined ? undefined : toModuleUrl(run.formatModule);
      values =
        sliceable && threads > 1 && moduleUrl
          ? {
              [Symbol.asyncIterator]: () =>
                prepareSlices(source as TaskSource, {
                  threads,
                  worker: {
                    moduleUrl,
                    formatId: format.id,
                    configXml: config.xml,
                    options: { ...options },
                    compat,
                    input,
                    numbers,
                    ...(plan ? { dataset: plan } : {}),
                  },
                  numbers,
                  minParallelBytes: run.minParallelBytes ?? MIN_PARALLEL_BYTES,
                  ...(run.parallelBatchBytes ? { batchBytes: run.parallelBatchBytes } : {}),
                  prepare,
                  pctx,
                  report,
                })[Symbol.asyncIterator](),
            }
          : inlinePrepared(tasks, prepare, pctx);
    }
    // What `export` iterates: the prepared values, or the tasks when there is no prepare step.
    const counted: AsyncIterable<unknown> = {
      [Symbol.asyncIterator]() {
        if (iterated) {
          throw new LsconvError('INTERNAL', `format ${format.id} iterated the tasks twice`, {
            hint: 'formats must read the task stream once',
          });
        }
        iterated = true;
        const inner = values[Symbol.asyncIterator]();
        return {
          async next() {
            if (signal.aborted)
              throw new LsconvError('ABORTED', 'the export was cancelled', { format: format.id });
            const next = await inner.next();
            if (!next.done) {
              report.tasksRead++;
              run.onTask?.(report.tasksRead);
            }
            return next;
          },
          async return(value?: unknown) {
            await inner.return?.(value);
            return { done: true, value: undefined };
          },
        };
      },
    };
    const ctx: ExportContext<typeof options> = {
      format: format.id,
      config: formatConfig,
      options,
      dataset,
      sink,
      report,
      compat,
      signal,
      input,
      resources: isResolver(run.resources)
        ? run.resources
        : createResourceResolver({ signal, ...run.resources }, report),
    };
    await format.export(counted, ctx);
    // Tasks the source left out without reading them whole (too large to hold).
    for (const entry of source.skipped?.() ?? []) report.skip(entry);
    report.filesWritten = sink.filesWritten;
    report.bytesWritten = sink.bytesWritten;
    run.beforeCommit?.(report);
    await sink.commit();
  } catch (error) {
    await sink.abort().catch(() => undefined);
    if (isLsconvError(error)) throw error;
    throw new LsconvError(
      'INTERNAL',
      `format ${format.id} failed: ${(error as Error)?.message ?? String(error)}`,
      {
        format: format.id,
        cause: error,
        hint: 'this is a bug in the format; please report it with the input that caused it',
      },
    );
  } finally {
    report.finish();
  }
  return report;
}

/**
 * Refuses a config the format does not support; one the Python converter's command line
 * exports anyway (`exportable`) goes through under compat python, with a warning.
 */
function checkSupport(
  format: FormatDefinition<any>,
  config: LabelConfig,
  compat: CompatMode,
  report: ConversionReport,
): void {
  const support = format.supports(config);
  if (support.ok) return;
  if (support.exportable && compat === 'python') {
    report.warn(`${format.id}: ${support.reason}; exported as the Python converter's command line does`);
    return;
  }
  throw new LsconvError(
    'UNSUPPORTED_CONFIG',
    `format ${format.id} cannot export this labeling config: ${support.reason}`,
    {
      hint: support.exportable
        ? "run with --compat python to export it as the Python converter's command line does, choose another format (lsconv formats), or force the export"
        : 'choose another format (lsconv formats) or force the export',
    },
  );
}

/** The tasks after the dataset step, for a format without a prepare step. */
async function* stepTasks(
  tasks: AsyncIterable<Task>,
  step: DatasetStep,
  report: ConversionReport,
): AsyncGenerator<Task> {
  let taskIndex = 0;
  for await (const task of tasks) yield step.apply(task, taskIndex++, report);
}

async function* inlinePrepared(
  tasks: AsyncIterable<Task>,
  prepare: NonNullable<FormatDefinition<any>['prepare']>,
  base: Omit<import('./format.js').PrepareContext<any>, 'taskIndex'>,
): AsyncGenerator<unknown> {
  const pctx = { ...base, taskIndex: 0 };
  for await (const task of tasks) {
    yield prepare(task, pctx);
    pctx.taskIndex++;
  }
}

function toModuleUrl(module: string | URL): string {
  if (module instanceof URL) return module.href;
  return /^[a-z][a-z0-9+.-]*:/i.test(module) && !/^[a-z]:[\\/]/i.test(module)
    ? module
    : pathToFileURL(module).href;
}

function isResolver(value: unknown): value is ResourceResolver {
  return (
    typeof value === 'object' && value !== null && typeof (value as ResourceResolver).resolve === 'function'
  );
}
