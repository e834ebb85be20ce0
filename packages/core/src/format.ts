import type { DatasetInfo } from './dataset.js';
import { LsconvError } from './errors.js';
import type { LabelConfig } from './label-config.js';
import type { NumberParsing } from './numbers.js';
import { checkOptionSpecs, type OptionSpecs, type OptionValues } from './options.js';
import type { ConversionReport } from './report.js';
import type { ResourceResolver } from './resources/types.js';
import type { Sink } from './sinks/types.js';
import type { Task } from './task.js';

/** Version of the plugin contract. A host refuses definitions of another major. */
export const PLUGIN_API_VERSION = 1;

/** Whether a labeling config can be exported to a format, and why not. */
/**
 * Whether a format can export a labeling config. A refusal with `exportable` is one Label
 * Studio makes (it does not offer the format for the config) while the Python converter's
 * command line exports it: hosts leave the format out of what they offer, and `runExport`
 * under `compat: 'python'` goes on with a warning in the report instead of refusing (without
 * it, the refusal's hint points at `--compat python`).
 */
export type Support = { ok: true } | { ok: false; reason: string; exportable?: boolean };

/** Python converter compatibility: `python` reproduces its output exactly, quirks included. */
export type CompatMode = 'default' | 'python';

/** What a format's `export` receives besides the tasks. */
export interface ExportContext<V = Readonly<Record<string, unknown>>> {
  /** The format id. */
  readonly format: string;
  /** The parsed labeling config. */
  readonly config: LabelConfig;
  /** Validated option values, defaults filled in. */
  readonly options: V;
  /** The dataset options of the export (splits, class map, annotation choice), when any is given. */
  readonly dataset?: DatasetInfo | undefined;
  /** Where to write files. */
  readonly sink: Sink;
  /** Where to record skipped regions and tasks. */
  readonly report: ConversionReport;
  /** `python` to reproduce the Python converter exactly. */
  readonly compat: CompatMode;
  /** Aborted when the user cancels. */
  readonly signal: AbortSignal;
  /** The input, for messages (`tasks.json`, `standard input`). */
  readonly input: string;
  /** Finds, names, downloads and inspects the media the tasks point at. */
  readonly resources: ResourceResolver;
}

/**
 * What `defineFormat` takes. `P` is what `export` iterates: the value `prepare` returns
 * for each task, or the task itself when the format has no `prepare`.
 */
export interface FormatSpec<O extends OptionSpecs = OptionSpecs, P = Task> {
  /** Label Studio's `exportType` name, verbatim: `COCO`, `YOLO_OBB`… */
  id: string;
  /** Short human title (`YOLOv8 OBB`). */
  title: string;
  /** One or two sentences: what the output is and who reads it. */
  description: string;
  /** Documentation link. */
  link?: string;
  /** Keywords (`object detection`…), as Label Studio lists them. */
  tags?: readonly string[];
  /** Whether the output is one file or a folder of files. */
  output: 'file' | 'folder';
  /** Declared options: CLI flags, API parameters and the README table come from them. */
  options?: O;
  /** Whether a labeling config can be exported; defaults to always. */
  supports?(config: LabelConfig): Support;
  /**
   * True when the format writes task values through as they were written (JSON_MIN,
   * CSV, the task id in a file name): tasks are then parsed keeping the source tokens
   * of the numbers JavaScript would change, integers beyond 2^53 and, under `--compat
   * python`, floats Python spells otherwise (`80.0`, `1e-05`); writers read them with
   * `numberToken` or `jsonWithSpellings`. Formats that only compute with numbers leave
   * it off and skip that work. Default false.
   */
  keepsNumberSpelling?: boolean;
  /**
   * True when the format writes every task back as the bytes it was read from
   * (`rawTaskJson`): hosts then open the task source keeping a raw copy of each task.
   * Others leave it off and spare that memory. Default false.
   */
  writesRawTasks?: boolean;
  /**
   * True when the format writes the split layout its trainers read with `--split` (each
   * prepared task's split from `taskSplit`): folders, files or a column per split. An export
   * with a split to a format without one says so in its report (the tasks still carry
   * `meta.split`). Default false.
   */
  splitLayout?: boolean;
  /**
   * Where the format stands in Label Studio's export menu (the order of the Python
   * converter's formats, 0 first). Hosts that list formats as Label Studio does sort
   * by it; formats without one come after, in discovery order.
   */
  menuPosition?: number;
  /**
   * Optional per-task work: a pure, synchronous function of one task returning a
   * structured-clone-friendly value (strings, numbers, arrays, plain objects, typed
   * arrays). The runner always applies it, in this thread or on a pool of worker
   * threads for large inputs, and hands `export` the values in input order, so the
   * output does not depend on where they were prepared. Skips and warnings it records
   * on `pctx.report` are merged into the export's report in input order.
   */
  prepare?(task: Task, pctx: PrepareContext<OptionValues<O>>): P;
  /**
   * Converts the input, writing through `ctx.sink`: the prepared values in input order
   * when the format has `prepare`, otherwise the tasks. Iterate `items` once.
   */
  export(items: AsyncIterable<P>, ctx: ExportContext<OptionValues<O>>): Promise<void>;
}

