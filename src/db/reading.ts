import { sql, type Transaction } from 'kysely';
import { PREPARED } from './prepared.js';
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
  const member = { lesson_id: event.lessonId, guild_id: event.guildId, user_id: event.userId };
  const at = (kind: ReadingKind) => (event.kind === kind ? event.at : null);
  // A part's times: opened, or finished with the whole lesson (Mark as read finishes both parts).
  const part = (kind: 'dialogue' | 'article') => (event.kind === kind || event.kind === 'finished' ? event.at : null);
  // Who is first is decided by writes, never by a read before them (parallel clicks, one member pressing
  // "Mark as read" eight times, would all read "not there yet"). The member's row is claimed with exactly
  // the row the event's trigger would insert, so the trigger then merges into it and counts the same;
  // of any number of racing inserts one creates it, and the others wait for it and do nothing.
  const claimed = await trx
    .insertInto('lesson_readers')
    .values({
      ...member,
      first_read_at: event.at,
      last_read_at: event.at,
      dialogue_read_at: part('dialogue'),
      article_read_at: part('article'),
      finished_at: at('finished'),
      dialogue_last_at: part('dialogue'),
      article_last_at: part('article'),
    })
    .onConflict((oc) => oc.columns(['lesson_id', 'guild_id', 'user_id']).doNothing())
    .returning('user_id')
    .executeTakeFirst();

  // The row existed: only the statement that fills an empty finished_at gets a row back. It finishes the
  // parts too, as the event's trigger would: the words (and so the rank counts) move here, in the same
  // statement that takes the lesson's totals, after the counts (the order every read keeps). Left to the
  // event's statement, they moved after this one had taken the lesson's totals: an opening of the same
  // lesson, holding a count row and waiting for those totals, then deadlocked with it.
  const finishedNow =
    event.kind === 'finished' &&
    (claimed !== undefined ||
      (await trx
        .updateTable('lesson_readers')
        .set({
          finished_at: event.at,
          // least/greatest skip nulls, as the event trigger's merge does.
          first_read_at: sql<Date>`least(first_read_at, ${event.at})`,
          last_read_at: sql<Date>`greatest(last_read_at, ${event.at})`,
          dialogue_read_at: sql<Date>`least(dialogue_read_at, ${event.at})`,
          article_read_at: sql<Date>`least(article_read_at, ${event.at})`,
          dialogue_last_at: sql<Date>`greatest(dialogue_last_at, ${event.at})`,
          article_last_at: sql<Date>`greatest(article_last_at, ${event.at})`,
        })
        .where('lesson_id', '=', event.lessonId)
        .where('guild_id', '=', event.guildId)
        .where('user_id', '=', event.userId)
        .where('finished_at', 'is', null)
        .returning('user_id')
        .executeTakeFirst()) !== undefined);

  await trx
    .insertInto('reading_events')
    .values({ ...member, kind: event.kind, occurred_at: event.at })
    .execute();

  return { firstRead: claimed !== undefined, firstFinish: finishedNow };
}

/**
 * Records that a member opened a lesson's dialogue or article, in one statement (one round trip, no
 * explicit transaction): the member's row is claimed as recordReading claims it, and the event is written;
 * the event's trigger runs when the statement ends and merges into the claimed row. `firstFinish` is false.
 */
export async function recordOpening(db: Executor, event: ReadingEvent & { readonly kind: 'dialogue' | 'article' }): Promise<ReadOutcome> {
  const at = (kind: ReadingKind) => (event.kind === kind ? event.at : null);
  const result = await sql<{ first_read: boolean }>`${PREPARED}
    with claimed as (
      insert into lesson_readers (lesson_id, guild_id, user_id, first_read_at, last_read_at, dialogue_read_at, article_read_at,
        dialogue_last_at, article_last_at)
      values (${event.lessonId}, ${event.guildId}, ${event.userId}, ${event.at}, ${event.at}, ${at('dialogue')}, ${at('article')},
        ${at('dialogue')}, ${at('article')})
      on conflict (lesson_id, guild_id, user_id) do nothing
      returning user_id
    ), recorded as (
      insert into reading_events (lesson_id, guild_id, user_id, kind, occurred_at)
      values (${event.lessonId}, ${event.guildId}, ${event.userId}, ${event.kind}, ${event.at})
    )
    select exists (select 1 from claimed) as first_read`.execute(db);
  return { firstRead: result.rows[0]?.first_read === true, firstFinish: false };
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
