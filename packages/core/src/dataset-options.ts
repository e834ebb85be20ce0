import { createRequire } from 'node:module';
import { LsconvError } from './errors.js';

const require = createRequire(import.meta.url);

/**
 * The dataset options every format honours (`--split`, `--class-map`, `--labels`, `--map`,
 * `--annotation`), as hosts take them, and their parsing into a {@link DatasetPlan}: plain
 * data that crosses threads.
 */

/** Which annotations of a task are exported. */
export type AnnotationChoice =
  | { kind: 'latest' | 'first' | 'ground-truth' | 'all' }
  | { kind: 'by-annotator'; who: string };

/** The dataset options of one export, as a host passes them to `runExport`. */
export interface DatasetOptions {
  /** `train=0.8,val=0.1,test=0.1`, `from-tasks` (the task's `meta.split`), or a data field name. */
  split?: string;
  /** Seed of the split's hash; the same seed and input give the same split. Default `0`. */
  splitSeed?: string | number;
  /** Balance the classes across the splits (needs ratios). */
  stratify?: boolean;
  /** The text of a class map file (YAML, JSON or one class per line) and its name, for messages. */
  classMap?: { text: string; file: string };
  /** Labels missing from the class map are added after its classes instead of refused. */
  classMapExtend?: boolean;
  /** Keep only regions with these labels (`a,b,c`). */
  labels?: string;
  /** Renames or merges labels: `old=new,old2=new2`. */
  map?: string;
  /** `latest`, `first`, `ground-truth`, `all` or `by-annotator=<id or email>`. */
  annotation?: string;
}

/** One split and its share. */
export interface SplitShare {
  name: string;
  ratio: number;
}

/** The parsed dataset options (plain data: it is sent to prepare workers). */
export interface DatasetPlan {
  /** Splits by ratio, in the order given. */
  shares?: SplitShare[];
  /** Where a recorded split is read: `meta` (`meta.split`) or a data field. */
  splitFrom?: { field: string | undefined };
  seed: string;
  stratify: boolean;
  /** Assignments made by the stratifying pre-pass: split key → split name. */
  assigned?: [string, string][];
  /** The class map's classes in id order, and where it came from. */
  classes?: string[];
  classMapFile?: string;
  classMapExtend: boolean;
  /** `--labels`. */
  keep?: string[];
  /** `--map`, in the order given. */
  renames?: [string, string][];
  annotation?: AnnotationChoice;
}

const SPLIT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Parses the dataset options; undefined when none is given (the export is as without them). */
export function datasetPlan(options: DatasetOptions | undefined): DatasetPlan | undefined {
  if (!options) return undefined;
  const plan: DatasetPlan = {
    seed: String(options.splitSeed ?? '0'),
    stratify: options.stratify === true,
    classMapExtend: options.classMapExtend === true,
  };
  let any = false;
  const split = options.split?.trim();
  if (split) {
    any = true;
    if (split.includes('=')) plan.shares = parseSplitShares(split);
    else if (split === 'from-tasks') plan.splitFrom = { field: undefined };
    else if (/^[A-Za-z_][\w.-]*$/.test(split)) plan.splitFrom = { field: split };
    else
      throw invalid('split', split, 'name=ratio pairs (train=0.8,val=0.2), from-tasks, or a data field name');
  }
  if (plan.stratify && !plan.shares) {
    throw new LsconvError('INVALID_OPTION', '--stratify needs --split with ratios (train=0.8,val=0.2)');
  }
  if (options.classMap) {
    any = true;
    plan.classes = parseClassMap(options.classMap.text, options.classMap.file);
    plan.classMapFile = options.classMap.file;
  } else if (plan.classMapExtend) {
    throw new LsconvError('INVALID_OPTION', '--class-map-extend needs --class-map FILE');
  }
  if (options.labels?.trim()) {
    any = true;
    plan.keep = listOf(options.labels);
  }
  if (options.map?.trim()) {
    any = true;
    plan.renames = parseRenames(options.map);
  }
  if (options.annotation?.trim()) {
    any = true;
    plan.annotation = parseAnnotationChoice(options.annotation.trim());
  }
  return any ? plan : undefined;
}

function invalid(option: string, value: string, expected: string): LsconvError {
  return new LsconvError('INVALID_OPTION', `--${option} must be ${expected}, got ${JSON.stringify(value)}`);
}

