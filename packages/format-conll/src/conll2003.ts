import {
  type CompatMode,
  type ControlTag,
  type ConversionReport,
  defineFormat,
  type FileWriter,
  type Item,
  type LabelConfig,
  LsconvError,
  type OutputValue,
  orderSplits,
  type PrepareContext,
  type Task,
  taskItems,
  taskSplit,
} from '@lsconv/core';
import { pyStr, referenceSupports } from '@lsconv/format-kit';
import { exactTagsInto, type LabelSpan, pythonTagsInto, type TagOutcome, type TagSink } from './tagging.js';
import { tokenize } from './text-tokens.js';

/** The first line the Python converter writes (three columns). */
export const PYTHON_DOCSTART = '-DOCSTART- -X- O';
/** The document delimiter `spacy convert` looks for (four columns), written in default mode. */
export const SPACY_DOCSTART = '-DOCSTART- -X- O O';

const options = {
  labelsControl: {
    type: 'string',
    description:
      'Name of the Labels control whose spans become tags. Default: every Labels control (the Python converter takes only the first one that appears in each annotation).',
    flag: 'labels-control',
  },
} as const;

/**
 * `CONLL2003`: one `<token> -X- _ <BIO tag>` line per token of the text, a blank
 * line after each annotation, under a `-DOCSTART-` line. Tokens come from a port of
 * NLTK's Treebank tokenizer with Label Studio's punctuation rules, so they are the
 * tokens the Python converter writes.
 */
export const conll2003 = defineFormat({
  id: 'CONLL2003',
  menuPosition: 4,
  title: 'CONLL2003',
  description: 'Popular format used for the CoNLL-2003 named entity recognition challenge.',
  link: 'https://labelstud.io/guide/export.html#CONLL2003',
  tags: ['sequence labeling', 'text tagging', 'named entity recognition'],
  output: 'file',
  splitLayout: true,
  options,
  supports: referenceSupports('CONLL2003'),
  prepare: prepareConll,
  async export(prepared, ctx) {
    const python = ctx.compat === 'python';
    // Fails here, before any file is created, when the config has no usable control.
    chooseControl(ctx.config, ctx.options.labelsControl as string | undefined, ctx.format);
    const head = python ? `${PYTHON_DOCSTART}\n` : `${SPACY_DOCSTART}\n\n`;
    // result.conll; with --split one file per split, <split>.conll.
    const files = new Map<string | undefined, { out: FileWriter; pending: string }>();
    const fileFor = async (split: string | undefined) => {
      let file = files.get(split);
      if (!file) {
        file = { out: await ctx.sink.createFile(`${split ?? 'result'}.conll`), pending: head };
        files.set(split, file);
      }
      return file;
    };
    const splits = ctx.dataset?.split === true;
    if (!splits) await fileFor(undefined);
    for (const name of orderSplits(ctx.dataset?.splitNames ?? [])) await fileFor(name);
    for await (const task of prepared) {
      if (task.items === 0) continue;
      const file = await fileFor(splits ? task.split : undefined);
      file.pending += task.text;
      ctx.report.itemsWritten += task.items;
      ctx.report.regionsWritten += task.regions;
      if (task.cuts) ctx.report.differs(CUT_NOTE, task.cuts);
      // Writes of about 32 KB: each awaited write costs more than the concatenation, and a
      // longer string would be a large object, which only a full collection frees.
      if (file.pending.length >= WRITE_BATCH) {
        await file.out.write(file.pending);
        file.pending = '';
      }
    }
    for (const file of files.values()) {
      await file.out.write(file.pending);
      await file.out.close();
    }
  },
});

const WRITE_BATCH = 32 * 1024;

const CUT_NOTE =
  'it tags whole tokens, so a span that starts or ends inside a token takes all of it; lsconv cuts the token at the span edge, so these tokens were split';

/** One task's CoNLL lines and counts. */
export interface PreparedConll {
  text: string;
  items: number;
  regions: number;
  /** The task's split, with --split. */
  split?: string;
  /** Tokens cut at span edges (default mode), where the Python converter tags whole tokens. */
  cuts?: number;
}

