import type { Kysely } from 'kysely';
import { findLesson, isUuid, newestLesson, searchLessons, type LibraryLesson } from '../db/lessons.js';
import type { DB } from '../db/schema.js';
import { UserError } from '../user-error.js';

export const EMPTY_LIBRARY =
  'The lesson library is empty, so there is no lesson yet. ' +
  'Moderators add lessons with `/lesson import` (upload a lesson export), ' +
  'or on the bot’s machine with `npm run lessons -- import <files>`.';

/** Today's lesson in a server: the newest lesson by article date until the server has a schedule. */
export async function todaysLesson(db: Kysely<DB>, _guildId: string): Promise<LibraryLesson> {
  const lesson = await newestLesson(db);
  if (!lesson) throw new UserError(EMPTY_LIBRARY);
  return lesson;
}

/**
 * The lesson a member asked for: autocomplete sends its ID, but a member may also type a title
 * without picking; one clear match is taken, otherwise they are told to pick from the list.
 */
export async function requestedLesson(db: Kysely<DB>, guildId: string, option: string | undefined): Promise<LibraryLesson> {
  const wanted = option?.trim();
  if (!wanted) return todaysLesson(db, guildId);
  if (isUuid(wanted)) {
    const lesson = await findLesson(db, wanted);
    if (!lesson) throw new UserError(`There is no lesson with the ID \`${wanted}\`.`);
    return lesson;
  }
  const matches = await searchLessons(db, wanted, 2);
  const [only] = matches;
  if (matches.length === 1 && only) {
    const lesson = await findLesson(db, only.id);
    if (lesson) return lesson;
  }
  throw new UserError(
    matches.length === 0
      ? 'No lesson matches that. Start typing a title and pick one from the list.'
      : 'More than one lesson matches that. Keep typing and pick one from the list.',
  );
}
