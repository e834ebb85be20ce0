import type { FlagSpec } from './args.js';

/** Width help text is wrapped to: the terminal's, within reason. */
export function helpWidth(columns: number | undefined): number {
  return Math.max(60, Math.min(columns ?? 100, 120));
}

/** `--name VALUE`, `-i, --input FILE`, `--[no-]header`. */
export function flagLabel(flag: FlagSpec): string {
  const long =
    flag.type === 'boolean'
      ? flag.default === true
        ? `--[no-]${flag.name}`
        : `--${flag.name}`
      : `--${flag.name} ${flagPlaceholder(flag)}`;
  return flag.short ? `-${flag.short}, ${long}` : `    ${long}`;
}

function flagPlaceholder(flag: FlagSpec): string {
  if (flag.placeholder) return flag.placeholder;
  if (flag.type === 'enum' && flag.choices) return flag.choices.join('|');
  if (flag.type === 'number') return 'N';
  return 'VALUE';
}

/** The description of a flag with its default and environment variable. */
export function flagDescription(flag: FlagSpec): string {
  const notes: string[] = [];
  if (flag.env) notes.push(`env ${flag.env}`);
  if (
    flag.default !== undefined &&
    flag.default !== '' &&
    !(flag.type === 'boolean' && flag.default === false)
  ) {
    notes.push(
      `default: ${typeof flag.default === 'string' ? JSON.stringify(flag.default) : String(flag.default)}`,
    );
  }
  return notes.length ? `${flag.description} (${notes.join('; ')})` : flag.description;
}

/** Two aligned columns: labels and wrapped descriptions, indented by `indent`. */
export function renderFlags(
  flags: readonly FlagSpec[],
  width: number,
  indent = 2,
  columnStart?: number,
): string[] {
  return renderColumns(
    flags.map((f) => [flagLabel(f), flagDescription(f)] as const),
    width,
    indent,
    columnStart,
  );
}

/** Where the description column starts for these flags at this indent (capped), so several sections line up. */
export function columnStartOf(flags: readonly FlagSpec[], indent = 2): number {
  return Math.min(MAX_LABEL + 2, Math.max(0, ...flags.map((f) => flagLabel(f).length + indent)));
}

const MAX_LABEL = 34;

/**
 * Two aligned columns, the second wrapped; a long first column puts the second on
 * the next line. `columnStart` fixes where the labels end (counting the indent).
 */
export function renderColumns(
  rows: readonly (readonly [string, string])[],
  width: number,
  indent = 2,
  columnStart?: number,
): string[] {
  const labelWidth =
    columnStart !== undefined
      ? Math.max(0, columnStart - indent)
      : Math.min(MAX_LABEL, Math.max(0, ...rows.map(([label]) => label.length)));
  const pad = ' '.repeat(indent);
  const textStart = indent + labelWidth + 2;
  const lines: string[] = [];
  for (const [label, text] of rows) {
    const wrapped = wrap(text, Math.max(30, width - textStart));
    if (label.length > labelWidth) {
      lines.push(pad + label);
      for (const line of wrapped) lines.push(' '.repeat(textStart) + line);
      continue;
    }
    lines.push(pad + label.padEnd(labelWidth + 2) + (wrapped[0] ?? ''));
    for (const line of wrapped.slice(1)) lines.push(' '.repeat(textStart) + line);
  }
  return lines;
}

/** Splits text into lines of at most `width` characters at spaces. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}
