import type { Kysely } from 'kysely';
import { findLesson, isUuid, newestLesson, searchLessons, type LibraryLesson } from '../db/lessons.js';
import { findSchedule } from '../db/schedules.js';
import type { DB } from '../db/schema.js';
import { lessonForDay } from '../delivery/lesson-choice.js';
import { localDate } from '../domain/schedule/index.js';
import { UserError } from '../user-error.js';

export const EMPTY_LIBRARY =
  'The lesson library is empty, so there is no lesson yet. ' +
  'Moderators add lessons with `/lesson import` (upload a lesson export), ' +
  'or on the bot’s machine with `npm run lessons -- import <files>`.';

export interface LookupDeps {
  readonly db: Kysely<DB>;
  readonly now: () => Date;
}

/**
 * Today's lesson in a server: the one delivered today (its local day), or before today's post the one
 * that will be. Without a schedule, or with nothing left to deliver, the newest lesson by article date.
 */
export async function todaysLesson(deps: LookupDeps, guildId: string): Promise<LibraryLesson> {
  const schedule = await findSchedule(deps.db, guildId);
  if (schedule) {
    // lessonForDay gives today's delivered lesson first, then the pinned one, then the queue's head.
    const { lessonId } = await lessonForDay(deps.db, guildId, localDate(deps.now(), schedule.timeZone));
    const lesson = lessonId ? await findLesson(deps.db, lessonId) : undefined;
    if (lesson) return lesson;
  }
  const newest = await newestLesson(deps.db);
  if (!newest) throw new UserError(EMPTY_LIBRARY);
  return newest;
}

/**
 * The lesson a member asked for: autocomplete sends its ID, but a member may also type a title
 * without picking; one clear match is taken, otherwise they are told to pick from the list.
 */
export async function requestedLesson(deps: LookupDeps, guildId: string, option: string | undefined): Promise<LibraryLesson> {
  const wanted = option?.trim();
  if (!wanted) return todaysLesson(deps, guildId);
  if (isUuid(wanted)) {
    const lesson = await findLesson(deps.db, wanted);
    if (!lesson) throw new UserError(`There is no lesson with the ID \`${wanted}\`.`);
    return lesson;
  }
  const matches = await searchLessons(deps.db, wanted, 2);
  const [only] = matches;
  if (matches.length === 1 && only) {
    const lesson = await findLesson(deps.db, only.id);
    if (lesson) return lesson;
  }
  throw new UserError(
    matches.length === 0
      ? 'No lesson matches that. Start typing a title and pick one from the list.'
      : 'More than one lesson matches that. Keep typing and pick one from the list.',
  );
}
