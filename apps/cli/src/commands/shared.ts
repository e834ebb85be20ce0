import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import {
  type ConversionReport,
  type FormatDefinition,
  type ImporterDefinition,
  LsconvError,
  type OptionSpecs,
  officialPackageOf,
  type Registry,
} from '@lsconv/core';
import type { FlagSpec } from '../args.js';
import { describeProblems } from '../discovery.js';
import { type CliIo, userPath } from '../io.js';
import { closest } from '../suggest.js';

/** `--plugin PKG`, repeatable: every command that loads plugins takes it. */
export const PLUGIN_FLAG: FlagSpec = {
  name: 'plugin',
  type: 'list',
  placeholder: 'PKG',
  description:
    'Load exactly this plugin package (a name resolvable from the current folder, or a folder) instead of discovering; repeatable',
};

/** `-h, --help`. */
export const HELP_FLAG: FlagSpec = {
  name: 'help',
  short: 'h',
  type: 'boolean',
  description: 'Show this help',
};

/** `-q, --quiet`. */
export const QUIET_FLAG: FlagSpec = {
  name: 'quiet',
  short: 'q',
  type: 'boolean',
  description: 'Print no summary on standard error (errors are still printed)',
};

/** `--report FILE`. */
export const REPORT_FLAG: FlagSpec = {
  name: 'report',
  type: 'string',
  placeholder: 'FILE',
  description:
    'Write the report (counts, every skipped task or region with its reason) as JSON to FILE; - for standard output',
};

/** `--compat default|python`. */
export const COMPAT_FLAG: FlagSpec = {
  name: 'compat',
  type: 'enum',
  choices: ['default', 'python'],
  default: 'default',
  description: "python reproduces the Python converter's output exactly, quirks included",
};

/** A usage error (exit code 2). */
export function usageError(reason: string, hint: string): LsconvError {
  return new LsconvError('INVALID_OPTION', reason, { hint });
}

/**
 * The format of that id (case-insensitive), or an `UNKNOWN_FORMAT` error that
 * suggests the nearest id and names plugins that failed to load.
 */
export function findFormat(registry: Registry, id: string): FormatDefinition<OptionSpecs> {
  try {
    return registry.format(id);
  } catch (error) {
    // An official id that is not installed: core's hint names the package to install.
    if (officialPackageOf(id)) throw error;
    const ids = [...registry.formats.keys()];
    const near = closest(id, ids);
    const parts = [`installed formats: ${ids.join(', ')}`];
    if (registry.problems.length)
      parts.push(`plugins that could not be loaded: ${describeProblems(registry.problems)}`);
    if (!near) {
      parts.push(
        'formats come from packages installed beside lsconv, in the current project or its workspace, or given with --plugin',
      );
    }
    throw new LsconvError('UNKNOWN_FORMAT', `unknown format "${id}"`, {
      hint: (near ? `did you mean ${near}? ` : '') + parts.join('; '),
    });
  }
}

/** The importer of that id, or an `UNKNOWN_FORMAT` error that says which importers exist. */
export function findImporter(registry: Registry, id: string): ImporterDefinition<OptionSpecs> {
  try {
    return registry.importer(id);
  } catch {
    const ids = [...registry.importers.keys()];
    const near = closest(id, ids);
    const parts = [
      ids.length
        ? `installed importers: ${ids.join(', ')}`
        : 'no importer is installed (importers come with format packages)',
    ];
    if (registry.problems.length)
      parts.push(`plugins that could not be loaded: ${describeProblems(registry.problems)}`);
    throw new LsconvError('UNKNOWN_FORMAT', `unknown importer "${id}"`, {
      hint: (near ? `did you mean ${near}? ` : '') + parts.join('; '),
    });
  }
}

/** Writes `report.toJSON()` to a file (or standard output for `-`). */
export async function writeReport(io: CliIo, target: string, report: ConversionReport): Promise<void> {
  const text = `${JSON.stringify(report.toJSON(), null, 2)}\n`;
  if (target === '-') {
    io.stdout.write(text);
    return;
  }
  const file = userPath(io, target);
  try {
    await fs.mkdir(dirname(file), { recursive: true });
    await fs.writeFile(file, text);
  } catch (error) {
    throw new LsconvError(
      'OUTPUT_WRITE',
      `cannot write the report: ${(error as NodeJS.ErrnoException).code ?? error}`,
      {
        file: target,
        hint: 'check the path given with --report',
      },
    );
  }
}

/** The string value of a flag, or undefined. */
export function stringValue(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