const setups = new WeakMap<
  LabelConfig,
  Map<string, { chosen: ControlTag | undefined; dataKey: string | undefined }>
>();

/** The control and data key for a config and option, computed once per config. */
function setupOf(config: LabelConfig, labelsControl: string | undefined, format: string) {
  let byOption = setups.get(config);
  if (!byOption) setups.set(config, (byOption = new Map()));
  const key = labelsControl ?? '\u0000';
  let setup = byOption.get(key);
  if (!setup) {
    const chosen = chooseControl(config, labelsControl, format);
    setup = { chosen, dataKey: textKey(config, chosen) };
    byOption.set(key, setup);
  }
  return setup;
}

/** The per-task step of CONLL2003 (may run on a worker thread). */
export function prepareConll(task: Task, pctx: PrepareContext): PreparedConll {
  const { chosen, dataKey } = setupOf(
    pctx.config,
    pctx.options.labelsControl as string | undefined,
    pctx.format,
  );
  const items = taskItems(task, {
    config: pctx.config,
    report: pctx.report,
    taskIndex: pctx.taskIndex,
    file: pctx.input,
  });
  // The task's lines, token and column pieces in turn, joined once at the end.
  const parts: string[] = [];
  let written = 0;
  let regions = 0;
  let cuts = 0;
  for (const item of items) {
    const lines = itemLines(item, dataKey, chosen, pctx, parts);
    if (lines === undefined) continue;
    regions += lines.regions;
    cuts += lines.cuts;
    written++;
  }
  const split = pctx.dataset?.split ? taskSplit(task) : undefined;
  const prepared: PreparedConll = { text: parts.join(''), items: written, regions };
  if (split !== undefined) prepared.split = split;
  if (cuts > 0) prepared.cuts = cuts;
  return prepared;
}

/** What the per-item helpers need: where to report, and the compat mode. */
interface ItemContext {
  readonly report: ConversionReport;
  readonly compat: CompatMode;
}

/**
 * Adds the tokens and tags of one item to `parts` as CoNLL lines (then a blank line);
 * undefined, and nothing added, when the item has no usable text.
 */
