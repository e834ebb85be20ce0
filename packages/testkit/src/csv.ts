/** One CSV cell: its text (quotes removed, `""` unescaped) and whether it was quoted. */
export interface CsvCell {
  value: string;
  quoted: boolean;
}

/** One CSV record with the 1-based line it starts on. */
export interface CsvRecord {
  cells: CsvCell[];
  line: number;
}

/** A CSV syntax error with its position. */
export class CsvSyntaxError extends Error {
  override readonly name = 'CsvSyntaxError';
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${message} at line ${line}, column ${column}`);
  }
}

/**
 * Parses CSV (or TSV) as Python's `csv` module writes it, keeping for every cell
 * whether it was quoted: that distinction carries the type under
 * `QUOTE_NONNUMERIC`. Records end with `\r\n`, `\n` or `\r`; line breaks inside
 * quoted cells are kept exactly. A final line break is optional.
 */
export function parseCsv(text: string, delimiter = ','): CsvRecord[] {
  const records: CsvRecord[] = [];
  const n = text.length;
  let pos = 0;
  let line = 1;
  let lineStart = 0;
  const fail = (message: string): never => {
    throw new CsvSyntaxError(message, line, pos - lineStart + 1);
  };
  while (pos < n) {
    const record: CsvRecord = { cells: [], line };
    for (;;) {
      let cell: CsvCell;
      if (text[pos] === '"') {
        pos++;
        let value = '';
        for (;;) {
          const q = text.indexOf('"', pos);
          if (q < 0) {
            pos = n;
            fail('unterminated quoted cell');
          }
          const chunk = text.slice(pos, q);
          for (let i = chunk.indexOf('\n'); i >= 0; i = chunk.indexOf('\n', i + 1)) {
            line++;
            lineStart = pos + i + 1;
          }
          value += chunk;
          if (text[q + 1] === '"') {
            value += '"';
            pos = q + 2;
          } else {
            pos = q + 1;
            break;
          }
        }
        cell = { value, quoted: true };
        const next = text[pos];
        if (next !== undefined && next !== delimiter && next !== '\n' && next !== '\r') {
          fail(`unexpected ${JSON.stringify(next)} after a closing quote`);
        }
      } else {
        let end = pos;
        while (end < n) {
          const c = text[end];
          if (c === delimiter || c === '\n' || c === '\r') break;
          end++;
        }
        cell = { value: text.slice(pos, end), quoted: false };
        pos = end;
      }
      record.cells.push(cell);
      if (text[pos] === delimiter) {
        pos++;
        continue;
      }
      break;
    }
    if (text[pos] === '\r') pos++;
    if (text[pos] === '\n') pos++;
    line++;
    lineStart = pos;
    records.push(record);
  }
  return records;
}

/** Guesses the delimiter of a header line: a tab when the first line holds more tabs than commas outside quotes. */
export function sniffDelimiter(text: string): ',' | '\t' {
  let tabs = 0;
  let commas = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) break;
    else if (!quoted && c === '\t') tabs++;
    else if (!quoted && c === ',') commas++;
  }
  return tabs > commas ? '\t' : ',';
}
