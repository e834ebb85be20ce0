import { hasNumberTokens, type Item, numberToken } from '@lsconv/core';
import { prettifyResult, pyStr, pyTruthy, spellNumber } from '@lsconv/format-kit';
import { compareCodePoints, csvCell, csvCellAt, EMPTY_CELL, jsonText, quoteText } from './cells.js';
import { chatTranscript, isChat } from './prettify.js';

/**
 * A row whose final columns are not known yet: three flat `[name, cell, name, cell…]`
 * lists in the order the reference fills its record (later entries win):
 * `id` and the controls, then the task data keys (not yet renamed: whether `text`
 * becomes `_data_text` is only known at the end), then annotator, timestamps,
 * `agreement` and `history`. Cells are final CSV text.
 */
export type SpillRow = [head: string[], data: string[], tail: string[]];

/**
 * One row as a single spill line: the head and data lengths, then every name and
 * cell, separated by NUL. Backslash, newline and NUL inside a string are escaped, so
 * the line holds no raw newline. Several times cheaper to write and read back than
 * the row's JSON text, whose cells are full of quotes to escape.
 */
export function encodeSpillRow(row: SpillRow): string {
  let text = `${row[0].length},${row[1].length}`;
  for (const part of row) for (const s of part) text += `\u0000${escapeSpill(s)}`;
  return text;
}

/** Reads back a line of {@link encodeSpillRow}. */
export function decodeSpillRow(line: string): SpillRow {
  const tokens = line.split('\u0000');
  const counts = tokens[0]!;
  const comma = counts.indexOf(',');
  const headEnd = 1 + Number(counts.slice(0, comma));
  const dataEnd = headEnd + Number(counts.slice(comma + 1));
  for (let i = 1; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.includes('\\')) tokens[i] = unescapeSpill(token);
  }
  return [tokens.slice(1, headEnd), tokens.slice(headEnd, dataEnd), tokens.slice(dataEnd)];
}

const SPILL_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\0': '\\0' };
const SPILL_UNESCAPES: Record<string, string> = { '\\': '\\', n: '\n', '0': '\0' };

function escapeSpill(s: string): string {
  // Three native scans cost less than one regular-expression test.
  return s.includes('\\') || s.includes('\n') || s.includes('\u0000')
    ? s.replace(/[\\\n\0]/g, (c) => SPILL_ESCAPES[c]!)
    : s;
}

function unescapeSpill(s: string): string {
  return s.replace(/\\([\\n0])/g, (_, c: string) => SPILL_UNESCAPES[c]!);
}

/** Columns every CSV has, even an empty one. */
export const ALWAYS_COLUMNS: readonly string[] = [
  'annotator',
  'annotation_id',
  'created_at',
  'updated_at',
  'lead_time',
];

/** Prefix of a task data column whose key is also a control name somewhere in the export. */
export const COLLIDING_PREFIX = '_data_';

/** How cells are written. */
export interface CellSettings {
  /** The field separator (one character). */
  separator: string;
  /** Escape `/` as `\/` inside JSON cells, as ujson does (python compat mode). */
  escapeSlashes: boolean;
}

/**
 * Turns items into {@link SpillRow}s and remembers, in memory, only what the header
 * needs: the column names seen, the task data keys and the control names.
 */
export class CsvRowBuilder {
  /** Column names other than task data keys. */
  readonly plainColumns = new Set<string>(ALWAYS_COLUMNS);
  /** Every task data key seen. */
  readonly dataKeys = new Set<string>();
  /** Every `from_name` seen in an item's output. */
  readonly outputNames = new Set<string>();

  constructor(readonly settings: CellSettings) {}

