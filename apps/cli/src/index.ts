export { type FlagSpec, type FlagType, type ParsedArgs, parseArgs } from './args.js';
export type { FormatListing, FormatsListing, ImporterListing, OptionListing } from './commands/formats.js';
export { type CliIo, EXIT, main, type OutputStream } from './main.js';
export { startCli } from './start.js';
