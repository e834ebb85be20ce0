// The dataset options every format honours (core's `DatasetOptions`: splits, class map,
// label rules, annotation choice) as export parameters of the easy export and the snapshot
// conversion, validated at the request; they travel with the format options under `dataset`.
import { type DatasetOptions, datasetPlan, isLsconvError } from '@lsconv/core';
import { parseBool, validationError } from './http.js';

/** Parameter names (as the CLI's flags, camelCase and snake_case both accepted). */
const STRINGS = {
  split: ['split'],
  splitSeed: ['splitSeed', 'split_seed'],
  labels: ['labels'],
  map: ['map'],
  annotation: ['annotation'],
} as const;

/** The dataset options of a request, validated; undefined when none is given. */
export function datasetParams(source: Record<string, unknown>): DatasetOptions | undefined {
  const options: DatasetOptions = {};
  const pick = (names: readonly string[]) =>
    names.map((n) => source[n]).find((v) => v !== undefined && v !== '');
  for (const [key, names] of Object.entries(STRINGS)) {
    const value = pick(names);
    if (value === undefined) continue;
    if (typeof value !== 'string' && typeof value !== 'number')
      throw validationError({ [names[0]!]: ['Not a valid string.'] });
    (options as Record<string, unknown>)[key] = String(value);
  }
  const stratify = pick(['stratify']);
  if (stratify !== undefined) options.stratify = parseBool('stratify', stratify, false);
  const extend = pick(['classMapExtend', 'class_map_extend']);
  if (extend !== undefined) options.classMapExtend = parseBool('classMapExtend', extend, false);
  const classMap = pick(['classMap', 'class_map']);
  if (classMap !== undefined) {
    if (typeof classMap !== 'string') throw validationError({ classMap: ['Not a valid string.'] });
    // The class map's text itself (YAML, JSON or one class per line).
    options.classMap = {
      text: classMap,
      file: /^\s*[[{]|:/.test(classMap) ? 'class_map.yaml' : 'class_map.txt',
    };
  }
  if (Object.keys(options).length === 0) return undefined;
  try {
    datasetPlan(options);
  } catch (error) {
    throw validationError({ options: [isLsconvError(error) ? error.reason : String(error)] });
  }
  return options;
}
