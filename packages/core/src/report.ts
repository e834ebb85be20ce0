import { describeLocation, type ErrorLocation } from './errors.js';

/** Why something was not written, as a stable code plus a sentence. */
export interface SkipEntry extends ErrorLocation {
  /** Stable code: `unknown-control`, `missing-value`, `unsupported-region`, `missing-image-size`… */
  code: string;
  /** What happened, in words. */
  reason: string;
  /** The region (result) id, when a region was skipped. */
  regionId?: string;
  /** What was skipped. */
  kind: 'task' | 'annotation' | 'region' | 'resource';
}

/** A plain snapshot of a report, as written by `--report FILE` and returned by the API. */
export interface ReportData {
  format: string;
  tasksRead: number;
  itemsWritten: number;
  regionsWritten: number;
  filesWritten: number;
  bytesWritten: number;
  skipped: {
    code: string;
    kind: SkipEntry['kind'];
    reason: string;
    count: number;
    /** How many tasks these skips belong to. */
    tasks: number;
    /** The distinct reasons under this code with their counts (up to {@link REPORT_REASONS_PER_CODE}). */
    reasons: { reason: string; count: number }[];
    examples: SkipEntry[];
  }[];
  /** Named counts a format keeps besides skips, such as `clipped` regions. */
  tallies: Record<string, number>;
  /**
   * Results written differently from the Python converter on purpose (default mode), by a
   * note saying how: `{ "it truncates …; here written rounded": 12 }`.
   */
  differences: Record<string, number>;
  warnings: string[];
  durationMs: number;
}

/** How many examples of each kind of skip a report keeps (the counts are always exact). */
export const REPORT_EXAMPLES_PER_CODE = 50;

/** How many distinct reasons a report counts apart under one code; the rest are counted together. */
export const REPORT_REASONS_PER_CODE = 20;

/** The reason under which skips past {@link REPORT_REASONS_PER_CODE} distinct ones are counted. */
const OTHER_REASONS = 'other reasons';

interface SkipGroup {
  code: string;
  kind: SkipEntry['kind'];
  reason: string;
  count: number;
  /** Distinct tasks among the skips (counted as the task index changes: skips arrive in task order). */
  tasks: number;
  lastTask: number | undefined;
  reasons: Map<string, { count: number; first: SkipEntry }>;
  examples: SkipEntry[];
}

/**
 * The conversion report: counts, and every skipped task, annotation, region or
 * resource with its reason. Counts are exact; examples are kept per code up to
 * {@link REPORT_EXAMPLES_PER_CODE} so a million identical skips stay small.
 */
export class ConversionReport {
  /** The format this report belongs to. */
  format: string;
  tasksRead = 0;
  /** Rows, records or label files written (format-specific unit). */
  itemsWritten = 0;
  regionsWritten = 0;
  filesWritten = 0;
  bytesWritten = 0;
  readonly warnings: string[] = [];
  private readonly groups = new Map<string, SkipGroup>();
  private readonly tallied = new Map<string, number>();
  private readonly differing = new Map<string, number>();
  private readonly started = Date.now();
  private finishedAt: number | undefined;

  constructor(format = '') {
    this.format = format;
  }

  /** Records something that was not written, with the reason. */
  skip(entry: SkipEntry): void {
    const key = `${entry.kind}\u0000${entry.code}`;
    let group = this.groups.get(key);
    if (!group) {
      group = {
        code: entry.code,
        kind: entry.kind,
        reason: entry.reason,
        count: 0,
        tasks: 0,
        lastTask: undefined,
        reasons: new Map(),
        examples: [],
      };
      this.groups.set(key, group);
    }
    group.count++;
    if (entry.taskIndex !== undefined && entry.taskIndex !== group.lastTask) {
      group.tasks++;
      group.lastTask = entry.taskIndex;
    }
    const own = reasonOf(entry);
    const reason =
      group.reasons.has(own) || group.reasons.size < REPORT_REASONS_PER_CODE ? own : OTHER_REASONS;
    const counted = group.reasons.get(reason);
    if (counted) counted.count++;
    else group.reasons.set(reason, { count: 1, first: entry });
    if (group.examples.length < REPORT_EXAMPLES_PER_CODE) group.examples.push(entry);
  }

  /** Adds to a named count (such as `clipped` regions) that gates and summaries read. */
  tally(name: string, count = 1): void {
    this.tallied.set(name, (this.tallied.get(name) ?? 0) + count);
  }

