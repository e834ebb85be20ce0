/** The dataset flags of `lsconv export` (every format honours them) and how they become core's dataset options. */
import { promises as fs } from 'node:fs';
import { type DatasetOptions, LsconvError } from '@lsconv/core';
import type { FlagSpec, ParsedArgs } from '../args.js';
import { type CliIo, userPath } from '../io.js';
import { stringValue } from './shared.js';

/** Splits, class maps, label rules and the annotation choice. */
export const DATASET_FLAGS: readonly FlagSpec[] = [
  {
    name: 'split',
    type: 'string',
    placeholder: 'SPEC',
    description:
      'Split the dataset: name=ratio pairs (train=0.8,val=0.1,test=0.1), from-tasks (the split recorded in each task, meta.split, as lsconv import writes it), or a data field holding it. Tasks showing the same image land in the same split; formats write the layout their trainers read (images/<split>, instances_<split>.json, ImageSets/Main/<split>.txt, a split column...)',
  },
  {
    name: 'split-seed',
    type: 'string',
    placeholder: 'SEED',
    description:
      'Seed of the split: the same input and seed give the same split on any machine and thread count, and tasks added later do not move the others (default 0)',
  },
  {
    name: 'stratify',
    type: 'boolean',
    description:
      "Keep every class's share the same in every split (reads the tasks once before converting, holding them in memory)",
  },
  {
    name: 'class-map',
    type: 'string',
    placeholder: 'FILE',
    description:
      "Pin class ids: a YAML or JSON file (a list of names, or Ultralytics' names: {0: a, 1: b}) or a classes.txt. A label missing from it is an error listing the labels",
  },
  {
    name: 'class-map-extend',
    type: 'boolean',
    description: 'Add labels missing from --class-map after its classes instead of refusing them',
  },
  {
    name: 'labels',
    type: 'string',
    placeholder: 'A,B,C',
    description: 'Keep only regions with these labels (after --map); the others are in the report',
  },
  {
    name: 'map',
    type: 'list',
    placeholder: 'OLD=NEW',
    description:
      'Rename a label (several OLD with one NEW merge them); comma separated or repeated. The report counts the regions each rule renamed',
  },
  {
    name: 'annotation',
    type: 'string',
    placeholder: 'CHOICE',
    description:
      'Which annotations of a task every format exports: latest, first, ground-truth (else the latest), all, or by-annotator=<id or email>. Default: the latest for COCO, VOC and YOLO, all for the others and under --compat python',
  },
];

/** `runExport`'s `dataset` from the parsed flags (the class map file read); nothing when none is given. */
export async function datasetOptions(
  io: CliIo,
  values: ParsedArgs['values'],
): Promise<{ dataset?: DatasetOptions }> {
  const options: DatasetOptions = {};
  const split = stringValue(values.split);
  if (split !== undefined) options.split = split;
  const seed = stringValue(values['split-seed']);
  if (seed !== undefined) options.splitSeed = seed;
  if (values.stratify === true) options.stratify = true;
  if (values['class-map-extend'] === true) options.classMapExtend = true;
  const labels = stringValue(values.labels);
  if (labels !== undefined) options.labels = labels;
  const map = values.map;
  if (Array.isArray(map) && map.length) options.map = map.join(',');
  const annotation = stringValue(values.annotation);
  if (annotation !== undefined) options.annotation = annotation;
  const file = stringValue(values['class-map']);
  if (file !== undefined) {
    let text: string;
    try {
      text = await fs.readFile(userPath(io, file), 'utf8');
    } catch (error) {
      throw new LsconvError(
        'INPUT_READ',
        `cannot read the class map: ${(error as NodeJS.ErrnoException).code ?? error}`,
        { file, hint: 'check the path given with --class-map' },
      );
    }
    options.classMap = { text, file };
  }
  return Object.keys(options).length ? { dataset: options } : {};
}
