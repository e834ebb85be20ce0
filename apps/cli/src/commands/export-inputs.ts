/** What `lsconv export` reads from its command line and disk before converting: the labeling config, the options, the media settings, the output target. */
import { promises as fs, readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import {
  defaultThreads,
  emptyLabelConfig,
  type FormatDefinition,
  isLsconvError,
  type LabelConfig,
  LsconvError,
  type OptionSpecs,
  OUTPUT_MARKER,
  type OutsideFolder,
  parseLabelConfig,
  type ResourceOptions,
} from '@lsconv/core';
import type { OptionFlag, ParsedArgs } from '../args.js';
import { type CliIo, userPath } from '../io.js';
import type { PythonAlias } from './export-flags.js';
import { stringValue, usageError } from './shared.js';

/** The `--threads` value: a positive whole number, the core count when not given. */
export function threadCount(value: unknown): number {
  if (value === undefined) return defaultThreads();
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 256) {
    throw usageError(
      `--threads must be a whole number from 1 to 256, got ${String(value)}`,
      'for example --threads 4',
    );
  }
  return value;
}

/** Largest labeling config read (the config parser refuses larger ones anyway). */
const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

/** Reads and parses the labeling config; an unreadable file is a `CONFIG_READ` error naming it. */
export async function readLabelConfig(io: CliIo, file: string): Promise<LabelConfig> {
  const path = userPath(io, file);
  let xml: string;
  try {
    const stat = await fs.stat(path);
    if (stat.isDirectory()) {
      throw new LsconvError('CONFIG_READ', 'the labeling config is a folder, not a file', {
        file,
        hint: 'give the XML file with -c config.xml',
      });
    }
    if (stat.size > MAX_CONFIG_BYTES) {
      throw new LsconvError('CONFIG_READ', `the labeling config is larger than ${MAX_CONFIG_BYTES} bytes`, {
        file,
        hint: 'a labeling config is a small XML file; check the path given with -c',
      });
    }
    xml = await fs.readFile(path, 'utf8');
  } catch (error) {
    if (isLsconvError(error)) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new LsconvError(
      'CONFIG_READ',
      `cannot read the labeling config: ${code === 'ENOENT' ? 'no such file' : (code ?? error)}`,
      {
        file,
        hint: 'check the path given with -c',
      },
    );
  }
  // Editors on Windows save XML with a byte order mark; the XML parser would see text before the root.
  if (xml.charCodeAt(0) === 0xfeff) xml = xml.slice(1);
  return parseLabelConfig(xml, { file });
}

/**
 * The labeling config of `-c`, or none; without one, a format that needs one is refused
 * (unless `--force`) before any task is read.
 */
export async function exportConfig(
  io: CliIo,
  configFile: string | undefined,
  format: FormatDefinition<OptionSpecs>,
  force: boolean,
): Promise<LabelConfig | undefined> {
  const config = configFile === undefined ? undefined : await readLabelConfig(io, configFile);
  if (config || force) return config;
  const support = format.supports(emptyLabelConfig());
  if (!support.ok) {
    throw new LsconvError(
      'UNSUPPORTED_CONFIG',
      `format ${format.id} needs a labeling config: ${support.reason}`,
      {
        hint: "give the project's labeling config with -c config.xml",
      },
    );
  }
  return undefined;
}

export function formatOptions(
  formatFlags: readonly OptionFlag[],
  aliases: readonly PythonAlias[],
  values: ParsedArgs['values'],
): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const { option, flag } of formatFlags) {
    if (values[flag.name] !== undefined) options[option] = values[flag.name];
  }
  // The format's own flag wins over the Python name of the same option.
  for (const { flag, option, negates } of aliases) {
    const value = values[flag];
    if (value !== undefined && options[option] === undefined) options[option] = negates ? !value : value;
  }
  return options;
}

