import { createHash } from 'node:crypto';
import type { AnnotationChoice, DatasetPlan } from './dataset-options.js';
import { LsconvError } from './errors.js';
import type { FormatDefinition } from './format.js';
import type { ControlTag, LabelConfig } from './label-config.js';
import type { ConversionReport } from './report.js';
import type { Annotation, Result, Task } from './task.js';

/**
 * The dataset options applied once for every format: the labeling config with the class
 * map, renames and label filter applied, and a per-task step (run before the format's
 * `prepare`, in whichever thread prepares) that keeps the chosen annotations, renames and
 * filters region labels and records the task's split in `meta.split`.
 */

/** What formats read of the dataset options (`ctx.dataset`). */
export interface DatasetInfo {
  /** True when every task carries its split in `meta.split` (read it with {@link taskSplit}). */
  readonly split: boolean;
  /** The split names known before the export (from ratios), in the order given. */
  readonly splitNames: readonly string[];
  /** The class map's classes by id (extended ones included), when a class map is given. */
  readonly classes: readonly string[] | undefined;
  /** The annotation choice, when one was given (the tasks then hold only the chosen annotations). */
  readonly annotation: AnnotationChoice | undefined;
}

/** The dataset step of one export: the config formats read, what they know, and the task step. */
export interface DatasetStep {
  config: LabelConfig;
  info: DatasetInfo;
  apply(task: Task, taskIndex: number, report: ConversionReport): Task;
}

/** The split a task was given by `--split` (undefined without one). */
export function taskSplit(task: Task): string | undefined {
  const split = (task.meta as { split?: unknown } | undefined)?.split;
  return typeof split === 'string' ? split : undefined;
}

