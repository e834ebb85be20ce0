import { datasetStep, splitKey, stratifiedAssignment, taskLabels } from './dataset.js';
import type { DatasetPlan } from './dataset-options.js';
import type { LabelConfig } from './label-config.js';
import { ConversionReport } from './report.js';
import type { Task } from './task.js';

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
