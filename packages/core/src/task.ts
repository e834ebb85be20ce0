import { LsconvError } from './errors.js';

/** JSON values as they appear in an export. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue };

/** A user as Label Studio expands it in `completed_by` (or just the integer id). */
export interface ExpandedUser {
  id?: number;
  email?: string;
  first_name?: string;
  last_name?: string;
  [key: string]: unknown;
}

/** Geometry and values of the result types Label Studio exports (`value` field). */
export interface RectangleValue {
  x: number;
  y: number;
  width: number;
  height: number;
  rotation?: number;
  rectanglelabels?: string[];
  labels?: string[];
}
/** `polygonlabels` / `polygon`. */
export interface PolygonValue {
  points: [number, number][];
  closed?: boolean;
  polygonlabels?: string[];
}
/** `keypointlabels` / `keypoint`. */
export interface KeyPointValue {
  x: number;
  y: number;
  width?: number;
  keypointlabels?: string[];
}
/** `ellipselabels` / `ellipse`. */
export interface EllipseValue {
  x: number;
  y: number;
  radiusX: number;
  radiusY: number;
  rotation?: number;
  ellipselabels?: string[];
}
/** `brushlabels` / `brush`: Label Studio's own run-length encoding. */
export interface BrushValue {
  format: 'rle';
  rle: number[];
  brushlabels?: string[];
}
/** `labels` on Text (character offsets) or Audio (seconds). */
export interface SpanValue {
  start: number | string;
  end: number | string;
  startOffset?: number;
  endOffset?: number;
  text?: string;
  labels?: string[];
  hypertextlabels?: string[];
  paragraphlabels?: string[];
  timeserieslabels?: string[];
}
/** `choices`. */
export interface ChoicesValue {
  choices: string[];
}
/** `taxonomy`. */
export interface TaxonomyValue {
  taxonomy: string[][];
}
/** `textarea`. */
export interface TextAreaValue {
  text: string[];
}
/** `rating`. */
export interface RatingValue {
  rating: number;
}
/** `number`. */
export interface NumberValue {
  number: number;
}
/** `datetime`. */
export interface DateTimeValue {
  datetime: string;
}
/** `pairwise`. */
export interface PairwiseValue {
  selected: 'left' | 'right';
}
/** `ranker`. */
export interface RankerValue {
  ranker: string[] | Record<string, string[]>;
}
/** `videorectangle`. */
export interface VideoRectangleValue {
  framesCount?: number;
  duration?: number;
  sequence: {
    frame: number;
    time?: number;
    x: number;
    y: number;
    width: number;
    height: number;
    rotation?: number;
    enabled?: boolean;
  }[];
  labels?: string[];
}
/** `timelinelabels`. */
export interface TimelineValue {
  ranges: { start: number; end: number }[];
  timelinelabels?: string[];
}
/** `chatmessage`. */
export interface ChatMessageValue {
  chatmessage: { role: string; content: string; createdAt?: number; [key: string]: unknown };
}

/** Any result `value`; formats narrow it by `type`. */
export type ResultValue =
  | RectangleValue
  | PolygonValue
  | KeyPointValue
  | EllipseValue
  | BrushValue
  | SpanValue
  | ChoicesValue
  | TaxonomyValue
  | TextAreaValue
  | RatingValue
  | NumberValue
  | DateTimeValue
  | PairwiseValue
  | RankerValue
  | VideoRectangleValue
  | TimelineValue
  | ChatMessageValue
  | Record<string, unknown>;

/** One result item of an annotation, prediction or draft. */
export interface Result {
  id?: string;
  type?: string;
  from_name?: string;
  to_name?: string;
  value?: ResultValue;
  origin?: string;
  score?: number;
  readonly?: boolean;
  hidden?: boolean;
  parentID?: string;
  original_width?: number;
  original_height?: number;
  original_length?: number;
  image_rotation?: number;
  /** Relations only. */
  from_id?: string;
  to_id?: string;
  direction?: 'left' | 'right' | 'bi';
  labels?: string[];
  [key: string]: unknown;
}

