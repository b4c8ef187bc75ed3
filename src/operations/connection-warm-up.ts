import type { Kysely } from 'kysely';
import { guildSettings } from '../db/guild-settings.js';
import { findLessonHead, findLessonWith, findLessonWithGuildReaders, newestLessonHead, newestLessonWithGuildReaders } from '../db/lessons.js';
import { findMemberSettings, lessonReadersInGuild } from '../db/progress.js';
import { recordOpening, recordReading } from '../db/reading.js';
import { findSchedule } from '../db/schedules.js';
import type { DB } from '../db/schema.js';
import { findLevel, findVocabulary } from '../db/vocabulary.js';
import { lessonForDay } from '../delivery/lesson-choice.js';
import { relatedReadings } from '../discovery/related.js';
import { suggestLessons } from '../discovery/search.js';

/**
 * Neither a server nor a member Discord can have (snowflakes are numbers of 17 digits or more): the warm-up's
 * reads find nothing of theirs and its writes, rolled back, touch no one's rows.
 */
const NO_SERVER = '0';
const NO_MEMBER = '0';

class RollBack extends Error {}

/**
 * Runs once, on one database connection, the statements members' commands run (the mix of the commands
 * benchmark: today's card, a lesson, its dialogue and article, related readings, the autocomplete, the card
 * and page buttons, Mark as read), with the newest lesson and a server and member that do not exist.
 *
 * Why: each PostgreSQL connection is a server process of its own that loads its catalog caches, plans, and
 * prepares the marked lookups on its first use of them (~10–25 ms for a first lookup against ~0.5 ms after).
 * The pool reuses its most recently freed connection, so a quiet start warms one of the ten; the first burst
 * of commands then met nine cold ones at once, and a bot's first second at 200/s stalled. The bot runs this
 * on every connection of its pool before it logs in (Database.openAllConnections).
 *
 * The writes (an opening and Mark as read, with their triggers) run in a transaction that is rolled back:
 * nothing is recorded. Errors are the caller's to log: a warm-up that fails leaves a cold connection, no more.
 */
export async function warmConnection(db: Kysely<DB>, now: Date = new Date()): Promise<void> {
  const newest = await newestLessonHead(db);
  await Promise.all([
    newestLessonWithGuildReaders(db, NO_SERVER),
    findSchedule(db, NO_SERVER),
    guildSettings(db, NO_SERVER),
    findMemberSettings(db, NO_MEMBER),
    lessonForDay(db, NO_SERVER, now.toISOString().slice(0, 10)),
    suggestLessons(db, '', 25),
    suggestLessons(db, 'the new', 25),
    suggestLessons(db, '0a1b', 25),
  ]);
  if (!newest) return;
  const lessonId = newest.lesson.id;
  const member = { guildId: NO_SERVER, userId: NO_MEMBER };
  await findLessonHead(db, lessonId);
  await findLessonWith(db, lessonId, 'dialogue');
  await findLessonWith(db, lessonId, 'article');
  await findLessonWithGuildReaders(db, lessonId, NO_SERVER);
  await lessonReadersInGuild(db, lessonId, NO_SERVER);
  await relatedReadings(db, lessonId, member);
  await findVocabulary(db, lessonId);
  await findLevel(db, lessonId);
  try {
    await db.transaction().execute(async (trx) => {
      const event = { lessonId, ...member, at: now };
      await recordOpening(trx, { ...event, kind: 'dialogue' });
      await recordReading(trx, { ...event, kind: 'finished' });
      throw new RollBack();
    });
  } catch (error) {
    if (!(error instanceof RollBack)) throw error;
  }
}