  /**
   * Counts results this run wrote differently from the Python converter on purpose, under
   * a note that says how the Python converter writes them (the CLI tells a user switching
   * from it, once per format).
   */
  differs(note: string, count = 1): void {
    if (count > 0) this.differing.set(note, (this.differing.get(note) ?? 0) + count);
  }

  /** A named count, 0 when nothing was tallied under that name. */
  tallyOf(name: string): number {
    return this.tallied.get(name) ?? 0;
  }

  /** Skips of one kind (`region`, `resource`…), all codes together. */
  skippedOf(kind: SkipEntry['kind']): number {
    let total = 0;
    for (const group of this.groups.values()) if (group.kind === kind) total += group.count;
    return total;
  }

  /** Records a warning that is not tied to one skipped thing. */
  warn(message: string): void {
    if (this.warnings.length < 1000 && !this.warnings.includes(message)) this.warnings.push(message);
  }

  /** Total number of skipped things. */
  get skippedCount(): number {
    let total = 0;
    for (const group of this.groups.values()) total += group.count;
    return total;
  }

  /** Skip counts by code. */
  countsByCode(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const group of this.groups.values()) counts[group.code] = (counts[group.code] ?? 0) + group.count;
    return counts;
  }

  /** All kept examples, in order of codes first seen. */
  entries(): SkipEntry[] {
    return [...this.groups.values()].flatMap((g) => g.examples);
  }

  /** Marks the end of the run (for the duration). */
  finish(): void {
    this.finishedAt ??= Date.now();
  }

  /** A plain snapshot. */
  toJSON(): ReportData {
    return {
      format: this.format,
      tasksRead: this.tasksRead,
      itemsWritten: this.itemsWritten,
      regionsWritten: this.regionsWritten,
      filesWritten: this.filesWritten,
      bytesWritten: this.bytesWritten,
      skipped: [...this.groups.values()].map((g) => ({
        code: g.code,
        kind: g.kind,
        reason: g.reason,
        count: g.count,
        tasks: g.tasks,
        reasons: [...g.reasons].map(([reason, { count }]) => ({ reason, count })),
        examples: [...g.examples],
      })),
      tallies: Object.fromEntries(this.tallied),
      differences: Object.fromEntries(this.differing),
      warnings: [...this.warnings],
      durationMs: (this.finishedAt ?? Date.now()) - this.started,
    };
  }

  /** Human-readable lines for a terminal. */
  summaryLines(): string[] {
    const lines = [
      `${this.format}: ${this.tasksRead} tasks read, ${this.itemsWritten} items and ${this.regionsWritten} regions written in ${this.filesWritten} files`,
    ];
    for (const group of this.groups.values()) {
      const reasons = [...group.reasons];
      // "of 30 tasks" when the skips are spread over fewer tasks than there are skips.
      const of = group.tasks > 0 && group.tasks < group.count ? ` of ${group.tasks} tasks` : '';
      if (reasons.length === 1) {
        lines.push(
          `  skipped ${group.count} ${group.kind}(s)${of}: ${group.reason}${firstAt(group.examples[0])}`,
        );
        continue;
      }
      // Several reasons under one code: each with its own count, most frequent first.
      lines.push(`  skipped ${group.count} ${group.kind}(s)${of}:`);
      reasons.sort((a, b) => b[1].count - a[1].count);
      for (const [reason, { count, first }] of reasons)
        lines.push(`    ${count}: ${reason}${firstAt(first)}`);
    }
    // The dataset rules' counts (`--map old=new`, `--labels`): what each rule touched.
    for (const [name, count] of this.tallied)
      if (name.startsWith('--')) lines.push(`  ${name}: ${count} region(s)`);
    for (const warning of this.warnings) lines.push(`  warning: ${warning}`);
    return lines;
  }
}

/**
 * The reason skips are counted under: a resource's reason starts with the reference it
 * names (`"/data/upload/1/a.jpg": no upload folder…`), which is left out so that a
 * thousand missing images count as one reason.
 */
function reasonOf(entry: SkipEntry): string {
  return entry.kind === 'resource' ? entry.reason.replace(/^"(?:[^"\\]|\\.)*"?…?: /, '') : entry.reason;
}

function firstAt(entry: SkipEntry | undefined): string {
  const where = entry ? describeLocation(entry) : '';
  return where ? ` (first: ${where})` : '';
}