/**
 * What a format's `prepare` receives. It may run in a worker thread, so it has no
 * sink and no resources; skips and warnings recorded on `report` are shipped back
 * and merged into the export's report in input order.
 */
export interface PrepareContext<V = Readonly<Record<string, unknown>>> {
  /** The format id. */
  readonly format: string;
  /** The parsed labeling config. */
  readonly config: LabelConfig;
  /** Validated option values. */
  readonly options: V;
  /** The dataset options of the export, when any is given (see {@link ExportContext.dataset}). */
  readonly dataset?: DatasetInfo | undefined;
  /** `python` to reproduce the Python converter exactly. */
  readonly compat: CompatMode;
  /** The input, for messages. */
  readonly input: string;
  /** Position of the task in the input (0-based). */
  readonly taskIndex: number;
  /** Where to record skips and warnings (counters are `export`'s business). */
  readonly report: ConversionReport;
}

/** A validated, frozen format definition. */
export interface FormatDefinition<O extends OptionSpecs = OptionSpecs, P = any>
  extends Readonly<Required<Omit<FormatSpec<O, P>, 'link' | 'prepare' | 'menuPosition'>>> {
  readonly kind: 'lsconv-format';
  readonly apiVersion: number;
  readonly link: string | undefined;
  /** Its place in Label Studio's export menu, when it has one. */
  readonly menuPosition: number | undefined;
  /** The per-task step that may run on worker threads, when the format has one. */
  readonly prepare: FormatSpec<O, P>['prepare'] | undefined;
}

/**
 * Defines a format. Checks the metadata and options at definition time and freezes
 * the result, so a broken plugin fails when it is loaded, not in the middle of an export.
 */
export function defineFormat<const O extends OptionSpecs = Record<never, never>, P = Task>(
  spec: FormatSpec<O, P>,
): FormatDefinition<O, P> {
  const id = spec?.id;
  if (typeof id !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(id)) {
    throw new LsconvError(
      'INVALID_DEFINITION',
      `format id ${JSON.stringify(id)} must be upper-case letters, digits and _`,
      {
        hint: "use Label Studio's exportType name, e.g. COCO or YOLO_OBB",
      },
    );
  }
  for (const key of ['title', 'description'] as const) {
    if (typeof spec[key] !== 'string' || spec[key].trim() === '') {
      throw new LsconvError('INVALID_DEFINITION', `format ${id} needs a ${key}`);
    }
  }
  if (spec.output !== 'file' && spec.output !== 'folder') {
    throw new LsconvError('INVALID_DEFINITION', `format ${id}: output must be "file" or "folder"`);
  }
  if (typeof spec.export !== 'function') {
    throw new LsconvError('INVALID_DEFINITION', `format ${id} needs an export(items, ctx) function`);
  }
  if (spec.prepare !== undefined && typeof spec.prepare !== 'function') {
    throw new LsconvError('INVALID_DEFINITION', `format ${id}: prepare must be a function`);
  }
  if (spec.supports !== undefined && typeof spec.supports !== 'function') {
    throw new LsconvError('INVALID_DEFINITION', `format ${id}: supports must be a function`);
  }
  const tags = spec.tags ?? [];
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string')) {
    throw new LsconvError('INVALID_DEFINITION', `format ${id}: tags must be strings`);
  }
  const options = (spec.options ?? {}) as O;
  checkOptionSpecs(`format ${id}`, options);
  if (
    spec.menuPosition !== undefined &&
    (!Number.isInteger(spec.menuPosition) || (spec.menuPosition as number) < 0)
  ) {
    throw new LsconvError('INVALID_DEFINITION', `format ${id}: menuPosition must be a whole number >= 0`);
  }
  const supports = spec.supports ?? (() => ({ ok: true }) as const);
  return Object.freeze({
    kind: 'lsconv-format' as const,
    apiVersion: PLUGIN_API_VERSION,
    id,
    title: spec.title,
    description: spec.description,
    link: spec.link,
    output: spec.output,
    tags: Object.freeze([...tags]),
    options: Object.freeze(
      Object.fromEntries(Object.entries(options).map(([k, v]) => [k, Object.freeze({ ...v })])),
    ) as O,
    supports,
    keepsNumberSpelling: spec.keepsNumberSpelling === true,
    writesRawTasks: spec.writesRawTasks === true,
    splitLayout: spec.splitLayout === true,
    menuPosition: spec.menuPosition,
    prepare: spec.prepare,
    export: spec.export,
  });
}

