import { LsconvError } from './errors.js';

/** What every declared option has besides its type and default. */
interface OptionSpecBase {
  /** What it does, for --help, the API and the README options table. */
  description: string;
  /** The CLI flag, when not the kebab-case of the option name. */
  flag?: string;
  /**
   * The flag the Python converter's command line has for this option (`csv-separator`),
   * without dashes. The CLI accepts it for this format, and accepts and ignores it for
   * formats without such an option, as the Python command line does.
   */
  pythonFlag?: string;
  /** For a boolean option: giving the Python flag turns it off (`csv-no-header` for a `header` option). */
  pythonFlagNegates?: boolean;
}

/** A declared option of a format or importer. */
export type OptionSpec = OptionSpecBase &
  (
    | { type: 'string'; default?: string; choices?: undefined }
    | { type: 'enum'; default?: string; choices: readonly string[] }
    | { type: 'boolean'; default?: boolean; choices?: undefined }
    | { type: 'number'; default?: number; choices?: undefined; min?: number; max?: number }
  );

/** A set of declared options, by name (camelCase). */
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** The values a set of option specs yields. */
export type OptionValues<O extends OptionSpecs> = {
  readonly [K in keyof O]: O[K] extends { type: 'boolean' }
    ? boolean
    : O[K] extends { type: 'number' }
      ? number
      : O[K] extends { type: 'enum'; choices: readonly (infer C)[] }
        ? C
        : string;
};

/** The CLI flag of an option: its `flag`, else the kebab-case of its name. */
export function optionFlag(name: string, spec: OptionSpec): string {
  return spec.flag ?? name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Checks a set of option specs at definition time. */
export function checkOptionSpecs(owner: string, specs: OptionSpecs): void {
  for (const [name, spec] of Object.entries(specs)) {
    const where = `${owner} option "${name}"`;
    if (!/^[a-z][A-Za-z0-9]*$/.test(name)) {
      throw new LsconvError('INVALID_DEFINITION', `${where}: names are camelCase letters and digits`);
    }
    if (!spec || typeof spec.description !== 'string' || spec.description.trim() === '') {
      throw new LsconvError('INVALID_DEFINITION', `${where} needs a description`);
    }
    if (!['string', 'enum', 'boolean', 'number'].includes(spec.type)) {
      throw new LsconvError('INVALID_DEFINITION', `${where} has unknown type "${String(spec.type)}"`);
    }
    if (spec.pythonFlag !== undefined && !/^[a-z][a-z0-9-]*$/.test(spec.pythonFlag)) {
      throw new LsconvError(
        'INVALID_DEFINITION',
        `${where}: pythonFlag is a flag name without dashes, like csv-separator`,
      );
    }
    if (spec.pythonFlagNegates !== undefined && (spec.type !== 'boolean' || spec.pythonFlag === undefined)) {
      throw new LsconvError(
        'INVALID_DEFINITION',
        `${where}: pythonFlagNegates is for a boolean option with a pythonFlag`,
      );
    }
    if (spec.type === 'enum' && (!Array.isArray(spec.choices) || spec.choices.length === 0)) {
      throw new LsconvError('INVALID_DEFINITION', `${where} is an enum without choices`);
    }
    if (spec.default !== undefined) {
      const ok =
        spec.type === 'enum'
          ? spec.choices.includes(spec.default)
          : typeof spec.default ===
            (spec.type === 'number' ? 'number' : spec.type === 'boolean' ? 'boolean' : 'string');
      if (!ok)
        throw new LsconvError('INVALID_DEFINITION', `${where} has a default that does not fit its type`);
    }
  }
}

/**
 * Validates and completes option values (from the CLI, the API or code): unknown
 * names are refused, strings are coerced for booleans and numbers, defaults filled in.
 */
export function resolveOptions<O extends OptionSpecs>(
  owner: string,
  specs: O,
  given: Readonly<Record<string, unknown>> = {},
): OptionValues<O> {
  const values: Record<string, unknown> = {};
  for (const name of Object.keys(given)) {
    if (given[name] !== undefined && !(name in specs)) {
      const known = Object.keys(specs);
      throw new LsconvError('INVALID_OPTION', `${owner} has no option "${name}"`, {
        hint: known.length ? `its options are: ${known.join(', ')}` : `${owner} takes no options`,
      });
    }
  }
  for (const [name, spec] of Object.entries(specs)) {
    const raw = given[name];
    if (raw === undefined) {
      values[name] = spec.default ?? (spec.type === 'boolean' ? false : spec.type === 'number' ? 0 : '');
      continue;
    }
    values[name] = coerce(owner, name, spec, raw);
  }
  return Object.freeze(values) as OptionValues<O>;
}

function coerce(owner: string, name: string, spec: OptionSpec, raw: unknown): unknown {
  const fail = (expected: string) =>
    new LsconvError(
      'INVALID_OPTION',
      `${owner} option "${name}" must be ${expected}, got ${JSON.stringify(raw)}`,
    );
  switch (spec.type) {
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      const text = String(raw).toLowerCase();
      if (['true', '1', 'yes', 'on', 'y', 't'].includes(text)) return true;
      if (['false', '0', 'no', 'off', 'n', 'f', ''].includes(text)) return false;
      throw fail('true or false');
    }
    case 'number': {
      const n = typeof raw === 'number' ? raw : Number(String(raw));
      if (!Number.isFinite(n)) throw fail('a number');
      if (spec.min !== undefined && n < spec.min) throw fail(`at least ${spec.min}`);
      if (spec.max !== undefined && n > spec.max) throw fail(`at most ${spec.max}`);
      return n;
    }
    case 'enum': {
      const text = String(raw);
      const match = spec.choices.find((c) => c.toLowerCase() === text.toLowerCase());
      if (match === undefined) throw fail(`one of ${spec.choices.join(', ')}`);
      return match;
    }
    default:
      if (typeof raw !== 'string') throw fail('a string');
      return raw;
  }
}
