import { sql, type Transaction } from 'kysely';
import type { DB, Executor, ReadingKind } from './schema.js';

export interface ReadingEvent {
  readonly lessonId: string;
  readonly guildId: string;
  readonly userId: string;
  readonly kind: ReadingKind;
  readonly at: Date;
}

export interface ReadOutcome {
  /** True the first time this member reads this lesson: the lesson's read count went up by one. */
  readonly firstRead: boolean;
  /** True the first time this member marks it finished. */
  readonly firstFinish: boolean;
}

/**
 * Records that a member opened (or finished) a lesson. Only the event is written: triggers on
 * reading_events keep lesson_readers, the member's totals and the lesson's counters exact, so history
 * written straight into reading_events counts the same. Counts are per member: a second click updates
 * times but never counts twice. Run it in a transaction so the outcome matches what was written.
 */
export async function recordReading(trx: Transaction<DB>, event: ReadingEvent): Promise<ReadOutcome> {
  const before = await trx
    .selectFrom('lesson_readers')
    .select(['finished_at'])
    .where('lesson_id', '=', event.lessonId)
    .where('guild_id', '=', event.guildId)
    .where('user_id', '=', event.userId)
    .forUpdate()
    .executeTakeFirst();

  await trx
    .insertInto('reading_events')
    .values({ lesson_id: event.lessonId, guild_id: event.guildId, user_id: event.userId, kind: event.kind, occurred_at: event.at })
    .execute();

  return { firstRead: before === undefined, firstFinish: event.kind === 'finished' && !before?.finished_at };
}

/** How many members of one server have read a lesson (what the lesson card shows). */
export async function countReadersInGuild(db: Executor, lessonId: string, guildId: string): Promise<number> {
  const row = await db
    .selectFrom('lesson_readers')
    .select(sql<number>`count(*)::int`.as('count'))
    .where('lesson_id', '=', lessonId)
    .where('guild_id', '=', guildId)
    .executeTakeFirstOrThrow();
  return row.count;
}