/**
 * Which number tokens tasks are parsed keeping for a format (see numbers.ts): none unless
 * it keeps number spelling; then integers beyond 2^53, and Python's float spellings too
 * under compat python.
 */
export function numberParsingFor(
  format: Pick<FormatDefinition<any>, 'keepsNumberSpelling'>,
  compat: CompatMode,
): NumberParsing {
  if (format.keepsNumberSpelling !== true) return 'none';
  return compat === 'python' ? 'python' : 'exact';
}

/** True when a value is a format definition (from this or another copy of core). */
export function isFormatDefinition(value: unknown): value is FormatDefinition {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'lsconv-format' &&
    typeof (value as { id?: unknown }).id === 'string' &&
    typeof (value as { export?: unknown }).export === 'function'
  );
}

/** What an importer's `run` receives. */
export interface ImportContext<V = Readonly<Record<string, unknown>>> {
  /** The input path (a folder or a file). */
  readonly input: string;
  /** Validated option values. */
  readonly options: V;
  /** Where to record what could not be imported (file and line). */
  readonly report: ConversionReport;
  /** `python` to reproduce the Python converter exactly. */
  readonly compat: CompatMode;
  /** Aborted when the user cancels. */
  readonly signal: AbortSignal;
}

/** What an importer returns: tasks and the labeling config that fits them. */
export interface ImportResult {
  tasks: AsyncIterable<Task> | Iterable<Task>;
  /** A labeling config XML for the imported tasks. */
  labelConfig: string;
}

/** What `defineImporter` takes. */
export interface ImporterSpec<O extends OptionSpecs = OptionSpecs> {
  /** Lower-case name used on the command line: `lsconv import yolo`. */
  id: string;
  title: string;
  description: string;
  options?: O;
  /** Reads the dataset. */
  run(ctx: ImportContext<OptionValues<O>>): Promise<ImportResult>;
}

/** A validated, frozen importer definition. */
export interface ImporterDefinition<O extends OptionSpecs = OptionSpecs>
  extends Readonly<Required<ImporterSpec<O>>> {
  readonly kind: 'lsconv-importer';
  readonly apiVersion: number;
}

/** Defines an importer (YOLO, COCO, VOC → Label Studio tasks). */
export function defineImporter<const O extends OptionSpecs = Record<never, never>>(
  spec: ImporterSpec<O>,
): ImporterDefinition<O> {
  const id = spec?.id;
  if (typeof id !== 'string' || !/^[a-z][a-z0-9-]*$/.test(id)) {
    throw new LsconvError(
      'INVALID_DEFINITION',
      `importer id ${JSON.stringify(id)} must be lower-case letters, digits and -`,
    );
  }
  for (const key of ['title', 'description'] as const) {
    if (typeof spec[key] !== 'string' || spec[key].trim() === '') {
      throw new LsconvError('INVALID_DEFINITION', `importer ${id} needs a ${key}`);
    }
  }
  if (typeof spec.run !== 'function')
    throw new LsconvError('INVALID_DEFINITION', `importer ${id} needs a run(ctx) function`);
  const options = (spec.options ?? {}) as O;
  checkOptionSpecs(`importer ${id}`, options);
  return Object.freeze({
    kind: 'lsconv-importer' as const,
    apiVersion: PLUGIN_API_VERSION,
    id,
    title: spec.title,
    description: spec.description,
    options,
    run: spec.run,
  });
}

/** True when a value is an importer definition. */
export function isImporterDefinition(value: unknown): value is ImporterDefinition {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'lsconv-importer' &&
    typeof (value as { run?: unknown }).run === 'function'
  );
}
