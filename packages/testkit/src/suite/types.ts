import type {
  CompatMode,
  ConversionReport,
  FormatDefinition,
  LabelConfig,
  MemorySink,
  RunExportOptions,
  Task,
} from '@lsconv/core';
import type { CompareOptions } from '../compare.js';

/** A labeling config and tasks that fit a format, for the shared edge cases. */
export interface SampleCase {
  /** The labeling config XML. */
  config: string;
  /** Tasks as in a Label Studio export; at least one should carry an annotation with results. */
  tasks: readonly unknown[];
  /** Folder that media paths in the tasks are relative to (default: the current directory). */
  dir?: string;
  /** Run arguments as in a conformance case's `export_args`. */
  exportArgs?: Readonly<Record<string, unknown>>;
}

/**
 * What a format's output carries, for the edge cases that check it is kept exactly.
 * `true`: the output carries it, and the check asserts it is there, exact (huge ids,
 * unicode). `false`: the output does not carry it, and the check asserts it is absent
 * (and, for ids, that the output does not change with them). A promise the sample cannot
 * show (no free text, no data text) fails when declared `true`.
 */
export interface FormatPromises {
  /** The task id appears in the output (default `true`). */
  taskIds?: boolean;
  /** The annotation id appears in the output (default `true`). */
  annotationIds?: boolean;
  /** Labels of the regions (as the config declares them) appear (default `true` when the sample has one). */
  labels?: boolean;
  /** Free-text results (TextArea) appear (default: not checked). */
  texts?: boolean;
  /** Text values of the task data appear, whole (default: not checked). */
  data?: boolean;
  /**
   * A task with several annotators: `all` (default) exports every annotator's regions;
   * `latest` (or `oldest`) writes the newest (or oldest) annotation only, and reports each
   * other one in the report (an `annotation` entry, or an entry for each of its regions).
   */
  annotators?: 'all' | 'latest' | 'oldest';
  /** What differs in one compat mode (merged over the rest). */
  inCompat?: Partial<Record<CompatMode, Omit<FormatPromises, 'inCompat'>>>;
}

/** Options of {@link describeFormatSuite}. */
export interface FormatSuiteOptions {
  /** The conformance folder (default: the shared cases and the repository's own, see {@link loadConformanceCases}). */
  conformanceDir?: string;
  /** Set to false to skip the conformance cases and the support checks (a format with no reference output). */
  conformance?: boolean;
  /** Set to false to skip the metadata checks. */
  metadata?: boolean;
  /** Set to false to skip the support checks (kept with `conformance`). */
  support?: boolean;
  /** Set to false to skip the shared edge cases. */
  edgeCases?: boolean;
  /** Set to false to skip the prepare-parity check (only formats with `prepare` have one). */
  prepareParity?: boolean;
  /** The compat modes the edge cases and the prepare-parity check run in (default: both, `default` and `python`). */
  compat?: readonly CompatMode[];
  /**
   * Turns a case's `export_args` into runExport options. Default
   * {@link defaultExportArgs}: `upload_dir` and `download_resources` become `resources`.
   */
  exportArgs?: (args: Readonly<Record<string, unknown>>, caseDir: string) => Partial<RunExportOptions>;
  /** A config and tasks for the edge cases; default: the first conformance case with output for the format. */
  sampleCase?: SampleCase;
  /** More configs and tasks for the prepare-parity check (it always runs the sample case too). */
  prepareSamples?: readonly SampleCase[];
  /** Format option values used in every run. */
  formatOptions?: Readonly<Record<string, unknown>>;
  /** What the output carries (ids, labels, text, data) and how it treats several annotators. */
  promises?: FormatPromises;
  /**
   * Checks that fail because of a known bug of the format, by check name (with
   * ` [compat <mode>]` for the checks that run per mode) with the bug. They run as
   * expected failures: when the bug is fixed the check passes and the entry fails, so
   * it is removed. An entry that names no check fails. With `message`, the check must
   * fail with a message that matches it (so another failure is not taken for the bug).
   */
  knownBugs?: Readonly<Record<string, string | { bug: string; message: RegExp }>>;
  /**
   * Conformance cases where the format deliberately differs from the reference (a
   * documented deviation), by case name with the reason. Such a case must still
   * export, and must still differ: a stale entry fails.
   */
  deviations?: Readonly<Record<string, string>>;
  /**
   * True for formats that write every input task as it is (JSON). By default the
   * suite checks the Python converter's selection: a task without an `annotations`
   * list, or with only cancelled annotations, adds nothing to the output.
   */
  writesEveryTask?: boolean;
  /**
   * How two outputs that must be identical are compared: `bytes` (default), or
   * `normalised` (the NORMALISE.md rules, for formats that write a timestamp).
   */
  compareRuns?: 'bytes' | 'normalised';
  /** Options passed to {@link compareOutputs} for the conformance cases. */
  compare?: CompareOptions;
}

/** The groups of the suite, in the order they are registered. */
export const SUITE_GROUPS = [
  'metadata',
  'conformance',
  'supported configs',
  'edge cases',
  'prepare parity',
] as const;

/** One check of the suite: a group, a name and the function that throws when it fails. */
export interface SuiteCheck {
  /** `metadata`, `conformance`, `supported configs`, `edge cases` or `prepare parity`. */
  group: (typeof SUITE_GROUPS)[number];
  /** The compat mode the check runs in (edge cases and prepare parity; the others are mode-free or `python`). */
  compat?: CompatMode;
  /** What it checks (the test name). */
  name: string;
  /** A known bug of the format that makes the check fail (`options.knownBugs`): the check is expected to fail. */
  knownBug?: string;
  /** Runs the check; rejects with an assertion error that says what is wrong. */
  run(): Promise<void>;
}

/** The checks of one format, and a cleanup for the temporary folders they use. */
export interface FormatSuite {
  format: FormatDefinition<any>;
  checks: SuiteCheck[];
  /** Removes the temporary download cache. */
  cleanup(): Promise<void>;
}

/** Registers one check of a group (internal). */
export type Add = (name: string, fn: () => void | Promise<void>) => void;

/** A config with run options (internal). */
export interface Setup {
  config: LabelConfig;
  extra: Partial<RunExportOptions>;
}

/** The sample the edge cases start from (internal). */
export interface Sample {
  name: string;
  config: LabelConfig;
  xml: string;
  file: string | undefined;
  tasks: readonly unknown[];
  extra: () => Partial<RunExportOptions>;
}

/** Runs the format into a memory sink (internal). */
export type Runner = (
  setup: Setup,
  tasks: AsyncIterable<Task> | readonly unknown[],
  more?: Partial<RunExportOptions>,
) => Promise<{ sink: MemorySink; report: ConversionReport }>;

/** Translates a case's `export_args` (internal). */
export type Translate = (
  args: Readonly<Record<string, unknown>>,
  caseDir: string,
) => Partial<RunExportOptions>;
