import { anyPostSent } from '../db/deliveries.js';
import { unreadPostedLessons, type UnreadLesson, type UnreadPageStart } from '../db/progress.js';
import type { CatchupCursor } from '../domain/progress/catchup-ids.js';
import type { ReadingDeps } from './deps.js';

/** Lessons per catch-up page: one button each in a single row, plus a row for paging. */
export const CATCHUP_PAGE_SIZE = 5;

export interface CatchupPage {
  readonly lessons: readonly UnreadLesson[];
  /** The first lesson's position in the list, from 0. */
  readonly start: number;
  readonly total: number;
  /** Nothing to list because nothing was ever posted in the server (not because the member read it all). */
  readonly nothingPosted?: boolean;
}

/**
 * The lessons posted in this server that the member has not read, newest post first: the first page, a page by
 * number (the buttons of older messages), or the page after or before a place in the list (Next, Previous). Past
 * the end (the list shrank as the member read) it shows the last lessons.
 */
export async function catchup(
  deps: ReadingDeps,
  request: { guildId: string; userId: string; page?: number; from?: CatchupCursor },
): Promise<CatchupPage> {
  const { from } = request;
  const start: UnreadPageStart = from
    ? { [from.direction === 'next' ? 'after' : 'before']: { postedAt: new Date(from.postedAtMs), lessonId: from.lessonId } } as UnreadPageStart
    : { offset: (Math.max(1, Math.floor(request.page ?? 1)) - 1) * CATCHUP_PAGE_SIZE };
  let result = await unreadPostedLessons(deps.db, request.guildId, request.userId, { limit: CATCHUP_PAGE_SIZE, start });
  if (result.lessons.length === 0 && result.total > 0) {
    result = await unreadPostedLessons(deps.db, request.guildId, request.userId, {
      limit: CATCHUP_PAGE_SIZE,
      start: { offset: Math.max(0, result.total - CATCHUP_PAGE_SIZE) },
    });
  }
  // An empty list is "all caught up" only where something was posted: a server before its first post (or without a
  // schedule) has nothing to catch up on, which is not having read every post.
  if (result.total === 0 && !(await anyPostSent(deps.db, request.guildId))) return { lessons: [], start: 0, total: 0, nothingPosted: true };
  return { lessons: result.lessons, start: result.start, total: result.total };
}
