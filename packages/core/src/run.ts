import { LsconvError, isLsconvError } from './errors.js';
import type { CompatMode, ExportContext, FormatDefinition } from './format.js';
import { emptyLabelConfig, type LabelConfig } from './label-config.js';
import { resolveOptions } from './options.js';
import { ConversionReport } from './report.js';
import { createResourceResolver, type ResourceOptions, type ResourceResolver } from './resources/index.js';
import type { Sink } from './sinks/types.js';
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
  /** Called every time a task is read, with the count. */
  onTask?: (count: number) => void;
}

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
    if (!run.force) {
      const support = format.supports(config);
      if (!support.ok) {
        throw new LsconvError('UNSUPPORTED_CONFIG', `format ${format.id} cannot export this labeling config: ${support.reason}`, {
          hint: 'choose another format (lsconv formats) or force the export',
        });
      }
    }
    let iterated = false;
    const counted: AsyncIterable<Task> = {
      [Symbol.asyncIterator]() {
        if (iterated) {
          throw new LsconvError('INTERNAL', `format ${format.id} iterated the tasks twice`, {
            hint: 'formats must read the task stream once',
          });
        }
        iterated = true;
        const inner = run.tasks[Symbol.asyncIterator]();
        return {
          async next() {
            if (signal.aborted) throw new LsconvError('ABORTED', 'the export was cancelled', { format: format.id });
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
      config,
      options,
      sink,
      report,
      compat: run.compat ?? 'default',
      signal,
      input: run.input ?? 'input',
      resources: isResolver(run.resources) ? run.resources : createResourceResolver({ signal, ...run.resources }, report),
    };
    await format.export(counted, ctx);
    report.filesWritten = sink.filesWritten;
    report.bytesWritten = sink.bytesWritten;
    await sink.commit();
  } catch (error) {
    await sink.abort().catch(() => undefined);
    if (isLsconvError(error)) throw error;
    throw new LsconvError('INTERNAL', `format ${format.id} failed: ${(error as Error)?.message ?? String(error)}`, {
      format: format.id,
      cause: error,
      hint: 'this is a bug in the format; please report it with the input that caused it',
    });
  } finally {
    report.finish();
  }
  return report;
}

function isResolver(value: unknown): value is ResourceResolver {
  return typeof value === 'object' && value !== null && typeof (value as ResourceResolver).resolve === 'function';
}
