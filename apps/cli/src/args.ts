import { LsconvError, type OptionSpec, type OptionSpecs, optionFlag } from '@lsconv/core';
import { closest } from './suggest.js';

/** How a flag takes its value. `list` is a repeatable string flag. */
export type FlagType = 'string' | 'boolean' | 'number' | 'enum' | 'list';

/** One command-line flag. */
export interface FlagSpec {
  /** Long name without the dashes (`csv-separator`). */
  name: string;
  /** One-letter alias without the dash (`i`). */
  short?: string;
  type: FlagType;
  /** Allowed values of an `enum` flag (matched case-insensitively). */
  choices?: readonly string[];
  /** What the value is, for help (`FILE`, `N`). */
  placeholder?: string;
  /** One sentence for help. */
  description: string;
  /** Shown in help as the default. */
  default?: unknown;
  /** Environment variable used when the flag is absent, shown in help. */
  env?: string;
}

/** The parsed command line: values by flag name, and the arguments that are not flags. */
export interface ParsedArgs {
  values: Record<string, string | boolean | number | string[] | undefined>;
  positionals: string[];
}

/** How usage errors refer to the command, and where its help is. */
export interface ParseContext {
  /** `lsconv export -f CSV`. */
  command: string;
  /** `lsconv export -f CSV --help`. */
  helpCommand: string;
}

/**
 * Parses arguments against a closed set of flags: `--name value`, `--name=value`,
 * `-x value`, `-xvalue`, `--flag` / `--no-flag` for booleans, `--` ends the flags and
 * a lone `-` is a value (standard input). Unknown flags, missing and invalid values
 * throw an `INVALID_OPTION` error that names the flag and says where the help is.
 */
export function parseArgs(
  argv: readonly string[],
  flags: readonly FlagSpec[],
  context: ParseContext,
): ParsedArgs {
  const byName = new Map(flags.map((f) => [f.name, f]));
  const byShort = new Map(flags.filter((f) => f.short).map((f) => [f.short!, f]));
  const values: ParsedArgs['values'] = {};
  const positionals: string[] = [];
  const usage = (reason: string, hint = `see ${context.helpCommand}`) =>
    new LsconvError('INVALID_OPTION', reason, { hint });

  const assign = (flag: FlagSpec, shown: string, raw: string | true | false) => {
    if (flag.type === 'boolean') {
      values[flag.name] = typeof raw === 'boolean' ? raw : parseBoolean(raw, shown, usage);
      return;
    }
    if (typeof raw === 'boolean') throw usage(`${shown} needs a value`);
    values[flag.name] = convertValue(flag, shown, raw, usage, values[flag.name]);
  };

  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (token === '-' || !token.startsWith('-') || isNegativeNumber(token)) {
      positionals.push(token);
      continue;
    }
    let flag: FlagSpec | undefined;
    let shown: string;
    let inline: string | undefined;
    let negated = false;
    if (token.startsWith('--')) {
      const eq = token.indexOf('=');
      const name = eq === -1 ? token.slice(2) : token.slice(2, eq);
      inline = eq === -1 ? undefined : token.slice(eq + 1);
      shown = `--${name}`;
      flag = byName.get(name);
      if (!flag && name.startsWith('no-')) {
        const positive = byName.get(name.slice(3));
        if (positive?.type === 'boolean') {
          flag = positive;
          negated = true;
        }
      }
      if (!flag) throw unknownFlag(shown, flags, context);
    } else {
      const letter = token.slice(1, 2);
      shown = `-${letter}`;
      flag = byShort.get(letter);
      if (!flag) throw unknownFlag(token, flags, context);
      if (token.length > 2) {
        if (flag.type === 'boolean') throw unknownFlag(token, flags, context);
        inline = token.slice(2);
      }
    }
    if (flag.type === 'boolean') {
      if (negated && inline !== undefined) throw usage(`${shown} takes no value`);
      assign(flag, shown, inline ?? !negated);
      continue;
    }
    if (inline !== undefined) {
      assign(flag, shown, inline);
      continue;
    }
    const next = argv[i + 1];
    if (next === undefined || (next.startsWith('-') && next !== '-' && !isNegativeNumber(next))) {
      throw usage(
        `${shown} needs a value`,
        next === undefined
          ? `see ${context.helpCommand}`
          : `write ${shown}=${next} if the value starts with "-"`,
      );
    }
    assign(flag, shown, next);
    i++;
  }
  return { values, positionals };
}

