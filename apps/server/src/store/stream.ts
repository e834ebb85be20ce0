// Streaming a task query out of any store: an id cursor over pages.
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
