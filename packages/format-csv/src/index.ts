export {
  compareCodePoints,
  csvCell,
  jsonText,
  quoteText,
} from './cells.js';
export {
  CSV_FILE,
  csv,
  csvOptions,
  type DelimitedOptions,
  exportDelimited,
  parseSeparator,
  tsv,
  tsvOptions,
} from './csv.js';
export { chatTranscript } from './prettify.js';
export {
  ALWAYS_COLUMNS,
  type CellSettings,
  CsvLayout,
  CsvRowBuilder,
  decodeSpillRow,
  encodeSpillRow,
  type SpillRow,
} from './rows.js';
