import { JsonNumber, type JsonTree } from './json-value.js';
import { numbersEqual } from './numbers.js';

/** A position inside a JSON value: keys and list indexes from the root. */
export type JsonPath = readonly (string | number)[];

/**
 * What a relaxed value gets: `ignore` (the key must exist, its value is not
 * compared) or `basename` (when the expected string is an absolute path or contains
 * `../`, only the base names are compared).
 */
export type JsonValueRule = 'ignore' | 'basename';

/** A rule applied where a path matches `pattern` (`'*'` matches any key or index). */
export interface JsonPathRule {
  /** Keys and indexes; `'*'` matches any one segment. */
  pattern: readonly (string | number)[];
  rule: JsonValueRule;
}

/** Collects difference messages up to a limit. */
export class DifferenceCollector {
  readonly messages: string[] = [];
  /** True when differences were left out because the limit was reached. */
  truncated = false;
  constructor(readonly limit: number) {}
  /** Records one difference. */
  add(message: string): void {
    if (this.messages.length < this.limit) this.messages.push(message);
    else this.truncated = true;
  }
  /** True once the limit is reached (callers may stop looking). */
  get full(): boolean {
    return this.messages.length >= this.limit;
  }
}

/** Formats a path as `images[0].file_name` (`(root)` for the root). */
export function formatJsonPath(path: JsonPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out === '' ? '(root)' : out;
}

/** A short printable form of a tree value for messages. */
export function describeJson(value: JsonTree | undefined, max = 80): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return clip(JSON.stringify(value), max);
  if (value instanceof JsonNumber) return value.raw;
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  const keys = [...value.keys()];
  return clip(`an object {${keys.join(', ')}}`, max);
}

/** Cuts a text to `max` characters with an ellipsis. */
export function clip(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function kindOf(value: JsonTree): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return 'a boolean';
  if (typeof value === 'string') return 'a string';
  if (value instanceof JsonNumber) return 'a number';
  if (Array.isArray(value)) return 'a list';
  return 'an object';
}

/** True when `path` matches `pattern` segment for segment. */
export function matchJsonPath(pattern: readonly (string | number)[], path: JsonPath): boolean {
  if (pattern.length !== path.length) return false;
  return pattern.every((p, i) => p === '*' || p === path[i]);
}

/** True for an absolute path (POSIX, drive letter or UNC) or one that climbs with `../`. */
export function isEnvironmentPath(value: string): boolean {
  return (
    value.startsWith('/') ||
    /^[A-Za-z]:[\\/]/.test(value) ||
    value.startsWith('\\\\') ||
    /(^|[\\/])\.\.[\\/]/.test(value)
  );
}

/** The last segment of a `/` or `\` separated path. */
export function baseName(value: string): string {
  const parts = value.split(/[\\/]/);
  return parts[parts.length - 1] ?? value;
}

/**
 * Compares two JSON trees structurally: key order ignored, list order significant,
 * numbers by the number rule, booleans never equal to numbers. Each difference is
 * recorded with its path (`prefix` is prepended, e.g. a CSV cell's location).
 */
export function compareJsonTrees(
  expected: JsonTree,
  actual: JsonTree,
  out: DifferenceCollector,
  options: { rules?: readonly JsonPathRule[]; prefix?: string } = {},
): void {
  const rules = options.rules ?? [];
  const prefix = options.prefix ?? '';
  const where = (path: JsonPath) => `${prefix}${formatJsonPath(path)}`;
  const ruleAt = (path: JsonPath): JsonValueRule | undefined =>
    rules.find((r) => matchJsonPath(r.pattern, path))?.rule;

  const walk = (e: JsonTree, a: JsonTree, path: (string | number)[]): void => {
    if (out.full) {
      out.truncated = true;
      return;
    }
    const rule = ruleAt(path);
    if (rule === 'ignore') return;
    if (rule === 'basename' && typeof e === 'string' && typeof a === 'string' && isEnvironmentPath(e)) {
      if (baseName(e) !== baseName(a)) {
        out.add(
          `${where(path)}: expected base name ${JSON.stringify(baseName(e))} (of ${clip(JSON.stringify(e))}), got ${clip(JSON.stringify(a))}`,
        );
      }
      return;
    }
    if (e instanceof JsonNumber && a instanceof JsonNumber) {
      if (!numbersEqual(e, a)) out.add(`${where(path)}: expected ${e.raw}, got ${a.raw}`);
      return;
    }
    if (Array.isArray(e) && Array.isArray(a)) {
      if (e.length !== a.length) {
        out.add(
          `${where(path)}: expected a list of ${e.length} item${e.length === 1 ? '' : 's'}, got ${a.length}`,
        );
      }
      const n = Math.min(e.length, a.length);
      for (let i = 0; i < n; i++) walk(e[i] as JsonTree, a[i] as JsonTree, [...path, i]);
      return;
    }
    if (e instanceof Map && a instanceof Map) {
      for (const [key, ev] of e) {
        const child = [...path, key];
        if (!a.has(key)) {
          out.add(`${where(child)}: missing (expected ${describeJson(ev)})`);
          continue;
        }
        walk(ev, a.get(key) as JsonTree, child);
      }
      for (const [key, av] of a) {
        if (!e.has(key)) out.add(`${where([...path, key])}: unexpected key (value ${describeJson(av)})`);
      }
      return;
    }
    if (kindOf(e) !== kindOf(a)) {
      out.add(
        `${where(path)}: expected ${kindOf(e)} ${describeJson(e)}, got ${kindOf(a)} ${describeJson(a)}`,
      );
      return;
    }
    if (e !== a) out.add(`${where(path)}: expected ${describeJson(e)}, got ${describeJson(a)}`);
  };
  walk(expected, actual, []);
}