/** An annotation (or a legacy `completion`). */
export interface Annotation {
  id?: number | string;
  completed_by?: number | ExpandedUser | null;
  result?: Result[] | null;
  was_cancelled?: boolean;
  /** Very old exports. */
  skipped?: boolean;
  ground_truth?: boolean;
  created_at?: string;
  updated_at?: string;
  lead_time?: number | null;
  history?: unknown;
  [key: string]: unknown;
}

/** A prediction, when expanded. */
export interface Prediction {
  id?: number;
  model_version?: string;
  result?: Result[];
  score?: number | null;
  [key: string]: unknown;
}

/** A draft, when expanded. */
export interface Draft {
  id?: number;
  user?: string;
  result?: Result[];
  [key: string]: unknown;
}

/** A Label Studio task as exported. */
export interface Task {
  id?: number | string;
  data: Record<string, unknown>;
  annotations?: Annotation[];
  /** Legacy name of `annotations`. */
  completions?: Annotation[];
  predictions?: (Prediction | number)[];
  drafts?: (Draft | number)[];
  meta?: Record<string, unknown>;
  agreement?: number;
  [key: string]: unknown;
}

/** Where a task came from, for messages. */
export interface TaskOrigin {
  file?: string;
  index: number;
}

/**
 * Checks that a parsed value is a task and returns it typed. Problems that make the
 * task unusable throw an {@link LsconvError} naming the file, the task and the field;
 * region-level problems are left to the formats, which report them.
 */
export function validateTask(value: unknown, origin: TaskOrigin): Task {
  const base = { file: origin.file, taskIndex: origin.index };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LsconvError('INVALID_TASK', `a task must be a JSON object, found ${describeType(value)}`, {
      ...base,
      hint: 'the input must be a list of Label Studio tasks',
    });
  }
  const task = value as Record<string, unknown>;
  const loc = { ...base, taskId: task.id };
  if (!('data' in task)) {
    throw new LsconvError('INVALID_TASK', 'task has no "data" field', {
      ...loc,
      field: 'data',
      hint: 'every Label Studio task carries its data in "data"; is this a Label Studio export?',
    });
  }
  if (typeof task.data !== 'object' || task.data === null || Array.isArray(task.data)) {
    throw new LsconvError('INVALID_TASK', `task "data" must be an object, found ${describeType(task.data)}`, {
      ...loc,
      field: 'data',
    });
  }
  if (
    task.id !== undefined &&
    task.id !== null &&
    typeof task.id !== 'number' &&
    typeof task.id !== 'string'
  ) {
    throw new LsconvError(
      'INVALID_TASK',
      `task "id" must be a number or a string, found ${describeType(task.id)}`,
      {
        ...loc,
        field: 'id',
      },
    );
  }
  for (const key of ['annotations', 'completions'] as const) {
    const list = task[key];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      throw new LsconvError('INVALID_TASK', `"${key}" must be a list, found ${describeType(list)}`, {
        ...loc,
        field: key,
      });
    }
    list.forEach((annotation, i) => {
      if (typeof annotation !== 'object' || annotation === null || Array.isArray(annotation)) {
        throw new LsconvError(
          'INVALID_TASK',
          `an annotation must be an object, found ${describeType(annotation)}`,
          {
            ...loc,
            field: `${key}[${i}]`,
          },
        );
      }
      const result = (annotation as Record<string, unknown>).result;
      if (result !== undefined && result !== null && !Array.isArray(result)) {
        throw new LsconvError('INVALID_TASK', `"result" must be a list, found ${describeType(result)}`, {
          ...loc,
          field: `${key}[${i}].result`,
        });
      }
    });
  }
  return task as Task;
}

/** `an object`, `a list`, `a string`, `null`… for messages. */
export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'object':
      return 'an object';
    case 'string':
      return 'a string';
    case 'number':
      return Number.isFinite(value) ? 'a number' : String(value);
    case 'boolean':
      return 'a boolean';
    default:
      return typeof value;
  }
}
