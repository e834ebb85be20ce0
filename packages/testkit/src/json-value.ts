import { type NumberToken, parseNumberToken } from './numbers.js';

/**
 * A parsed JSON value that keeps what `JSON.parse` loses: the literal of every
 * number (so `2` vs `2.0` and integers past 2^53 are compared exactly) and
 * duplicate-free key order (objects are Maps, so `__proto__` is an ordinary key).
 */
export type JsonTree = null | boolean | string | JsonNumber | JsonTree[] | JsonObjectTree;

/** A JSON object as a Map of its members in file order. */
export type JsonObjectTree = Map<string, JsonTree>;

/** A number literal from a JSON text. */
export class JsonNumber implements NumberToken {
  readonly isInteger: boolean;
  readonly value: number;
  constructor(readonly raw: string) {
    const token = parseNumberToken(raw);
    this.isInteger = token?.isInteger ?? false;
    this.value = token?.value ?? Number.NaN;
  }
}

/** A JSON syntax error with its line and column. */
export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
  constructor(
    message: string,
    /** 1-based line. */
    readonly line: number,
    /** 1-based column. */
    readonly column: number,
  ) {
    super(`${message} at line ${line}, column ${column}`);
  }
}

/**
 * Parses JSON text into a {@link JsonTree}. Accepts what Python's `json` writes
 * beyond the standard (`NaN`, `Infinity`, `-Infinity`) and a leading BOM.
 */
export function parseJsonTree(text: string): JsonTree {
  const parser = new TreeParser(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  parser.skipSpace();
  const value = parser.value(0);
  parser.skipSpace();
  if (!parser.atEnd()) parser.fail('unexpected text after the JSON value');
  return value;
}

/** Converts plain JavaScript data (from `JSON.parse` or code) into a {@link JsonTree}. */
export function toJsonTree(value: unknown): JsonTree {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number')
    return new JsonNumber(Number.isSafeInteger(value) ? String(value) : numberLiteral(value));
  if (typeof value === 'bigint') return new JsonNumber(value.toString());
  if (Array.isArray(value)) return value.map(toJsonTree);
  if (typeof value === 'object') {
    const map: JsonObjectTree = new Map();
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v !== undefined) map.set(k, toJsonTree(v));
    }
    return map;
  }
  return String(value);
}

function numberLiteral(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  const text = String(value);
  // A double that happens to be integral (1e21, 2.0 after arithmetic) is a float literal.
  return /[.eE]/.test(text) ? text : `${text}.0`;
}

/** A canonical text of a tree (keys sorted, numbers as doubles), for sorting. */
export function canonicalJson(tree: JsonTree): string {
  if (tree === null || typeof tree === 'boolean') return String(tree);
  if (typeof tree === 'string') return JSON.stringify(tree);
  if (tree instanceof JsonNumber) return String(tree.value);
  if (Array.isArray(tree)) return `[${tree.map(canonicalJson).join(',')}]`;
  const keys = [...tree.keys()].sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(tree.get(k) ?? null)}`).join(',')}}`;
}

const MAX_DEPTH = 10_000;
const NUMBER = /-?(?:\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class TreeParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  skipSpace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++;
      else break;
    }
  }

  fail(message: string): never {
    const before = this.text.slice(0, this.pos);
    const line = before.split('\n').length;
    const column = this.pos - before.lastIndexOf('\n');
    throw new JsonSyntaxError(message, line, column);
  }

  value(depth: number): JsonTree {
    if (depth > MAX_DEPTH) this.fail('JSON nested too deeply');
    const t = this.text;
    const c = t[this.pos];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    for (const [word, value] of WORDS) {
      if (t.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    for (const word of ['NaN', 'Infinity', '-Infinity']) {
      if (t.startsWith(word, this.pos)) {
        this.pos += word.length;
        return new JsonNumber(word);
      }
    }
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(t);
    if (match) {
      this.pos += match[0].length;
      return new JsonNumber(match[0]);
    }
    if (c === undefined) this.fail('unexpected end of JSON');
    return this.fail(`unexpected character ${JSON.stringify(c)}`);
  }

  private object(depth: number): JsonObjectTree {
    const map: JsonObjectTree = new Map();
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return map;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') this.fail('expected a string key');
      const key = this.string();
      this.skipSpace();
      if (this.text[this.pos] !== ':') this.fail('expected ":"');
      this.pos++;
      this.skipSpace();
      if (map.has(key)) this.fail(`duplicate key ${JSON.stringify(key)}`);
      map.set(key, this.value(depth + 1));
      this.skipSpace();
      const c = this.text[this.pos++];
      if (c === '}') return map;
      if (c !== ',') {
        this.pos--;
        this.fail('expected "," or "}"');
      }
    }
  }

  private array(depth: number): JsonTree[] {
    const list: JsonTree[] = [];
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return list;
    }
    for (;;) {
      this.skipSpace();
      list.push(this.value(depth + 1));
      this.skipSpace();
      const c = this.text[this.pos++];
      if (c === ']') return list;
      if (c !== ',') {
        this.pos--;
        this.fail('expected "," or "]"');
      }
    }
  }

  private string(): string {
    const t = this.text;
    const start = this.pos;
    let i = start + 1;
    let escaped = false;
    for (; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c === 0x5c) {
        escaped = true;
        i++;
      } else if (c === 0x22) break;
    }
    if (i >= t.length) this.fail('unterminated string');
    this.pos = i + 1;
    const body = t.slice(start, i + 1);
    if (!escaped) return body.slice(1, -1);
    try {
      return JSON.parse(body) as string;
    } catch {
      this.pos = start;
      return this.fail('invalid escape in string');
    }
  }
}

const WORDS: readonly (readonly [string, JsonTree])[] = [
  ['true', true],
  ['false', false],
  ['null', null],
];
