import {
  defineFormat,
  type ExportContext,
  JsonArraySpill,
  LsconvError,
  type OptionValues,
  type PrepareContext,
  type Task,
  taskItems,
  taskSplit,
} from '@lsconv/core';
import { referenceSupports } from '@lsconv/format-kit';
import { CsvRowBuilder, decodeSpillRow, encodeSpillRow } from './rows.js';

/** Options of the CSV format (TSV has the same, with a tab as default separator). */
export const csvOptions = {
  separator: {
    type: 'string',
    description: 'Field separator, one character (`\\t` is read as a tab).',
    default: ',',
    flag: 'csv-separator',
    pythonFlag: 'csv-separator',
  },
  noHeader: {
    type: 'boolean',
    description: 'Leave out the header line of column names.',
    default: false,
    flag: 'csv-no-header',
    pythonFlag: 'csv-no-header',
  },
} as const;

/** Options of the TSV format. */
export const tsvOptions = {
  separator: { ...csvOptions.separator, default: '\t' },
  noHeader: csvOptions.noHeader,
} as const;

/** The option values both formats receive. */
export type DelimitedOptions = OptionValues<typeof csvOptions>;

/** The file both formats write (also for TSV, as Label Studio does). */
export const CSV_FILE = 'result.csv';

/**
 * `CSV`: `result.csv`, one row per annotation (a task without annotations gives one
 * row), sorted columns, Python `csv.QUOTE_NONNUMERIC` quoting, `\r\n` line ends.
 */
export const csv = defineFormat({
  id: 'CSV',
  menuPosition: 2,
  title: 'CSV',
  description:
    'Results are stored as comma-separated values with the column names specified by the values of the "from_name" and "to_name" fields.',
  link: 'https://labelstud.io/guide/export.html#CSV',
  tags: [],
  output: 'file',
  splitLayout: true,
  options: csvOptions,
  supports: referenceSupports('CSV'),
  keepsNumberSpelling: true,
  prepare: prepareDelimited,
  export: (tasks, ctx) => exportDelimited(tasks, ctx),
});

/** `TSV`: the CSV export with a tab as separator, written to `result.csv` as well. */
export const tsv = defineFormat({
  id: 'TSV',
  menuPosition: 3,
  title: 'TSV',
  description:
    'Results are stored in tab-separated tabular file with column names specified by "from_name" "to_name" values',
  link: 'https://labelstud.io/guide/export.html#TSV',
  tags: [],
  output: 'file',
  splitLayout: true,
  options: tsvOptions,
  supports: referenceSupports('TSV'),
  keepsNumberSpelling: true,
  prepare: prepareDelimited,
  export: (tasks, ctx) => exportDelimited(tasks, ctx),
});

/**
 * Writes the CSV in one pass over the prepared tasks. The header needs every column first, so
 * rows go to a temporary spill file (final cell text, data keys not yet renamed) while
 * only the column names stay in memory; then the header and the rows are written.
 */
export async function exportDelimited(
  tasks: AsyncIterable<PreparedRows>,
  ctx: ExportContext<DelimitedOptions>,
): Promise<void> {
  const separator = parseSeparator(ctx.options.separator, ctx.format);
  const builder = new CsvRowBuilder({ separator, escapeSlashes: ctx.compat === 'python' });
  const spill = await JsonArraySpill.create('csv', '\n');
  try {
    for await (const prepared of tasks) {
      if (prepared.rows > 0) await spill.pushJoined(prepared.lines, prepared.rows);
      for (const name of prepared.plainColumns) builder.plainColumns.add(name);
      for (const key of prepared.dataKeys) builder.dataKeys.add(key);
      for (const name of prepared.outputNames) builder.outputNames.add(name);
      ctx.report.regionsWritten += prepared.regions;
    }
    const layout = builder.layout();
    const out = await ctx.sink.createFile(CSV_FILE);
    let text = ctx.options.noHeader ? '' : layout.header();
    for await (const batch of spill.readBatches()) {
      if (ctx.signal.aborted)
        throw new LsconvError('ABORTED', 'the export was cancelled', { format: ctx.format });
      for (const line of batch) {
        text += layout.line(decodeSpillRow(line));
        ctx.report.itemsWritten++;
        // Written in pieces well below a large object (which only a full collection frees).
        if (text.length >= 32 * 1024) {
          await out.write(text);
          text = '';
        }
      }
    }
    if (text !== '') await out.write(text);
    await out.close();
  } finally {
    await spill.dispose();
  }
}

/** One task's spill lines and the column names they use. */
export interface PreparedRows {
  /** The rows as spill lines ({@link encodeSpillRow}), joined by `\n`. */
  lines: string;
  rows: number;
  regions: number;
  plainColumns: string[];
  dataKeys: string[];
  outputNames: string[];
}

/** The per-task step of CSV and TSV (may run on a worker thread). */
export function prepareDelimited(task: Task, pctx: PrepareContext): PreparedRows {
  const options = pctx.options as DelimitedOptions;
  const separator = parseSeparator(options.separator, pctx.format);
  const builder = new CsvRowBuilder({ separator, escapeSlashes: pctx.compat === 'python' });
  const items = taskItems(task, {
    config: pctx.config,
    report: pctx.report,
    taskIndex: pctx.taskIndex,
    file: pctx.input,
  });
  // With --split, a split column.
  const split = pctx.dataset?.split ? taskSplit(task) : undefined;
  let lines = '';
  let regions = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (i > 0) lines += '\n';
    lines += encodeSpillRow(builder.row(item, split));
    for (const name in item.output) regions += item.output[name]?.length ?? 0;
  }
  return {
    lines,
    rows: items.length,
    regions,
    plainColumns: [...builder.plainColumns],
    dataKeys: [...builder.dataKeys],
    outputNames: [...builder.outputNames],
  };
}

/**
 * Checks the separator: one character, not a quote or a line break (Python's `csv`
 * refuses them too). `\t` typed on a command line means a tab.
 */
export function parseSeparator(raw: string, format = 'CSV'): string {
  const separator = raw === '\\t' ? '\t' : raw;
  const oneChar =
    separator.length === 1 || (separator.length === 2 && (separator.codePointAt(0) ?? 0) > 0xffff);
  if (!oneChar || separator === '"' || separator === '\r' || separator === '\n') {
    throw new LsconvError(
      'INVALID_OPTION',
      `format ${format} option "separator" must be one character other than a quote or a line break, got ${JSON.stringify(raw)}`,
      {
        format,
        hint: 'use for example "," ";" "|" or "\\t"',
      },
    );
  }
  return separator;
}
