/** The flags of `lsconv export`: the common ones, the media ones, the Python converter's, and each format's; and its help. */
import { DEFAULT_FORMAT_ID, type FormatDefinition, type OptionSpecs, type Registry } from '@lsconv/core';
import { type FlagSpec, type OptionFlag, splitOptionFlags } from '../args.js';
import { columnStartOf, renderFlags, wrap } from '../help.js';
import { DATASET_FLAGS } from './dataset-flags.js';
import { GATE_FLAGS } from './gate.js';
import { definitionHelp, problemsHelp, RUN_FLAGS } from './shared.js';

/** The format used when `-f` is not given, as in the Python converter. */
export const DEFAULT_FORMAT = DEFAULT_FORMAT_ID;

/** The flags of every export. */
export const EXPORT_FLAGS: readonly FlagSpec[] = [
  {
    name: 'input',
    short: 'i',
    type: 'string',
    placeholder: 'INPUT',
    description:
      'The Label Studio export: a JSON file (a list of tasks or one task), a JSON Lines file, a folder of per-task JSON files, or - for standard input',
  },
  {
    name: 'config',
    short: 'c',
    type: 'string',
    placeholder: 'CONFIG',
    description:
      "The project's labeling config (XML). Optional, but formats that need it refuse to run without it",
  },
  {
    name: 'output',
    short: 'o',
    type: 'string',
    placeholder: 'OUTPUT',
    description:
      'Output folder, or zip file when it ends with .zip. Nothing appears under this name until the export has succeeded; an existing folder is replaced only when lsconv wrote it (see --merge)',
  },
  {
    name: 'merge',
    type: 'boolean',
    description:
      'Add the new files to an existing output folder, replacing same-named ones, even one lsconv did not write',
  },
  {
    name: 'format',
    short: 'f',
    type: 'string',
    placeholder: 'FORMAT',
    default: DEFAULT_FORMAT,
    description: 'Output format id, any case (lsconv formats lists them)',
  },
  {
    name: 'zip',
    type: 'boolean',
    description: 'Write one zip archive, OUTPUT.zip (or OUTPUT when it ends with .zip, which needs no --zip)',
  },
  {
    name: 'force',
    type: 'boolean',
    description: 'Export even when the format says it cannot export the labeling config',
  },
  {
    name: 'threads',
    type: 'number',
    placeholder: 'N',
    description:
      'Threads that parse and convert tasks (default: the number of cores); 1 runs in one thread. Output is identical either way',
  },
  ...GATE_FLAGS,
  ...RUN_FLAGS,
];

/** Flags that say where media (images, audio) referenced by tasks are found. */
export const RESOURCE_FLAGS: readonly FlagSpec[] = [
  {
    name: 'local-files-root',
    type: 'string',
    placeholder: 'DIR',
    env: 'LOCAL_FILES_DOCUMENT_ROOT',
    description: 'Root folder of /data/local-files/?d=... URLs',
  },
  {
    name: 'upload-dir',
    type: 'string',
    placeholder: 'DIR',
    env: 'LS_UPLOAD_DIR',
    description: "Label Studio's upload folder, holding <project>/<file> for /data/upload/... URLs",
  },
  {
    name: 'project-dir',
    type: 'string',
    placeholder: 'DIR',
    description: 'A Label Studio project folder; its upload/ is used when --upload-dir is not given',
  },
  {
    name: 'ls-url',
    type: 'string',
    placeholder: 'URL',
    env: 'LABEL_STUDIO_URL',
    description: 'Label Studio server, for relative media URLs and cloud storage links',
  },
  {
    name: 'ls-token',
    type: 'string',
    placeholder: 'TOKEN',
    env: 'LABEL_STUDIO_API_KEY',
    description: 'API token, sent only to the --ls-url host',
  },
  {
    name: 'cache-dir',
    type: 'string',
    placeholder: 'DIR',
    description: 'Keep downloaded media here; a second run reuses them',
  },
  {
    name: 'download-resources',
    type: 'boolean',
    description: 'Copy or download the media into the output, for formats that include images or audio',
  },
  { name: 'concurrency', type: 'number', placeholder: 'N', description: 'Parallel downloads' },
  {
    name: 'download-deadline',
    type: 'number',
    placeholder: 'SECONDS',
    description:
      'Longest time one media download may take, retries included, before it is given up and reported (default 600)',
  },
];

/**
 * The flags of the Python converter's command line, accepted so scripts switch by
 * changing the command name. A format that has an option for one says so on the option
 * (`pythonFlag`): the flag then sets it; formats without one ignore it, as the Python
 * command line does.
 */
export const PYTHON_FLAGS: readonly FlagSpec[] = [
  {
    name: 'csv-separator',
    type: 'string',
    placeholder: 'SEP',
    description: "Sets the format's option that declares this Python flag; ignored by formats without one",
  },
  {
    name: 'csv-no-header',
    type: 'boolean',
    description: "Sets the format's option that declares this Python flag; ignored by formats without one",
  },
  {
    name: 'image-dir',
    type: 'string',
    placeholder: 'DIR',
    description: "Sets the format's option that declares this Python flag; ignored by formats without one",
  },
  {
    name: 'heartex-format',
    type: 'boolean',
    description: 'Accepted and ignored: the input kind is detected from its content',
  },
  {
    name: 'brush-to-coco',
    type: 'boolean',
    description: 'Accepted and ignored, as the Python converter does; choose the format with -f',
  },
];