/** `train=0.8,val=0.1,test=0.1` → shares summing to 1 (ratios are normalised; percentages work too). */
export function parseSplitShares(text: string): SplitShare[] {
  const shares: SplitShare[] = [];
  for (const part of text.split(',')) {
    const [name = '', ratioText = '', ...rest] = part.split('=').map((s) => s.trim());
    const ratio = Number(ratioText);
    if (
      rest.length > 0 ||
      !SPLIT_NAME.test(name) ||
      ratioText === '' ||
      !(ratio > 0) ||
      !Number.isFinite(ratio)
    ) {
      throw invalid(
        'split',
        text,
        'name=ratio pairs with names of letters, digits, _ and - and ratios above 0 (train=0.8,val=0.1,test=0.1)',
      );
    }
    if (shares.some((s) => s.name === name))
      throw invalid('split', text, `split names used once ("${name}" twice)`);
    shares.push({ name, ratio });
  }
  const total = shares.reduce((sum, s) => sum + s.ratio, 0);
  return shares.map((s) => ({ name: s.name, ratio: s.ratio / total }));
}

function listOf(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** `old=new,old2=new2` → pairs; several olds may share a new name (a merge). */
export function parseRenames(text: string): [string, string][] {
  const pairs: [string, string][] = [];
  for (const part of listOf(text)) {
    const at = part.indexOf('=');
    const from = part.slice(0, at).trim();
    const to = part.slice(at + 1).trim();
    if (at < 0 || from === '' || to === '') throw invalid('map', text, 'old=new pairs, comma separated');
    if (pairs.some(([f]) => f === from)) throw invalid('map', text, `each old label once ("${from}" twice)`);
    pairs.push([from, to]);
  }
  return pairs;
}

/** `latest|first|ground-truth|all|by-annotator=<id or email>`. */
export function parseAnnotationChoice(text: string): AnnotationChoice {
  if (text === 'latest' || text === 'first' || text === 'ground-truth' || text === 'all')
    return { kind: text };
  const m = /^by-annotator=(.+)$/.exec(text);
  if (m?.[1]?.trim()) return { kind: 'by-annotator', who: m[1].trim() };
  throw invalid('annotation', text, 'latest, first, ground-truth, all or by-annotator=<id or email>');
}

/**
 * Reads a class map: YAML or JSON (a list of names; `names:` as a list or an id → name
 * mapping, as in Ultralytics' data.yaml; or a name → id mapping), or one class per line
 * (`classes.txt`). Returns the names by id; ids must run from 0 without gaps.
 */
export function parseClassMap(text: string, file: string): string[] {
  const fail = (reason: string) =>
    new LsconvError('INVALID_OPTION', `class map ${file}: ${reason}`, {
      file,
      hint: 'give a list of class names (one per line, a YAML or JSON list), or names: {0: a, 1: b}',
    });
  const trimmed = text.replace(/^\uFEFF/, '');
  let doc: unknown;
  if (/\.txt$/i.test(file)) doc = trimmed.split(/\r?\n/).filter((line) => line.trim() !== '');
  else {
    try {
      // The YAML parser loads only for a YAML class map: it takes longer to load than a small export.
      doc = /^\s*[[{]/.test(trimmed)
        ? JSON.parse(trimmed)
        : (require('yaml') as typeof import('yaml')).parse(trimmed);
    } catch (error) {
      throw fail(`not valid YAML or JSON (${(error as Error).message.split('\n')[0]})`);
    }
    if (typeof doc === 'string' || doc === null || doc === undefined) {
      doc = trimmed.split(/\r?\n/).filter((line) => line.trim() !== '');
    }
  }
  if (typeof doc === 'object' && doc !== null && !Array.isArray(doc) && 'names' in doc) {
    doc = (doc as { names: unknown }).names;
  }
  const names: string[] = [];
  if (Array.isArray(doc)) {
    doc.forEach((name, i) => {
      if (typeof name !== 'string' && typeof name !== 'number') throw fail(`entry ${i} is not a name`);
      names[i] = String(name).trim();
    });
  } else if (typeof doc === 'object' && doc !== null) {
    const entries = Object.entries(doc as Record<string, unknown>);
    const idKeys = entries.every(([k]) => /^\d+$/.test(k));
    for (const [k, v] of entries) {
      const [id, name] = idKeys ? [Number(k), v] : [v, k];
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 1e6)
        throw fail(`"${k}" has no whole class id`);
      if (typeof name !== 'string' && typeof name !== 'number') throw fail(`class ${id} has no name`);
      if (names[id] !== undefined) throw fail(`class id ${id} is given twice`);
      names[id] = String(name).trim();
    }
  } else throw fail('it holds no class names');
  for (let i = 0; i < names.length; i++) if (names[i] === undefined) throw fail(`class id ${i} is missing`);
  if (names.length === 0) throw fail('it holds no class names');
  const seen = new Set<string>();
  for (const name of names) {
    if (name === '') throw fail('a class name is empty');
    if (seen.has(name)) throw fail(`class "${name}" is listed twice`);
    seen.add(name);
  }
  return names;
}