export function resourceOptions(io: CliIo, values: ParsedArgs['values'], input: string): ResourceOptions {
  const env = (name: string) => (io.env[name] ? io.env[name] : undefined);
  const path = (value: unknown) =>
    typeof value === 'string' && value !== '' ? resolve(io.cwd, value) : undefined;
  const concurrency = values.concurrency;
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || (concurrency as number) < 1)) {
    throw usageError(
      `--concurrency must be a whole number of at least 1, got ${String(concurrency)}`,
      'for example --concurrency 8',
    );
  }
  const deadline = values['download-deadline'];
  if (
    deadline !== undefined &&
    (typeof deadline !== 'number' || !(deadline > 0) || !Number.isFinite(deadline))
  ) {
    throw usageError(
      `--download-deadline must be a number of seconds above 0, got ${String(deadline)}`,
      'for example --download-deadline 120',
    );
  }
  const options: ResourceOptions = {
    localFilesRoot: path(values['local-files-root'] ?? env('LOCAL_FILES_DOCUMENT_ROOT')),
    uploadDir: path(values['upload-dir'] ?? env('LS_UPLOAD_DIR')),
    projectDir: path(values['project-dir']),
    baseDir: baseDirOf(io, input),
    lsUrl: stringValue(values['ls-url']) ?? env('LABEL_STUDIO_URL'),
    lsToken: stringValue(values['ls-token']) ?? env('LABEL_STUDIO_API_KEY'),
    cacheDir: path(values['cache-dir']),
    download: values['download-resources'] === true ? true : undefined,
    concurrency: concurrency as number | undefined,
    deadlineMs: deadline === undefined ? undefined : Math.max(1, Math.round((deadline as number) * 1000)),
    strict: values.strict === true ? true : undefined,
  };
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as ResourceOptions;
}

/** Relative media paths in tasks are relative to the input's folder (the folder itself for a folder of task files). */
function baseDirOf(io: CliIo, input: string): string {
  if (input === '-') return io.cwd;
  const path = resolve(io.cwd, input);
  try {
    return statSync(path).isDirectory() ? path : dirname(path);
  } catch {
    return dirname(path);
  }
}

/**
 * Refuses early, before reading any task, an output that the export could not take:
 * a folder for a zip, a file for a folder, or a non-empty folder lsconv did not write
 * (unless `merge`). The sink applies the same rule again when it commits.
 */
export function checkOutputTarget(io: CliIo, target: string, zip: boolean, merge = false): void {
  let stat: ReturnType<typeof statSync> | undefined;
  try {
    stat = statSync(userPath(io, target));
  } catch {
    return;
  }
  if (zip && stat.isDirectory()) {
    throw new LsconvError('OUTPUT_EXISTS', `the output ${target} is a folder, not a zip file`, {
      hint: 'choose another -o path; a name ending in .zip writes a zip file',
    });
  }
  if (!zip && !stat.isDirectory()) {
    throw new LsconvError('OUTPUT_EXISTS', `the output ${target} exists and is not a folder`, {
      hint: 'choose another -o path, or add --zip to write a zip file',
    });
  }
  if (zip || merge) return;
  const names = readdirSync(userPath(io, target));
  if (names.length > 0 && !names.includes(OUTPUT_MARKER)) {
    throw new LsconvError(
      'OUTPUT_EXISTS',
      `the output folder ${target} is not empty and was not written by lsconv`,
      {
        hint: 'choose another output folder, empty this one, or add --merge to add the new files to it',
      },
    );
  }
}

/**
 * The option set by `--image-dir` (the one whose `pythonFlag` is `image-dir`), made
 * relative to the output: a folder the user typed is theirs. An absolute one inside the
 * output is taken as it is meant; one outside it is where the images go, and the output
 * refers to them by their path relative to it (`../images/a.jpg`). Returns that outside
 * folder (to wrap the sink with `withOutsideFolder`), or undefined.
 */
export function imageDirInOutput(
  format: FormatDefinition<OptionSpecs>,
  options: Record<string, unknown>,
  io: CliIo,
  output: string,
): OutsideFolder | undefined {
  const option = Object.entries(format.options as OptionSpecs).find(
    ([, spec]) => spec.pythonFlag === 'image-dir',
  )?.[0];
  const value = option === undefined ? undefined : options[option];
  if (option === undefined || typeof value !== 'string') return undefined;
  // A relative folder is relative to the output; only one with `..` needs resolving.
  if (!isAbsolute(value) && !/(^|[\\/])\.\.([\\/]|$)/.test(value)) return undefined;
  // A zip's folder is the one it unpacks to (`out.zip` → `out/`).
  const base = resolve(io.cwd, output.replace(/\.zip$/i, ''));
  const inside = relative(base, resolve(base, value));
  if (inside === '' || isAbsolute(inside)) {
    throw usageError(
      `--image-dir ${value} cannot be the output folder itself`,
      'give a folder inside the output (such as images) or beside it',
    );
  }
  options[option] = inside.split(sep).join('/');
  if (inside !== '..' && !inside.startsWith(`..${sep}`)) return undefined;
  return { prefix: options[option] as string, folder: resolve(base, value) };
}
