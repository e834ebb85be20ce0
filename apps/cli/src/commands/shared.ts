import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import { type ConversionReport, LsconvError, type PluginOrigin, type Registry } from '@lsconv/core';
import type { FlagSpec, OptionFlag } from '../args.js';
import { flagDescription, renderFlags, wrap } from '../help.js';
import { type CliIo, userPath } from '../io.js';

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

/** The flags every converting command takes after its own: compat, report, quiet, plugin, help. */
export const RUN_FLAGS: readonly FlagSpec[] = [COMPAT_FLAG, REPORT_FLAG, QUIET_FLAG, PLUGIN_FLAG, HELP_FLAG];

/** A usage error (exit code 2). */
export function usageError(reason: string, hint: string): LsconvError {
  return new LsconvError('INVALID_OPTION', reason, { hint });
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

/**
 * Help lines for one format or importer: its id, title and package, its description,
 * its flags, and the options that cannot be set because one of lsconv's own flags has the name.
 */
export function definitionHelp(
  definition: { id: string; title: string; description: string },
  origin: PluginOrigin | undefined,
  shown: readonly OptionFlag[],
  hidden: readonly OptionFlag[],
  width: number,
  column?: number,
): string[] {
  const lines = [
    '',
    `  ${definition.id} — ${definition.title}${origin ? `  (${origin.package} ${origin.version})` : ''}`,
    ...wrap(definition.description, width - 6).map((line) => `      ${line}`),
  ];
  if (shown.length === 0) lines.push('      (no options)');
  else
    lines.push(
      ...renderFlags(
        shown.map((f) => f.flag),
        width,
        4,
        column,
      ),
    );
  for (const { option, flag } of hidden) {
    lines.push(
      `      (option ${option} cannot be set here: lsconv itself uses --${flag.name}; ${flagDescription(flag)})`,
    );
  }
  return lines;
}

/** Help lines naming the plugins that could not be loaded, under a heading; none when all loaded. */
export function problemsHelp(registry: Registry, heading: string, width: number): string[] {
  if (registry.problems.length === 0) return [];
  const lines = ['', heading];
  for (const problem of registry.problems) {
    const [first, ...rest] = wrap(`${problem.package}: ${problem.reason}`, width - 4);
    lines.push(`  ${first ?? ''}`, ...rest.map((line) => `    ${line}`));
  }
  return lines;
}
