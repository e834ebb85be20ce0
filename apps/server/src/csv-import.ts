// CSV and TSV uploads, read as Label Studio reads them: the first row names the
// columns, every other row becomes one task whose data are that row's values
// (as text; an empty cell is ""). Parsed as the bytes arrive, RFC 4180 quoting included.
import type { Readable } from 'node:stream';
import { ImportError } from './tasks.js';

/** The delimiter a file name or content type calls for, or undefined when it is not a table. */
export function tableDelimiter(name: string, contentType = ''): ',' | '\t' | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith('.tsv') || contentType.startsWith('text/tab-separated-values')) return '\t';
  if (lower.endsWith('.csv') || contentType.startsWith('text/csv')) return ',';
  return undefined;
}

/** Rows of a delimited text stream, each a list of fields, with the line it starts on. */
async function* rows(
  stream: Readable,
  delimiter: string,
): AsyncGenerator<{ fields: string[]; line: number }> {
  const decoder = new TextDecoder('utf-8');
  let field = '';
  let fields: string[] = [];
  // 'field': unquoted; 'quoted': inside quotes; 'quote': a quote seen inside quotes (closing or doubled).
  let state: 'field' | 'quoted' | 'quote' = 'field';
  let line = 1;
  let rowLine = 1;
  let lastCr = false;
  const endRow = () => {
    fields.push(field);
    const out = { fields, line: rowLine };
    field = '';
    fields = [];
    rowLine = line;
    return out;
  };
  for await (const chunk of stream) {
    for (const c of decoder.decode(chunk as Buffer, { stream: true })) {
      const afterCr = lastCr;
      lastCr = false;
      if (state === 'quoted') {
        if (c === '"') state = 'quote';
        else {
          if (c === '\n') line++;
          field += c;
        }
        continue;
      }
      if (state === 'quote') {
        state = 'field';
        if (c === '"') {
          field += '"';
          state = 'quoted';
          continue;
        }
      }
      if (c === '\n' && afterCr) continue;
      if (c === '"' && field === '') state = 'quoted';
      else if (c === delimiter) {
        fields.push(field);
        field = '';
      } else if (c === '\n' || c === '\r') {
        line++;
        lastCr = c === '\r';
        yield endRow();
      } else field += c;
    }
  }
  if (state === 'quoted') throw new ImportError(`line ${rowLine}: a quoted field is not closed`);
  if (field !== '' || fields.length > 0) yield endRow();
}

/** The tasks of a CSV or TSV stream: `{data: {column: value}}` for every row after the header. */
export async function* tableTasks(
  stream: Readable,
  delimiter: string,
  name: string,
): AsyncGenerator<unknown> {
  let header: string[] | undefined;
  for await (const { fields, line } of rows(stream, delimiter)) {
    if (!header) {
      header = fields.map((f, i) => (i === 0 ? f.replace(/^\uFEFF/, '') : f).trim());
      if (header.some((h) => h === '')) throw new ImportError(`${name}: line 1: a column has no name`);
      continue;
    }
    if (fields.length === 1 && fields[0] === '') continue;
    if (fields.length > header.length)
      throw new ImportError(
        `${name}: line ${line}: ${fields.length} fields, the header names ${header.length}`,
      );
    const data: Record<string, string> = {};
    header.forEach((h, i) => {
      data[h] = fields[i] ?? '';
    });
    yield { data };
  }
  if (!header) throw new ImportError(`${name}: the file is empty`);
}
