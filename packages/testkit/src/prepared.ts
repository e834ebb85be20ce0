import {
  arrayTaskSource,
  type CompatMode,
  ConversionReport,
  createResourceResolver,
  type FormatDefinition,
  type LabelConfig,
  type MemorySink,
  memorySink,
  parseLabelConfig,
  type ReportData,
  type ResourceOptions,
  type ResourceResolver,
  resolveOptions,
  runExport,
} from '@lsconv/core';

/** What an export wrote (each file as text) and its report without the timing. */
export interface ExportOutcome {
  files: Record<string, string>;
  report: Omit<ReportData, 'durationMs'>;
}

/** Format options and resources for {@link runPreparedApart}. */
export interface PreparedRunOptions {
  /** Format option values. */
  options?: Readonly<Record<string, unknown>>;
  /** Resource options, or a resolver. */
  resources?: ResourceOptions | ResourceResolver;
}

/** The report of a run without its timing, for comparing two runs. */
export function reportWithoutTiming(report: ConversionReport): Omit<ReportData, 'durationMs'> {
  const { durationMs: _, ...data } = report.toJSON();
  return data;
}

function outcome(sink: MemorySink, report: ConversionReport): ExportOutcome {
  return {
    files: Object.fromEntries([...sink.files.keys()].map((k) => [k, sink.text(k)])),
    report: reportWithoutTiming(report),
  };
}

/** Runs a format over tasks in this thread, as `runExport` does with one thread. */
export async function exportInline(
  format: FormatDefinition<any>,
  tasks: readonly object[],
  configXml: string,
  compat: CompatMode,
): Promise<ExportOutcome> {
  const sink = memorySink();
  const report = await runExport({
    format,
    tasks: arrayTaskSource(tasks as never),
    config: parseLabelConfig(configXml),
    sink,
    compat,
    input: 'tasks.json',
  });
  return outcome(sink, report);
}

/**
 * Runs a format the way a worker pool may: every task prepared in its own context,
 * last first, its value and report entries copied across a structured clone, then
 * handed to `export` in input order. A format whose `prepare` keeps state between
 * tasks, or whose values do not survive the copy, comes out different from
 * {@link exportInline}.
 */
export async function exportPreparedApart(
  format: FormatDefinition<any>,
  tasks: readonly object[],
  configXml: string,
  compat: CompatMode,
): Promise<ExportOutcome> {
  const { sink, report } = await runPreparedApart(format, tasks, parseLabelConfig(configXml), compat);
  return outcome(sink, report);
}

/** {@link exportPreparedApart} with a parsed config, format options and resources; returns the sink and report. */
export async function runPreparedApart(
  format: FormatDefinition<any>,
  tasks: readonly object[],
  config: LabelConfig,
  compat: CompatMode,
  more: PreparedRunOptions = {},
): Promise<{ sink: MemorySink; report: ConversionReport }> {
  const prepare = format.prepare;
  if (!prepare) throw new Error(`format ${format.id} has no prepare step`);
  const options = resolveOptions(format.id, format.options, more.options ?? {});
  const base = { format: format.id, config, options, compat, input: 'tasks.json' };
  const values: unknown[] = [];
  const notes: ConversionReport[] = [];
  for (let i = tasks.length - 1; i >= 0; i--) {
    const report = new ConversionReport(format.id);
    const value = prepare(structuredClone(tasks[i]!) as never, { ...base, taskIndex: i, report });
    values[i] = structuredClone(value);
    notes[i] = report;
  }
  const sink = memorySink();
  const report = new ConversionReport(format.id);
  const prepared = {
    async *[Symbol.asyncIterator]() {
      for (let i = 0; i < values.length; i++) {
        for (const entry of notes[i]!.entries()) report.skip(entry);
        for (const warning of notes[i]!.warnings) report.warn(warning);
        report.tasksRead++;
        yield values[i];
      }
    },
  };
  const given = more.resources ?? {};
  const resources =
    typeof (given as ResourceResolver).resolve === 'function'
      ? (given as ResourceResolver)
      : createResourceResolver(given as ResourceOptions, report);
  await format.export(prepared, {
    ...base,
    sink,
    report,
    signal: new AbortController().signal,
    resources,
  });
  report.filesWritten = sink.filesWritten;
  report.bytesWritten = sink.bytesWritten;
  await sink.commit();
  return { sink, report };
}