/**
 * Finds the value of one flag without knowing every flag yet (the format's own flags
 * depend on `-f`). Returns every value given, in order.
 */
export function peekFlag(argv: readonly string[], long: string, short?: string): string[] {
  const found: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') break;
    if (token === `--${long}` || (short && token === `-${short}`)) {
      const next = argv[i + 1];
      if (next !== undefined) found.push(next);
      i++;
    } else if (token.startsWith(`--${long}=`)) {
      found.push(token.slice(long.length + 3));
    } else if (short && token.startsWith(`-${short}`) && !token.startsWith('--') && token.length > 2) {
      found.push(token.slice(2));
    }
  }
  return found;
}

/** True when `--help` or `-h` is among the arguments (before `--`). */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const token of argv) {
    if (token === '--') return false;
    if (token === '--help' || token === '-h') return true;
  }
  return false;
}

/** A declared option of a format or importer, as a flag. */
export interface OptionFlag {
  /** The option name (camelCase), as the format declares it. */
  option: string;
  flag: FlagSpec;
}

/** The flags of a set of declared options, from `optionFlag` of core. */
export function optionFlags(specs: OptionSpecs): OptionFlag[] {
  return Object.entries(specs).map(([option, spec]) => ({ option, flag: flagOfOption(option, spec) }));
}

/**
 * A definition's option flags, split into those shown and those hidden because one of
 * lsconv's own flags (or its `--no-` form) has the name; `reserved` holds those names.
 */
export function splitOptionFlags(
  specs: OptionSpecs,
  own: readonly FlagSpec[],
): { shown: OptionFlag[]; hidden: OptionFlag[]; reserved: ReadonlySet<string> } {
  const reserved = new Set(own.flatMap((f) => [f.name, `no-${f.name}`]));
  const shown: OptionFlag[] = [];
  const hidden: OptionFlag[] = [];
  for (const entry of optionFlags(specs)) (reserved.has(entry.flag.name) ? hidden : shown).push(entry);
  return { shown, hidden, reserved };
}

function flagOfOption(option: string, spec: OptionSpec): FlagSpec {
  const flag: FlagSpec = {
    name: optionFlag(option, spec),
    type: spec.type,
    description: spec.description,
    default: spec.default,
  };
  if (spec.type === 'enum') flag.choices = spec.choices;
  if (spec.type === 'number') flag.placeholder = 'N';
  return flag;
}

function convertValue(
  flag: FlagSpec,
  shown: string,
  raw: string,
  usage: (reason: string, hint?: string) => LsconvError,
  previous: ParsedArgs['values'][string],
): string | number | string[] {
  switch (flag.type) {
    case 'number': {
      const n = raw.trim() === '' ? Number.NaN : Number(raw);
      if (!Number.isFinite(n)) throw usage(`${shown} must be a number, got ${JSON.stringify(raw)}`);
      return n;
    }
    case 'enum': {
      const match = flag.choices?.find((c) => c.toLowerCase() === raw.toLowerCase());
      if (match === undefined) {
        throw usage(`${shown} must be one of ${(flag.choices ?? []).join(', ')}, got ${JSON.stringify(raw)}`);
      }
      return match;
    }
    case 'list':
      return [...(Array.isArray(previous) ? previous : []), raw];
    default:
      return raw;
  }
}

function parseBoolean(raw: string, shown: string, usage: (reason: string) => LsconvError): boolean {
  const text = raw.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(text)) return true;
  if (['false', '0', 'no', 'off'].includes(text)) return false;
  throw usage(
    `${shown} is a switch: write ${shown} or --no-${shown.replace(/^-+/, '')}, got ${JSON.stringify(raw)}`,
  );
}

function isNegativeNumber(token: string): boolean {
  return /^-\d+(\.\d+)?$/.test(token);
}

function unknownFlag(token: string, flags: readonly FlagSpec[], context: ParseContext): LsconvError {
  const name = token.replace(/^-+/, '').split('=')[0]!;
  const near = closest(
    name,
    flags.map((f) => f.name),
  );
  const hint = near ? `did you mean --${near}? see ${context.helpCommand}` : `see ${context.helpCommand}`;
  return new LsconvError('INVALID_OPTION', `unknown flag ${token.split('=')[0]} for ${context.command}`, {
    hint,
  });
}