function itemLines(
  item: Item,
  dataKey: string | undefined,
  chosen: ControlTag | undefined,
  ctx: ItemContext,
  parts: string[],
): { regions: number; cuts: number } | undefined {
  const python = ctx.compat === 'python';
  const loc = { taskIndex: item.taskIndex, taskId: item.id };
  const text = dataKey === undefined ? undefined : item.input?.[dataKey];
  if (typeof text !== 'string') {
    ctx.report.skip({
      ...loc,
      kind: 'task',
      code: text === undefined ? 'missing-text' : 'text-not-string',
      field: `data.${dataKey ?? ''}`,
      reason:
        text === undefined
          ? `task data has no "${dataKey ?? ''}" text to tokenize`
          : `task data "${dataKey}" is not a string, so it cannot be tokenized`,
    });
    return undefined;
  }
  const { tokens, unaligned, docstart } = tokenize(text);
  if (unaligned !== undefined) {
    // NLTK raises here and the Python converter stops; fall back to whitespace tokens.
    ctx.report.warn(
      `task ${String(item.id)}: the Treebank tokenizer could not align "${unaligned}"; split on whitespace instead`,
    );
  }
  if (docstart) {
    ctx.report.skip({
      ...loc,
      kind: 'task',
      code: 'docstart-token',
      field: `data.${dataKey}`,
      reason:
        'the text holds a token starting with -DOCSTART-, which CoNLL readers take for a document boundary',
    });
    return undefined;
  }
  const collected = collectSpans(item, chosen, python);
  const spans = keepWritableSpans(collected.spans, text, item, ctx);
  const groups = collected.groups;
  // Each token's line goes straight into the task's pieces as it is tagged.
  const sink: TagSink = (token, tag) => {
    parts.push(token, tag.lineEnd);
  };
  let tagged: TagOutcome;
  let usable: (LabelSpan & { fromName: string; regionId?: string })[] = spans;
  if (python) {
    // The reference tags nothing when any span of the group lacks start or end.
    const complete = spans.every((s) => Number.isFinite(s.start) && Number.isFinite(s.end));
    if (!complete) usable = [];
    tagged = pythonTagsInto(tokens, usable, sink);
    if (!complete) {
      for (const s of spans)
        skipSpan(
          ctx,
          item,
          s,
          'missing-offsets',
          'a span of this annotation has no start/end, so the Python converter tags the whole text O',
        );
    }
  } else {
    usable = [];
    for (const s of spans) {
      if (!Number.isFinite(s.start) || !Number.isFinite(s.end) || s.end <= s.start) {
        skipSpan(ctx, item, s, 'missing-offsets', 'span has no usable start/end offsets');
      } else if (s.labels.length === 0) {
        skipSpan(ctx, item, s, 'no-label', 'span has no label');
      } else usable.push(s);
    }
    tagged = exactTagsInto(tokens, usable, sink);
  }
  const byIndex = tagged.lost.length === 0 ? undefined : new Map(usable.map((s) => [s.index, s]));
  for (const lost of tagged.lost) {
    const s = byIndex?.get(lost.index);
    if (!s) continue;
    const reason =
      lost.code === 'overlapping-span'
        ? 'span overlaps an earlier span; a CoNLL token has one tag'
        : lost.code === 'span-outside-tokens'
          ? 'span covers no token (only whitespace)'
          : 'span got no tag (it lies inside a token or span already tagged, as in the Python converter)';
    skipSpan(ctx, item, s, lost.code, reason);
  }
  for (const g of groups) {
    for (const [i, v] of g.values.entries()) {
      ctx.report.skip({
        ...loc,
        kind: 'region',
        code: g.code,
        field: `result.${g.fromName}`,
        regionId: typeof v.id === 'string' ? v.id : String(item.results[g.fromName]?.[i]?.id ?? ''),
        reason: g.reason,
      });
    }
  }
  parts.push('\n');
  return { regions: tagged.written.length, cuts: tagged.cuts ?? 0 };
}

/** A label that fits in a CoNLL tag column: no white space, no control character. */
const WRITABLE_LABEL = /^[^\s\p{Cc}]+$/u;
/** Labels found writable (a config has few; a task may carry any, so the set is bounded). */
const writableLabels = new Set<string>();

function writable(label: string): boolean {
  if (writableLabels.has(label)) return true;
  if (!WRITABLE_LABEL.test(label)) return false;
  if (writableLabels.size >= 10_000) writableLabels.clear();
  writableLabels.add(label);
  return true;
}

/**
 * The spans whose labels a CoNLL line can hold, and (by default) whose offsets lie
 * inside the text; the others are reported. A label with white space or a control
 * character would shift the columns of its line, so it is refused in both modes. Python
 * cuts offsets outside the text to its ends; compat python does so too, with a warning.
 */
function keepWritableSpans<S extends LabelSpan & { fromName: string; regionId?: string }>(
  spans: S[],
  text: string,
  item: Item,
  ctx: ItemContext,
): S[] {
  const kept: S[] = [];
  for (const s of spans) {
    const bad = s.labels.find((label) => !writable(label));
    if (bad !== undefined) {
      skipSpan(
        ctx,
        item,
        s,
        'label-not-a-tag',
        `label ${JSON.stringify(bad)} holds white space or a control character (or is empty), which CoNLL's space-separated columns cannot hold`,
      );
      continue;
    }
    if (s.start < 0 || s.end > text.length) {
      const where = `span ${s.start}–${s.end} lies outside the text (${text.length} characters)`;
      if (ctx.compat !== 'python') {
        skipSpan(ctx, item, s, 'span-out-of-range', where);
        continue;
      }
      ctx.report.warn(`task ${String(item.id)}: ${where}; cut to the text as the Python converter does`);
    }
    kept.push(s);
  }
  return kept;
}