/**
 * {@link PYTHON_FLAGS} and the other Python flags the installed formats declare on their
 * options (`pythonFlag`), each once, naming the formats that use each.
 */
export function pythonOptionFlags(registry: Registry): FlagSpec[] {
  const users = new Map<string, string[]>();
  const flags = new Map<string, FlagSpec>(PYTHON_FLAGS.map((f) => [f.name, f]));
  for (const { format } of registry.formats.values()) {
    for (const spec of Object.values(format.options as OptionSpecs)) {
      if (!spec.pythonFlag) continue;
      users.set(spec.pythonFlag, [...(users.get(spec.pythonFlag) ?? []), format.id]);
      if (flags.has(spec.pythonFlag)) continue;
      const type = spec.type === 'boolean' || spec.type === 'number' ? spec.type : 'string';
      const flag: FlagSpec = { name: spec.pythonFlag, type, description: '' };
      if (type !== 'boolean') flag.placeholder = type === 'number' ? 'N' : 'VALUE';
      flags.set(spec.pythonFlag, flag);
    }
  }
  return [...flags.values()].map((flag) => {
    const formats = users.get(flag.name);
    return formats
      ? { ...flag, description: `Python converter flag of ${formats.join(', ')}; ignored by other formats` }
      : flag;
  });
}

/** A Python flag that sets an option of the chosen format under another name than its own flag. */
export interface PythonAlias {
  flag: string;
  option: string;
  negates: boolean;
}

/** The flags of an export to one format: the common ones, the format's own, and the Python ones it does not shadow. */
export function exportFlagTable(
  format: FormatDefinition<OptionSpecs>,
  registry: Registry,
): {
  flags: FlagSpec[];
  formatFlags: OptionFlag[];
  hidden: OptionFlag[];
  aliases: PythonAlias[];
} {
  const {
    shown: formatFlags,
    hidden,
    reserved,
  } = splitOptionFlags(format.options, [...EXPORT_FLAGS, ...RESOURCE_FLAGS, ...DATASET_FLAGS]);
  const own = new Set(formatFlags.map((f) => f.flag.name));
  const aliases = Object.entries(format.options as OptionSpecs).flatMap(([option, spec]) =>
    spec.pythonFlag && !own.has(spec.pythonFlag) && !reserved.has(spec.pythonFlag)
      ? [{ flag: spec.pythonFlag, option, negates: spec.pythonFlagNegates === true }]
      : [],
  );
  const python = pythonOptionFlags(registry).filter((f) => !own.has(f.name));
  return {
    flags: [
      ...EXPORT_FLAGS,
      ...RESOURCE_FLAGS,
      ...DATASET_FLAGS,
      ...formatFlags.map((f) => f.flag),
      ...python,
    ],
    formatFlags,
    hidden,
    aliases,
  };
}

/** Help for `lsconv export`, listing every format and its options, or one format's. */
export function exportHelp(
  registry: Registry,
  only: FormatDefinition<OptionSpecs> | undefined,
  width: number,
): string[] {
  const formats = only ? [only] : [...registry.formats.values()].map((f) => f.format);
  const tables = new Map(formats.map((format) => [format, exportFlagTable(format, registry)]));
  const python = pythonOptionFlags(registry);
  const column = Math.max(
    columnStartOf([...EXPORT_FLAGS, ...RESOURCE_FLAGS, ...DATASET_FLAGS, ...python]),
    ...[...tables.values()].map((t) =>
      columnStartOf(
        t.formatFlags.map((f) => f.flag),
        4,
      ),
    ),
  );
  const lines = [
    'Usage: lsconv export -i INPUT [-c CONFIG] -o OUTPUT [-f FORMAT] [format flags] [flags]',
    '',
    ...wrap(
      'Converts a Label Studio export to FORMAT. Tasks are streamed: memory holds one task at a time unless the format needs more. ' +
        'Nothing is written under OUTPUT unless the export succeeds.',
      width,
    ),
    '',
    'Flags:',
    ...renderFlags(EXPORT_FLAGS, width, 2, column),
    '',
    'Media (images, audio) the tasks point at:',
    ...renderFlags(RESOURCE_FLAGS, width, 2, column),
    '',
    'Training-ready datasets (every format):',
    ...renderFlags(DATASET_FLAGS, width, 2, column),
    '',
    'Python converter flags (accepted, so scripts switch by changing the command name):',
    ...renderFlags(python, width, 2, column),
    '',
    only ? `Format ${only.id}:` : 'Formats (-f) and their flags:',
  ];
  for (const format of formats) {
    const origin = [...registry.formats.values()].find((f) => f.format === format)?.origin;
    const { formatFlags, hidden } = tables.get(format)!;
    lines.push(...definitionHelp(format, origin, formatFlags, hidden, width, column));
  }
  if (!only)
    lines.push(
      ...problemsHelp(registry, 'Plugins that could not be loaded (lsconv formats says more):', width),
    );
  lines.push(
    '',
    ...wrap(
      'Exit codes: 0 done; 1 conversion failed; 2 wrong command line; 3 nothing written although the input had regions (--allow-empty exits 0); 4 a loss named by --fail-on or --strict; 130/143 interrupted. With 1, 3, 4 and 130/143 the output is left as it was.',
      width,
    ),
  );
  return lines;
}
