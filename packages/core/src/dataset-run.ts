import {
  type DatasetInfo,
  type DatasetStep,
  datasetStep,
  splitKey,
  stratifiedAssignment,
  taskLabels,
  withDatasetStep,
} from './dataset.js';
import { type DatasetOptions, type DatasetPlan, datasetPlan } from './dataset-options.js';
import type { FormatDefinition } from './format.js';
import type { LabelConfig } from './label-config.js';
import { ConversionReport } from './report.js';
import type { Task } from './task.js';

/** What `runExport` runs with once the dataset options are applied. */
export interface DatasetSetup {
  plan: DatasetPlan | undefined;
  step: DatasetStep | undefined;
  /** What formats read (`ctx.dataset`). */
  dataset: DatasetInfo | undefined;
  /** The tasks to export (held by the stratifying pre-pass, else as given). */
  tasks: AsyncIterable<Task>;
  /** Whether the task source may still be sliced for the prepare pool. */
  sliceable: boolean;
  /** The format's prepare step after the dataset step. */
  prepare: FormatDefinition<any>['prepare'];
  /** The config formats read: the class map, renames and label filter applied. */
  formatConfig: LabelConfig;
}

/** Parses the dataset options of an export and builds its dataset step (with `--stratify`, after the pre-pass). */
export async function datasetSetup(
  run: { dataset?: DatasetOptions | undefined; format: FormatDefinition<any>; tasks: object },
  tasks: AsyncIterable<Task>,
  config: LabelConfig,
  report: ConversionReport,
): Promise<DatasetSetup> {
  const { format } = run;
  let sliceable = typeof (run.tasks as { slices?: unknown }).slices === 'function';
  const plan = datasetPlan(run.dataset);
  if (plan?.stratify) {
    // Stratifying needs every task's classes first: the tasks are read once and held.
    tasks = await stratifyPrePass(tasks, plan, config);
    sliceable = false;
  }
  const step = plan ? datasetStep(plan, config) : undefined;
  const dataset = step?.info;
  if (dataset?.split && !format.splitLayout)
    report.warn(`${format.id} writes no split layout: --split only records each task's split (meta.split)`);
  const prepare = withDatasetStep(format.prepare, step);
  return { plan, step, dataset, tasks, sliceable, prepare, formatConfig: step?.config ?? config };
}

/**
 * The pre-pass of `--stratify`: reads every task once, holding it, collects the classes of
 * each split key's tasks (after the annotation choice and label rules), and records the
 * stratified assignment in the plan. Returns the held tasks to export.
 */
export async function stratifyPrePass(
  tasks: AsyncIterable<Task>,
  plan: DatasetPlan,
  config: LabelConfig,
): Promise<AsyncIterable<Task>> {
  // The label step without splits; its report entries are made again by the real pass.
  const labelsOnly = datasetStep({ ...plan, shares: undefined, splitFrom: undefined }, config);
  const scratch = new ConversionReport();
  const held: Task[] = [];
  const groups = new Map<string, Set<string>>();
  let taskIndex = 0;
  for await (const task of tasks) {
    held.push(task);
    const key = splitKey(task, config);
    const labels = taskLabels(labelsOnly.apply(task, taskIndex++, scratch), labelsOnly.config);
    const group = groups.get(key);
    if (group) for (const label of labels) group.add(label);
    else groups.set(key, labels);
  }
  plan.assigned = stratifiedAssignment(plan, groups);
  return {
    async *[Symbol.asyncIterator]() {
      yield* held;
    },
  };
}