  /** The row of one item. */
  row(item: Item, split?: string): SpillRow {
    const { separator, escapeSlashes } = this.settings;
    // Numbers kept as written (numbers.ts): integers beyond 2^53, Python's float spelling.
    const numbered = hasNumberTokens(item.task);
    // Where tokens are looked up: nowhere for the tasks without any (nearly all).
    const task = numbered ? item.task : undefined;
    const annotation = numbered ? item.annotation : undefined;
    const head: string[] = [];
    if (item.id !== undefined && item.id !== null) {
      head.push('id', csvCellAt(task, 'id', item.id, separator));
      this.plainColumns.add('id');
    }
    for (const name of Object.keys(item.output)) {
      const values = item.output[name] ?? [];
      const pretty = prettifyResult(values, numbered);
      head.push(
        name,
        quoteText(typeof pretty === 'string' ? pretty : jsonText(pretty, escapeSlashes, numbered)),
      );
      this.outputNames.add(name);
      this.plainColumns.add(name);
      if (isChat(values)) {
        const column = `${name}_transcript`;
        head.push(column, quoteText(chatTranscript(pretty)));
        this.plainColumns.add(column);
      }
    }
    const data: string[] = [];
    const input = item.input;
    for (const key of Object.keys(input)) {
      const value = input[key];
      this.dataKeys.add(key);
      data.push(
        key,
        typeof value === 'object' && value !== null
          ? quoteText(jsonText(value, escapeSlashes, numbered))
          : csvCellAt(numbered ? input : undefined, key, value, separator),
      );
    }
    const tail = [
      'annotator',
      csvCell(numbered ? exactAnnotator(item) : csvAnnotator(item.completed_by), separator),
      'annotation_id',
      csvCellAt(annotation, 'id', item.annotation_id, separator),
      'created_at',
      csvCellAt(annotation, 'created_at', item.created_at, separator),
      'updated_at',
      csvCellAt(annotation, 'updated_at', item.updated_at, separator),
      'lead_time',
      csvCellAt(annotation, 'lead_time', item.lead_time, separator),
    ];
    if ('agreement' in item) {
      tail.push('agreement', csvCellAt(task, 'agreement', item.agreement, separator));
      this.plainColumns.add('agreement');
    }
    if (pyTruthy(item.history)) {
      tail.push('history', quoteText(jsonText(item.history, escapeSlashes, numbered)));
      this.plainColumns.add('history');
    }
    if (split !== undefined) {
      tail.push('split', quoteText(split));
      this.plainColumns.add('split');
    }
    return [head, data, tail];
  }

  /** Task data keys that are also control names somewhere in the export: written as `_data_<key>`. */
  collidingKeys(): Set<string> {
    const colliding = new Set<string>();
    for (const key of this.dataKeys) if (this.outputNames.has(key)) colliding.add(key);
    return colliding;
  }

  /** The final layout, once every row has been built. */
  layout(): CsvLayout {
    return new CsvLayout(this.plainColumns, this.dataKeys, this.collidingKeys(), this.settings.separator);
  }
}

/** {@link csvAnnotator}, with the id as written when parsing kept its token (beyond 2^53). */
function exactAnnotator(item: Item): unknown {
  const by = item.completed_by;
  const token = typeof by === 'number' ? numberToken(item.annotation, 'completed_by') : undefined;
  return token === undefined ? csvAnnotator(by) : spellNumber(by as number, token, 'repr');
}

/** The annotator cell: the email of an expanded user, else `str()` of the id (`get_annotator`). */
export function csvAnnotator(completedBy: unknown): unknown {
  if (typeof completedBy === 'object' && completedBy !== null && !Array.isArray(completedBy)) {
    return (completedBy as { email?: unknown }).email ?? null;
  }
  return pyStr(completedBy);
}

/** The sorted columns and how a {@link SpillRow} maps onto them. */
export class CsvLayout {
  /** Column names, sorted by code point as Python's `sorted`. */
  readonly columns: readonly string[];
  private readonly plainIndex = new Map<string, number>();
  private readonly dataIndex = new Map<string, number>();
  private readonly cells: string[];

  constructor(
    plainColumns: Iterable<string>,
    dataKeys: Iterable<string>,
    colliding: ReadonlySet<string>,
    private readonly separator: string,
  ) {
    const dataColumn = (key: string) => (colliding.has(key) ? `${COLLIDING_PREFIX}${key}` : key);
    const all = new Set(plainColumns);
    const keys = [...dataKeys];
    for (const key of keys) all.add(dataColumn(key));
    this.columns = [...all].sort(compareCodePoints);
    for (const [i, column] of this.columns.entries()) this.plainIndex.set(column, i);
    for (const key of keys) this.dataIndex.set(key, this.plainIndex.get(dataColumn(key)) as number);
    this.cells = new Array<string>(this.columns.length).fill(EMPTY_CELL);
  }

  /** The header line (names quoted, as `writeheader` does), with `\r\n`. */
  header(): string {
    return `${this.columns.map(quoteText).join(this.separator)}\r\n`;
  }

  /** One row as a CSV line with `\r\n`; columns the row lacks are `""`. */
  line(row: SpillRow): string {
    const cells = this.cells;
    cells.fill(EMPTY_CELL);
    place(cells, row[0], this.plainIndex);
    place(cells, row[1], this.dataIndex);
    place(cells, row[2], this.plainIndex);
    return `${cells.join(this.separator)}\r\n`;
  }
}

function place(cells: string[], pairs: readonly string[], index: ReadonlyMap<string, number>): void {
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const at = index.get(pairs[i] as string);
    if (at !== undefined) cells[at] = pairs[i + 1] as string;
  }
}
