import { unreadPostedLessons, type UnreadLesson } from '../db/progress.js';
import type { ReadingDeps } from './deps.js';

/** Lessons per catch-up page: one button each in a single row, plus a row for paging. */
export const CATCHUP_PAGE_SIZE = 5;

export interface CatchupPage {
  readonly lessons: readonly UnreadLesson[];
  /** From 1; a page past the end shows the last page. */
  readonly page: number;
  readonly pages: number;
  readonly total: number;
}

/** The lessons posted in this server that the member has not read, newest post first, one page. */
export async function catchup(deps: ReadingDeps, request: { guildId: string; userId: string; page: number }): Promise<CatchupPage> {
  const wanted = Math.max(1, Math.floor(request.page));
  let result = await unreadPostedLessons(deps.db, request.guildId, request.userId, {
    offset: (wanted - 1) * CATCHUP_PAGE_SIZE,
    limit: CATCHUP_PAGE_SIZE,
  });
  const pages = Math.max(1, Math.ceil(result.total / CATCHUP_PAGE_SIZE));
  let page = wanted;
  if (wanted > pages) {
    // Reading lessons shrinks the list: a stale "Next" lands on the new last page.
    page = pages;
    result = await unreadPostedLessons(deps.db, request.guildId, request.userId, { offset: (page - 1) * CATCHUP_PAGE_SIZE, limit: CATCHUP_PAGE_SIZE });
  }
  return { lessons: result.lessons, page, pages, total: result.total };
}
