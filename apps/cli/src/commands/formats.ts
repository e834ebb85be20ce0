import { type OptionSpecs, optionFlag, type PluginProblem, type Registry } from '@lsconv/core';
import { type FlagSpec, parseArgs, wantsHelp } from '../args.js';
import { loadRegistry } from '../discovery.js';
import { helpWidth, renderFlags, wrap } from '../help.js';
import { type CliIo, EXIT, writeLines } from '../io.js';
import { HELP_FLAG, PLUGIN_FLAG, usageError } from './shared.js';

/** A declared option, as `lsconv formats --json` lists it. */
export interface OptionListing {
  name: string;
  flag: string;
  type: string;
  description: string;
  default?: unknown;
  choices?: readonly string[];
}

/** One format in `lsconv formats --json`. */
export interface FormatListing {
  id: string;
  title: string;
  description: string;
  tags: readonly string[];
  output: 'file' | 'folder';
  package: string;
  version: string;
  options: OptionListing[];
}

/** One importer in `lsconv formats --json`. */
export interface ImporterListing {
  id: string;
  title: string;
  description: string;
  package: string;
  version: string;
  options: OptionListing[];
}

/** What `lsconv formats --json` prints. */
export interface FormatsListing {
  formats: FormatListing[];
  importers: ImporterListing[];
  problems: PluginProblem[];
}

const FORMATS_FLAGS: readonly FlagSpec[] = [
  {
    name: 'json',
    type: 'boolean',
    description: 'Print the list as JSON (formats, importers, plugin problems)',
  },
  PLUGIN_FLAG,
  HELP_FLAG,
];

/** `lsconv formats`: lists the formats and importers found, and the plugins that could not be loaded. */
export async function formatsCommand(argv: readonly string[], io: CliIo): Promise<number> {
  if (wantsHelp(argv)) {
    writeLines(io.stdout, formatsHelp(helpWidth(io.stdout.columns)));
    return EXIT.OK;
  }
  const { values, positionals } = parseArgs(argv, FORMATS_FLAGS, {
    command: 'lsconv formats',
    helpCommand: 'lsconv formats --help',
  });
  if (positionals.length)
    throw usageError(`unexpected argument ${JSON.stringify(positionals[0])}`, 'see lsconv formats --help');
  const plugins = Array.isArray(values.plugin) ? values.plugin : [];
  const registry = await loadRegistry(io, plugins);
  const listing = listRegistry(registry);
  if (values.json === true) {
    io.stdout.write(`${JSON.stringify(listing, null, 2)}\n`);
    return EXIT.OK;
  }
  writeLines(io.stdout, renderListing(listing, helpWidth(io.stdout.columns)));
  return EXIT.OK;
}

/** The registry as plain data. */
export function listRegistry(registry: Registry): FormatsListing {
  return {
    formats: [...registry.formats.values()].map(({ format, origin }) => ({
      id: format.id,
      title: format.title,
      description: format.description,
      tags: [...format.tags],
      output: format.output,
      package: origin.package,
      version: origin.version,
      options: listOptions(format.options),
    })),
    importers: [...registry.importers.values()].map(({ importer, origin }) => ({
      id: importer.id,
      title: importer.title,
      description: importer.description,
      package: origin.package,
      version: origin.version,
      options: listOptions(importer.options),
    })),
    problems: registry.problems.map((p) => ({ ...p })),
  };
}

function listOptions(specs: OptionSpecs): OptionListing[] {
  return Object.entries(specs).map(([name, spec]) => {
    const entry: OptionListing = {
      name,
      flag: `--${optionFlag(name, spec)}`,
      type: spec.type,
      description: spec.description,
    };
    if (spec.default !== undefined) entry.default = spec.default;
    if (spec.type === 'enum') entry.choices = [...spec.choices];
    return entry;
  });
}

function renderListing(listing: FormatsListing, width: number): string[] {
  const lines: string[] = [`Formats (${listing.formats.length}):`];
  const idWidth = Math.max(...listing.formats.map((f) => f.id.length), 4) + 2;
  for (const format of listing.formats) {
    lines.push(`  ${format.id.padEnd(idWidth)}${format.title}  (${format.package} ${format.version})`);
    for (const line of wrap(format.description, width - idWidth - 2))
      lines.push(`  ${' '.repeat(idWidth)}${line}`);
  }
  lines.push('', `Importers (${listing.importers.length}):`);
  if (listing.importers.length === 0)
    lines.push('  none installed (lsconv import <kind> needs a package that provides one)');
  for (const importer of listing.importers) {
    lines.push(
      `  ${importer.id.padEnd(idWidth)}${importer.title}  (${importer.package} ${importer.version})`,
    );
    for (const line of wrap(importer.description, width - idWidth - 2))
      lines.push(`  ${' '.repeat(idWidth)}${line}`);
  }
  if (listing.problems.length) {
    lines.push('', `Plugins that could not be loaded (${listing.problems.length}):`);
    for (const problem of listing.problems) {
      const text = `${problem.package}: ${problem.reason}${problem.dir ? ` [${problem.dir}]` : ''}`;
      const [first, ...rest] = wrap(text, width - 4);
      lines.push(`  ${first ?? ''}`, ...rest.map((l) => `    ${l}`));
    }
  }
  lines.push('', 'Format options: lsconv export -f FORMAT --help');
  return lines;
}

function formatsHelp(width: number): string[] {
  return [
    'Usage: lsconv formats [--json] [--plugin PKG ...]',
    '',
    ...wrap(
      'Lists the export formats and importers found in the current project, its workspace and next to lsconv, with the package that provides each, and the plugins that could not be loaded and why.',
      width,
    ),
    '',
    'Flags:',
    ...renderFlags(FORMATS_FLAGS, width),
  ];
}