function skipSpan(
  ctx: ItemContext,
  item: Item,
  s: { fromName: string; regionId?: string },
  code: string,
  reason: string,
): void {
  ctx.report.skip({
    taskIndex: item.taskIndex,
    taskId: item.id,
    kind: 'region',
    code,
    field: `result.${s.fromName}`,
    ...(s.regionId === undefined ? {} : { regionId: s.regionId }),
    reason,
  });
}

interface IgnoredGroup {
  fromName: string;
  values: OutputValue[];
  code: string;
  reason: string;
}

/** The spans to tag, and the result groups that CoNLL does not hold (reported). */
function collectSpans(
  item: Item,
  chosen: ControlTag | undefined,
  python: boolean,
): { spans: (LabelSpan & { fromName: string; regionId?: string })[]; groups: IgnoredGroup[] } {
  const spans: (LabelSpan & { fromName: string; regionId?: string })[] = [];
  const groups: IgnoredGroup[] = [];
  let taken = false;
  for (const [fromName, values] of Object.entries(item.output)) {
    const first = values[0];
    const isLabels = first !== undefined && String(first.type).toLowerCase() === 'labels';
    let use: boolean;
    if (!isLabels) use = false;
    else if (chosen !== undefined) use = chosen.name === fromName || matchesRepeater(chosen, fromName);
    // The reference takes the first Labels group of the annotation; the default takes them all.
    else use = python ? !taken : true;
    if (!use) {
      groups.push({
        fromName,
        values,
        code: isLabels ? 'other-labels-control' : 'not-a-span',
        reason: isLabels
          ? chosen !== undefined
            ? 'not the Labels control chosen with --labels-control'
            : 'only the first Labels control of an annotation is exported (Python converter behaviour)'
          : `${String(first?.type)} results have no place in CoNLL token lines`,
      });
      continue;
    }
    taken = true;
    const results = item.results[fromName] ?? [];
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as OutputValue;
      const regionId = results[i]?.id;
      const span: LabelSpan & { fromName: string; regionId?: string } = {
        start: toOffset(v.start),
        end: toOffset(v.end),
        labels: labelStrings(v.labels),
        index: spans.length,
        fromName,
      };
      if (typeof regionId === 'string') span.regionId = regionId;
      spans.push(span);
    }
  }
  return { spans, groups };
}

/** A region's labels as strings (Python's str() of any that is not one). */
function labelStrings(labels: unknown): readonly string[] {
  if (!Array.isArray(labels)) return [];
  // Labels are nearly always strings already: then the list is kept as it is (read only).
  for (const l of labels)
    if (typeof l !== 'string') return labels.map((x) => (typeof x === 'string' ? x : pyStr(x)));
  return labels as string[];
}

function toOffset(value: unknown): number {
  return typeof value === 'number' ? value : Number.NaN;
}

function matchesRepeater(control: ControlTag, fromName: string): boolean {
  return control.regex !== undefined && fromName.startsWith(control.name.split('{{')[0] ?? control.name);
}

/** The Labels control named by `--labels-control`, checked against the config. */
function chooseControl(
  config: LabelConfig,
  name: string | undefined,
  format: string,
): ControlTag | undefined {
  if (name === undefined || name === '') return undefined;
  const control = config.controls.get(name);
  const labelsControls = [...config.controls.values()]
    .filter((c) => c.type.toLowerCase() === 'labels')
    .map((c) => c.name);
  if (control?.type.toLowerCase() !== 'labels') {
    throw new LsconvError(
      'INVALID_OPTION',
      `--labels-control "${name}" is not a Labels control of the labeling config`,
      {
        format,
        hint:
          labelsControls.length > 0
            ? `use one of: ${labelsControls.join(', ')}`
            : 'the config has no Labels control',
      },
    );
  }
  return control;
}

/** The data key holding the text: the chosen control's Text object, else the config's first data key. */
function textKey(config: LabelConfig, chosen: ControlTag | undefined): string | undefined {
  const input = chosen?.inputs.find((o) => o.type === 'Text' && o.value !== undefined);
  return input?.value ?? config.dataKeys[0];
}
