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

const kindColumn = {
  dialogue: 'dialogue_read_at',
  article: 'article_read_at',
  finished: 'finished_at',
} as const satisfies Record<ReadingKind, string>;

/**
 * Records that a member opened (or finished) a lesson. Counts are per member: a second click updates
 * times but never counts twice. Run it in a transaction so the event, the member row and the lesson's
 * counters move together.
 */
export async function recordReading(trx: Transaction<DB>, event: ReadingEvent): Promise<ReadOutcome> {
  await trx
    .insertInto('reading_events')
    .values({ lesson_id: event.lessonId, guild_id: event.guildId, user_id: event.userId, kind: event.kind, occurred_at: event.at })
    .execute();

  const column = kindColumn[event.kind];
  const before = await trx
    .selectFrom('lesson_readers')
    .select(['finished_at'])
    .where('lesson_id', '=', event.lessonId)
    .where('guild_id', '=', event.guildId)
    .where('user_id', '=', event.userId)
    .forUpdate()
    .executeTakeFirst();

  const reader = await trx
    .insertInto('lesson_readers')
    .values({
      lesson_id: event.lessonId,
      guild_id: event.guildId,
      user_id: event.userId,
      first_read_at: event.at,
      last_read_at: event.at,
      [column]: event.at,
    })
    .onConflict((oc) =>
      oc.columns(['lesson_id', 'guild_id', 'user_id']).doUpdateSet((eb) => ({
        last_read_at: sql<Date>`greatest(${eb.ref('lesson_readers.last_read_at')}, ${eb.ref('excluded.last_read_at')})`,
        // Keep the first time each part was read.
        [column]: eb.fn.coalesce(eb.ref(`lesson_readers.${column}`), eb.ref(`excluded.${column}`)),
      })),
    )
    .returning(sql<boolean>`xmax = 0`.as('inserted'))
    .executeTakeFirstOrThrow();

  await trx
    .updateTable('lessons')
    .set((eb) => ({
      read_count: reader.inserted ? eb('read_count', '+', 1) : eb.ref('read_count'),
      last_read_at: sql<Date>`greatest(${eb.ref('last_read_at')}, ${event.at})`,
    }))
    .where('id', '=', event.lessonId)
    .execute();

  return { firstRead: reader.inserted, firstFinish: event.kind === 'finished' && !before?.finished_at };
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
