// A conversion's report as the server shows it: the counts in a header, the whole of it
// on request, and the rule that an export which wrote nothing from annotated input fails.
import { randomBytes } from 'node:crypto';
import type { FormatDefinition, ReportData } from '@lsconv/core';

/** The counts of a report, for the `x-lsconv-report` header: `tasks=5; items=4; regions=9; skipped=1`. */
export function reportCounts(report: ReportData): string {
  const skipped = report.skipped.reduce((n, g) => n + g.count, 0);
  return `tasks=${report.tasksRead}; items=${report.itemsWritten}; regions=${report.regionsWritten}; skipped=${skipped}`;
}

/**
 * Why an export is empty, or undefined when it is not: a format that writes regions
 * wrote none, and skipped tasks, annotations or regions of the input, saying why.
 * Label Studio fails such an export; so does this server, with the reasons. (Media
 * that could not be had are not a reason by themselves: the regions may still be written.)
 */
export function emptyExportReason(
  format: FormatDefinition<any>,
  report: ReportData | undefined,
): string | undefined {
  if (!report || format.writesRawTasks || report.regionsWritten > 0) return undefined;
  const reasons = report.skipped
    .filter((g) => g.kind !== 'resource')
    .map((g) => `${g.count} × ${g.reason} (${g.code})`);
  if (reasons.length === 0) return undefined;
  return `${format.id} wrote no region from ${report.tasksRead} task(s): ${reasons.join('; ')}`;
}

/** Full reports of recent easy exports, kept in memory for the page and clients to fetch (newest 200). */
export class RecentReports {
  private readonly reports = new Map<string, { projectId: number; report: ReportData }>();

  /** Keeps a report; returns its id. */
  add(projectId: number, report: ReportData): string {
    const id = randomBytes(8).toString('hex');
    this.reports.set(id, { projectId, report });
    if (this.reports.size > 200) this.reports.delete(this.reports.keys().next().value!);
    return id;
  }

  get(projectId: number, id: string): ReportData | undefined {
    const entry = this.reports.get(id);
    return entry?.projectId === projectId ? entry.report : undefined;
  }
}