/** Orders split names: train, val, test first, then the others by name. */
export function orderSplits(names: Iterable<string>): string[] {
  const rank = (n: string) => {
    const i = ['train', 'val', 'test'].indexOf(n);
    return i < 0 ? 3 : i;
  };
  return [...new Set(names)].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** Controls whose labels are classes: every `*Labels` tag but the keypoint names of a pose config. */
export function classControls(config: LabelConfig): ControlTag[] {
  const all = [...config.controls.values()];
  const pose = all.some((c) => c.type === 'RectangleLabels') && all.some((c) => c.type === 'KeyPointLabels');
  return all.filter((c) => c.type.endsWith('Labels') && !(pose && c.type === 'KeyPointLabels'));
}

/** Builds the dataset step of an export from its plan. */
export function datasetStep(plan: DatasetPlan, config: LabelConfig): DatasetStep {
  const renames = new Map(plan.renames ?? []);
  const keep = plan.keep ? new Set(plan.keep) : undefined;
  const mapped = mapConfig(plan, config, renames, keep);
  const classSet = mapped.classes ? new Set(mapped.classes) : undefined;
  const classTypes = new Set(classControls(config).map((c) => c.name));
  const assigned = plan.assigned ? new Map(plan.assigned) : undefined;
  const info: DatasetInfo = {
    split: plan.shares !== undefined || plan.splitFrom !== undefined,
    splitNames: plan.shares?.map((s) => s.name) ?? [],
    classes: mapped.classes,
    annotation: plan.annotation,
  };
  const labelsOf = { renames, keep, classSet, classTypes, plan };
  return {
    config: mapped.config,
    info,
    apply(task, taskIndex, report) {
      let out = plan.annotation ? chooseAnnotations(task, plan.annotation, taskIndex, report) : task;
      if (renames.size || keep || classSet) out = relabel(out, config, labelsOf, taskIndex, report);
      if (info.split) {
        const split = plan.shares
          ? splitByRatio(plan, splitKey(task, config), assigned)
          : recordedSplit(task, plan, taskIndex);
        // A `meta` that is not an object (it should be one) is replaced, not spread.
        const meta =
          typeof out.meta === 'object' && out.meta !== null && !Array.isArray(out.meta) ? out.meta : {};
        out = { ...out, meta: { ...meta, split } };
      }
      return out;
    },
  };
}

/** The format's prepare step after the dataset step (the same in every thread). */
export function withDatasetStep(
  prepare: FormatDefinition<any>['prepare'],
  step: DatasetStep | undefined,
): FormatDefinition<any>['prepare'] {
  if (!prepare || !step) return prepare;
  return (task, pctx) => prepare(step.apply(task, pctx.taskIndex, pctx.report), pctx);
}

/** The stable key a task's split hangs on: its media reference, else its id. */
export function splitKey(task: Task, config: LabelConfig): string {
  const data = (task.data ?? {}) as Record<string, unknown>;
  for (const key of config.dataKeys) {
    const value = data[key];
    if (typeof value === 'string' && value !== '') return `media:${value}`;
    if (Array.isArray(value) && typeof value[0] === 'string') return `media:${value[0]}`;
  }
  if (config.dataKeys.length === 0) {
    for (const value of Object.values(data))
      if (typeof value === 'string' && /^(\w+:|\/)/.test(value)) return `media:${value}`;
  }
  if (task.id !== undefined && task.id !== null) return `id:${String(task.id)}`;
  return `data:${JSON.stringify(data)}`;
}

/** A number in [0, 1) from the seed and the key, the same on every machine. */
export function splitHash(seed: string, key: string): number {
  return createHash('sha256').update(seed).update('\u0000').update(key).digest().readUIntBE(0, 6) / 2 ** 48;
}

function splitByRatio(plan: DatasetPlan, key: string, assigned: Map<string, string> | undefined): string {
  const fixed = assigned?.get(key);
  if (fixed !== undefined) return fixed;
  return shareAt(plan, splitHash(plan.seed, key));
}

/** The split whose cumulative share first exceeds `at` (in [0, 1)). */
function shareAt(plan: DatasetPlan, at: number): string {
  const shares = plan.shares!;
  let sum = 0;
  for (const share of shares) {
    sum += share.ratio;
    if (at < sum) return share.name;
  }
  return shares[shares.length - 1]!.name;
}

function recordedSplit(task: Task, plan: DatasetPlan, taskIndex: number): string {
  const field = plan.splitFrom?.field;
  const raw = field ? (task.data as Record<string, unknown> | undefined)?.[field] : taskSplit(task);
  if (typeof raw === 'string' && /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(raw)) return raw;
  const where = field ? `data.${field}` : 'meta.split';
  throw new LsconvError(
    'INVALID_TASK',
    raw === undefined
      ? `the task has no recorded split (${where})`
      : `the task's split ${JSON.stringify(raw)} (${where}) is not a name of letters, digits, _ and -`,
    {
      taskIndex,
      taskId: task.id,
      field: where,
      hint: 'record a split in every task, or give ratios: --split train=0.8,val=0.2',
    },
  );
}

/**
 * Groups tasks by split key and assigns whole groups, stratum by stratum: a group's stratum
 * is its rarest label, and within a stratum groups are ranked by their hash and dealt out by
 * the ratios, so every class keeps its share in every split.
 */
export function stratifiedAssignment(
  plan: DatasetPlan,
  groups: ReadonlyMap<string, ReadonlySet<string>>,
): [string, string][] {
  const groupsOf = new Map<string, number>();
  for (const labels of groups.values())
    for (const label of labels) groupsOf.set(label, (groupsOf.get(label) ?? 0) + 1);
  const strata = new Map<string, string[]>();
  for (const [key, labels] of groups) {
    let rarest = '';
    let count = Number.POSITIVE_INFINITY;
    for (const label of labels) {
      const n = groupsOf.get(label)!;
      if (n < count || (n === count && label < rarest)) [rarest, count] = [label, n];
    }
    const list = strata.get(rarest);
    if (list) list.push(key);
    else strata.set(rarest, [key]);
  }
  const out: [string, string][] = [];
  for (const keys of strata.values()) {
    const ranked = keys.map((key) => ({ key, at: splitHash(plan.seed, key) }));
    ranked.sort((a, b) => a.at - b.at || (a.key < b.key ? -1 : 1));
    ranked.forEach(({ key }, r) => {
      out.push([key, shareAt(plan, (r + 0.5) / ranked.length)]);
    });
  }
  return out;
}

/** The class labels a task's kept regions carry (for the stratifying pre-pass). */
export function taskLabels(task: Task, config: LabelConfig): Set<string> {
  const classes = new Set(classControls(config).map((c) => c.name));
  const labels = new Set<string>();
  for (const annotation of annotationsOf(task).list) {
    if (annotation.was_cancelled || annotation.skipped || !Array.isArray(annotation.result)) continue;
    for (const r of annotation.result) {
      const names = labelList(r, config, classes);
      if (names) for (const name of names) labels.add(name);
    }
  }
  return labels;
}

function annotationsOf(task: Task): { key: 'annotations' | 'completions'; list: Annotation[] } {
  const key = 'annotations' in task ? 'annotations' : 'completions';
  const list = task[key];
  return { key, list: Array.isArray(list) ? list : [] };
}

/** The label list of a result of a class control, or undefined. */
function labelList(r: Result, config: LabelConfig, classes: ReadonlySet<string>): string[] | undefined {
  if (typeof r !== 'object' || r === null || typeof r.from_name !== 'string') return undefined;
  const control = config.matchControl(r.from_name);
  if (!control || !classes.has(control.name)) return undefined;
  const value = r.value as Record<string, unknown> | undefined;
  const list = value?.[control.type.toLowerCase()];
  return Array.isArray(list) && list.every((l) => typeof l === 'string') ? (list as string[]) : undefined;
}

/** Keeps the chosen annotations (cancelled ones stay for the format to report); reports the others. */
function chooseAnnotations(
  task: Task,
  choice: AnnotationChoice,
  taskIndex: number,
  report: ConversionReport,
): Task {
  if (choice.kind === 'all') return task;
  const { key, list } = annotationsOf(task);
  const live = list
    .map((annotation, index) => ({ annotation, index }))
    .filter((a) => !a.annotation.was_cancelled && !a.annotation.skipped);
  if (live.length === 0) return task;
  const created = (a: Annotation) =>
    a.created_at === undefined || a.created_at === null ? '' : String(a.created_at);
  live.sort((a, b) =>
    created(a.annotation) > created(b.annotation)
      ? -1
      : created(a.annotation) < created(b.annotation)
        ? 1
        : 0,
  );
  let chosen: typeof live;
  if (choice.kind === 'by-annotator') {
    const who = choice.who;
    chosen = live.filter((a) => annotatedBy(a.annotation, who));
  } else if (choice.kind === 'latest') chosen = live.slice(0, 1);
  else if (choice.kind === 'first') chosen = live.slice(-1);
  else chosen = [live.find((a) => a.annotation.ground_truth) ?? live[0]!];
  if (chosen.length === live.length) return task;
  const label = choice.kind === 'by-annotator' ? `by-annotator=${choice.who}` : choice.kind;
  const words =
    choice.kind === 'by-annotator'
      ? `only the annotations by ${choice.who} are exported`
      : `only the ${choice.kind} annotation of a task is exported`;
  for (const left of live) {
    if (chosen.includes(left)) continue;
    report.skip({
      taskIndex,
      taskId: task.id,
      kind: 'annotation',
      code: 'annotation-not-chosen',
      reason: `left out by --annotation ${label} (${words}); --annotation all exports every one`,
      field: `${key}[${left.index}]`,
    });
  }
  if (chosen.length === 0) {
    // No annotation by that annotator: the task has nothing to export (it is not an image
    // without objects, which an empty list would say).
    const { [key]: _dropped, ...rest } = task;
    return rest as Task;
  }
  const keepSet = new Set(chosen.map((c) => c.index));
  return { ...task, [key]: list.filter((a, i) => keepSet.has(i) || a.was_cancelled || a.skipped) };
}

/** Whether an annotation's `completed_by` (an id, or a user object with id and email) is `who`. */
function annotatedBy(annotation: Annotation, who: string): boolean {
  const by = annotation.completed_by as unknown;
  if (typeof by === 'number' || typeof by === 'string') return String(by) === who;
  if (typeof by === 'object' && by !== null) {
    const user = by as { id?: unknown; email?: unknown };
    return (
      String(user.id) === who ||
      (typeof user.email === 'string' && user.email.toLowerCase() === who.toLowerCase())
    );
  }
  return false;
}

interface LabelRules {
  renames: Map<string, string>;
  keep: Set<string> | undefined;
  classSet: Set<string> | undefined;
  classTypes: Set<string>;
  plan: DatasetPlan;
}

/** Renames and filters the labels of a task's regions; a label outside the class map is an error. */
function relabel(
  task: Task,
  config: LabelConfig,
  rules: LabelRules,
  taskIndex: number,
  report: ConversionReport,
): Task {
  const { key, list } = annotationsOf(task);
  let changed = false;
  const annotations = list.map((annotation, ai) => {
    if (!Array.isArray(annotation?.result)) return annotation;
    const result: Result[] = [];
    let touched = false;
    annotation.result.forEach((r, ri) => {
      const names = labelList(r, config, rules.classTypes);
      if (!names) {
        result.push(r);
        return;
      }
      const control = config.matchControl(r.from_name!)!;
      const next = relabelNames(names, rules, report);
      if (next.length === 0) {
        touched = true;
        report.skip({
          taskIndex,
          taskId: task.id,
          kind: 'region',
          code: 'label-not-kept',
          reason: `its labels (${names.join(', ')}) are not among --labels`,
          field: `${key}[${ai}].result[${ri}]`,
          regionId: r.id,
        });
        return;
      }
      checkClassMap(next, rules, task, taskIndex, `${key}[${ai}].result[${ri}]`);
      if (next.length === names.length && next.every((n, i) => n === names[i])) {
        result.push(r);
        return;
      }
      touched = true;
      result.push({ ...r, value: { ...(r.value as object), [control.type.toLowerCase()]: next } });
    });
    if (!touched) return annotation;
    changed = true;
    return { ...annotation, result };
  });
  return changed ? { ...task, [key]: annotations } : task;
}

function relabelNames(names: readonly string[], rules: LabelRules, report: ConversionReport): string[] {
  const out: string[] = [];
  for (const name of names) {
    const to = rules.renames.get(name);
    if (to !== undefined) report.tally(`--map ${name}=${to}`);
    const label = to ?? name;
    if (rules.keep && !rules.keep.has(label)) continue;
    if (!out.includes(label)) out.push(label);
  }
  if (rules.keep && out.length < names.length)
    report.tally(`--labels ${[...rules.keep].join(',')} left out labels of`);
  return out;
}

function checkClassMap(
  names: readonly string[],
  rules: LabelRules,
  task: Task,
  taskIndex: number,
  field: string,
): void {
  if (!rules.classSet || rules.plan.classMapExtend) return;
  const unknown = names.filter((n) => !rules.classSet!.has(n));
  if (unknown.length === 0) return;
  throw new LsconvError(
    'INVALID_TASK',
    `label ${unknown.map((n) => JSON.stringify(n)).join(', ')} is not in the class map ${rules.plan.classMapFile}`,
    {
      taskIndex,
      taskId: task.id,
      field,
      hint: 'add it to the class map, rename it with --map old=new, or pass --class-map-extend to add it after the mapped classes',
    },
  );
}

/** The config with renames, the label filter and the class map applied to its class controls. */
function mapConfig(
  plan: DatasetPlan,
  config: LabelConfig,
  renames: Map<string, string>,
  keep: Set<string> | undefined,
): { config: LabelConfig; classes: string[] | undefined } {
  const targets = classControls(config);
  if (targets.length === 0 || (!renames.size && !keep && !plan.classes))
    return { config, classes: plan.classes };
  const perControl = new Map<string, { labels: string[]; attrs: Record<string, Record<string, string>> }>();
  for (const control of targets) {
    const labels: string[] = [];
    const attrs: Record<string, Record<string, string>> = {};
    for (const label of control.labels) {
      const name = renames.get(label) ?? label;
      if (keep && !keep.has(name)) continue;
      if (!labels.includes(name)) {
        labels.push(name);
        attrs[name] = { ...(control.labelsAttrs[label] ?? {}) };
      }
    }
    perControl.set(control.name, { labels, attrs });
  }
  let classes = plan.classes;
  if (classes) {
    const missing: string[] = [];
    for (const { labels } of perControl.values())
      for (const label of labels)
        if (!classes.includes(label) && !missing.includes(label)) missing.push(label);
    if (missing.length && !plan.classMapExtend) {
      throw new LsconvError(
        'INVALID_OPTION',
        `the labeling config has labels that are not in the class map ${plan.classMapFile}: ${missing.map((m) => JSON.stringify(m)).join(', ')}`,
        {
          file: plan.classMapFile,
          hint: 'add them to the class map, rename them with --map old=new, leave them out with --labels, or pass --class-map-extend to add them after the mapped classes',
        },
      );
    }
    classes = [...classes, ...missing];
    for (const entry of perControl.values()) {
      entry.labels = [...classes];
      const attrs: Record<string, Record<string, string>> = {};
      classes.forEach((name, id) => {
        attrs[name] = { ...(entry.attrs[name] ?? {}), category: String(id) };
      });
      entry.attrs = attrs;
    }
  }
  const controls = new Map(config.controls);
  for (const control of targets) {
    const entry = perControl.get(control.name)!;
    controls.set(control.name, { ...control, labels: entry.labels, labelsAttrs: entry.attrs });
  }
  const mapped: LabelConfig = {
    xml: config.xml,
    controls,
    objects: config.objects,
    dataKeys: config.dataKeys,
    matchControl(fromName) {
      const control = config.matchControl(fromName);
      return control ? (controls.get(control.name) ?? control) : undefined;
    },
  };
  return { config: mapped, classes };
}
