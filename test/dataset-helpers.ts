// What the dataset tests share: the formats as discovered, one export into memory, a box
// region, and the benchmark's seeded generator.
import { join } from 'node:path';
import {
  arrayTaskSource,
  type DatasetOptions,
  type FormatDefinition,
  loadRegistry,
  memorySink,
  openTaskSource,
  parseLabelConfig,
  type ResourceOptions,
  runExport,
  type Task,
} from '@lsconv/core';
// @ts-expect-error: the bench generator is plain JavaScript without types
import { rng as benchRng } from '../bench/generate.mjs';

/** A seeded pseudo-random generator in [0, 1) (the benchmark's). */
export const rng = benchRng as (seed: number) => () => number;

export const registry = await loadRegistry({ cwd: join(import.meta.dirname, '..') });

/** A format of the workspace by id. */
export const formatOf = (id: string) => registry.formats.get(id)!;

/** Exports tasks (a list, or a JSON file) to one format into memory, with the dataset options. */
export async function exportWith(
  id: string,
  tasks: Task[] | string,
  config: string,
  dataset?: DatasetOptions,
  extra: { threads?: number; resources?: ResourceOptions; options?: Record<string, unknown> } = {},
) {
  const sink = memorySink();
  const entry = formatOf(id);
  const report = await runExport({
    format: entry.format as FormatDefinition<any>,
    tasks: typeof tasks === 'string' ? openTaskSource(tasks) : arrayTaskSource(tasks),
    config: parseLabelConfig(config),
    sink,
    ...(dataset ? { dataset } : {}),
    ...(extra.options ? { options: extra.options } : {}),
    ...(extra.resources ? { resources: extra.resources } : {}),
    threads: extra.threads ?? 1,
    formatModule: entry.origin.entry,
    minParallelBytes: 0,
  });
  const text = (path: string) => Buffer.from(sink.files.get(path)!).toString('utf8');
  return { sink, report, text, paths: [...sink.files.keys()].sort() };
}

/** A rectangle region of the `label` control on `image`, in percent. */
export function boxResult(
  id: string,
  label: string,
  box: { x: number; y: number; width: number; height: number },
  size: { width: number; height: number },
) {
  return {
    id,
    from_name: 'label',
    to_name: 'image',
    type: 'rectanglelabels',
    original_width: size.width,
    original_height: size.height,
    value: { ...box, rotation: 0, rectanglelabels: [label] },
  };
}
