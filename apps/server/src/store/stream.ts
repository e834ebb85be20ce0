// Streaming a task query out of any store: an id cursor over pages.
import type { Row } from './db.js';
import type { TaskRow } from './types.js';

/**
 * The pages of a task query, in id order: `page(after)` answers the rows after an id
 * (a page at a time), and the next page starts after the last id seen. Memory holds one page.
 */
export async function* streamPages(page: (afterId: number) => Promise<TaskRow[]>): AsyncIterable<TaskRow[]> {
  for (let after = 0; ; ) {
    const rows = await page(after);
    if (rows.length === 0) return;
    yield rows;
    after = rows[rows.length - 1]!.id;
  }
}

/** What `taskSummary` answers. */
export interface TaskSummary {
  ids: number[];
  annotations: number;
  predictions: number;
}

/** Rows a summary reads per page. */
export const SUMMARY_PAGE = 1000;

/**
 * Adds a page of summary rows (`id, annotations, predictions`, and `json` when `test` needs
 * it) to a summary; returns the id to read on after, or undefined when this was the last page.
 */
export function addSummaryPage(
  summary: TaskSummary,
  rows: Row[],
  test: ((id: number, json: string) => boolean) | undefined,
): number | undefined {
  for (const r of rows) {
    if (test && !test(r.id, r.json)) continue;
    summary.ids.push(r.id);
    summary.annotations += r.annotations;
    summary.predictions += r.predictions;
  }
  return rows.length < SUMMARY_PAGE ? undefined : rows[rows.length - 1]!.id;
}
