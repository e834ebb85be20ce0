/**
 * The closed set of error codes lsconv raises. Codes are stable: scripts and the
 * HTTP server may switch on them.
 */
export const ERROR_CODES = [
  'INPUT_NOT_FOUND',
  'INPUT_READ',
  'INPUT_PARSE',
  'INPUT_SHAPE',
  'INVALID_TASK',
  'CONFIG_READ',
  'CONFIG_PARSE',
  'UNSUPPORTED_CONFIG',
  'UNKNOWN_FORMAT',
  'INVALID_OPTION',
  'INVALID_DEFINITION',
  'PLUGIN_LOAD',
  'PLUGIN_INCOMPATIBLE',
  'OUTPUT_WRITE',
  'OUTPUT_EXISTS',
  'UNSAFE_PATH',
  'RESOURCE',
  'ABORTED',
  'EMPTY_OUTPUT',
  'LOSS',
  'INTERNAL',
] as const;

/** One of {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Where in the input an error was found. Every field is optional; the message names those present. */
export interface ErrorLocation {
  /** The input or config file (path as the user gave it). */
  file?: string;
  /** Zero-based position of the task in the input. */
  taskIndex?: number;
  /** The task's `id`, when it has one. */
  taskId?: unknown;
  /** The field, as a dotted path inside the task (`annotations[0].result[2].value`). */
  field?: string;
  /** The format id, when the error belongs to one. */
  format?: string;
  /** Byte offset in the input, for parse errors. */
  offset?: number;
}

/** Options of {@link LsconvError}. */
export interface LsconvErrorOptions extends ErrorLocation {
  /** What the user can do about it; appended to the message. */
  hint?: string;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * The single error class of lsconv. Its message reads as one line:
 * `lsconv: <what> (file …, task #3 id 17, field data) — <hint>`.
 */
export class LsconvError extends Error {
  override readonly name = 'LsconvError';
  /** Stable machine-readable code. */
  readonly code: ErrorCode;
  /** Where it happened. */
  readonly location: ErrorLocation;
  /** What to do about it. */
  readonly hint: string | undefined;
  /** The message without location and hint. */
  readonly reason: string;

  constructor(code: ErrorCode, reason: string, options: LsconvErrorOptions = {}) {
    const { hint, cause, ...location } = options;
    super(formatMessage(reason, location, hint), cause === undefined ? undefined : { cause });
    this.code = code;
    this.reason = reason;
    this.location = location;
    this.hint = hint;
  }

  /** A plain object for JSON reports and HTTP responses. */
  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, reason: this.reason, ...this.location, hint: this.hint };
  }
}

/** True when `value` is an {@link LsconvError} (also across copies of this package). */
export function isLsconvError(value: unknown): value is LsconvError {
  return (
    value instanceof LsconvError ||
    (typeof value === 'object' &&
      value !== null &&
      (value as { name?: unknown }).name === 'LsconvError' &&
      typeof (value as { code?: unknown }).code === 'string')
  );
}

/** Describes a location as `file x, task #3 (id 17), field data`. */
export function describeLocation(location: ErrorLocation): string {
  const parts: string[] = [];
  if (location.format) parts.push(`format ${location.format}`);
  if (location.file) parts.push(`file ${location.file}`);
  if (location.offset !== undefined) parts.push(`byte ${location.offset}`);
  if (location.taskIndex !== undefined || location.taskId !== undefined) {
    let task = 'task';
    if (location.taskIndex !== undefined) task += ` #${location.taskIndex}`;
    if (location.taskId !== undefined && location.taskId !== null)
      task += ` (id ${shortValue(location.taskId)})`;
    parts.push(task);
  }
  if (location.field) parts.push(`field ${location.field}`);
  return parts.join(', ');
}

function formatMessage(reason: string, location: ErrorLocation, hint: string | undefined): string {
  const where = describeLocation(location);
  let message = reason;
  if (where) message += ` (${where})`;
  if (hint) message += ` — ${hint}`;
  return message.replace(/[\r\n]+/g, ' ');
}

/** A short printable form of an untrusted value for messages. */
export function shortValue(value: unknown, max = 60): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value) ?? value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
