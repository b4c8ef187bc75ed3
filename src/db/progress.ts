import { sql } from 'kysely';
import type { Executor } from './schema.js';

/*
 * Queries for learner progress. Everything here is derived from reading_events: directly (reading days)
 * or through lesson_readers and member_reading_totals, which triggers keep exact on every insert.
 */

export interface MemberSettings {
  readonly userId: string;
  readonly timeZone: string | null;
  readonly leaderboardVisible: boolean;
}

export async function findMemberSettings(db: Executor, userId: string): Promise<MemberSettings | undefined> {
  const row = await db
    .selectFrom('member_settings')
    .select(['user_id', 'timezone', 'leaderboard_visible'])
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row && { userId: row.user_id, timeZone: row.timezone, leaderboardVisible: row.leaderboard_visible };
}

/** Sets (or, with null, clears) a member's own time zone. */
export async function saveMemberTimeZone(db: Executor, userId: string, timeZone: string | null, now: Date): Promise<void> {
  await db
    .insertInto('member_settings')
    .values({ user_id: userId, timezone: timeZone, updated_at: now })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ timezone: timeZone, updated_at: now }))
    .execute();
}

export async function saveLeaderboardVisible(db: Executor, userId: string, visible: boolean, now: Date): Promise<void> {
  await db
    .insertInto('member_settings')
    .values({ user_id: userId, leaderboard_visible: visible, updated_at: now })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ leaderboard_visible: visible, updated_at: now }))
    .execute();
}

export interface ZoneChoices {
  /** The member's own zone, if they set one. */
  readonly memberZone: string | null;
  /** The server's schedule zone, if it has a schedule. */
  readonly serverZone: string | null;
  readonly leaderboardVisible: boolean;
}

/** The member's settings and the server's schedule zone, in one round trip (two primary-key lookups). */
export async function zoneChoices(db: Executor, guildId: string, userId: string): Promise<ZoneChoices> {
  const row = await db
    .selectNoFrom((eb) => [
      eb.selectFrom('member_settings').select('timezone').where('user_id', '=', userId).as('member_zone'),
      eb.selectFrom('member_settings').select('leaderboard_visible').where('user_id', '=', userId).as('visible'),
      eb.selectFrom('schedules').select('timezone').where('guild_id', '=', guildId).as('server_zone'),
    ])
    .executeTakeFirstOrThrow();
  return { memberZone: row.member_zone ?? null, serverZone: row.server_zone ?? null, leaderboardVisible: row.visible ?? true };
}

export interface MemberTotals {
  readonly lessonsRead: number;
  readonly wordsRead: number;
  readonly lastReadAt: Date | null;
}

export async function memberTotals(db: Executor, guildId: string, userId: string): Promise<MemberTotals> {
  const row = await db
    .selectFrom('member_reading_totals')
    .select(['lessons_read', 'words_read', 'last_read_at'])
    .where('guild_id', '=', guildId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return { lessonsRead: row?.lessons_read ?? 0, wordsRead: Number(row?.words_read ?? 0), lastReadAt: row?.last_read_at ?? null };
}

/**
 * The member's reading days in `zone` (local dates with at least one event), newest first. Read straight
 * from reading_events along its (guild, user, time) index.
 */
export async function memberReadingDays(db: Executor, guildId: string, userId: string, zone: string): Promise<string[]> {
  // The zone is bound once: a repeated parameter would not match between select and group by.
  const result = await sql<{ day: string }>`
    select distinct ((occurred_at at time zone ${zone})::date)::text as day
    from reading_events where guild_id = ${guildId} and user_id = ${userId}
    order by day desc`.execute(db);
  const rows = result.rows;
  return rows.map((row) => row.day);
}

export interface LessonRead {
  readonly lessonId: string;
  readonly title: string;
  readonly firstReadAt: Date;
  readonly lastReadAt: Date;
}

/** The lessons a member read most recently (by their latest read), newest first. */
export async function recentLessonsRead(db: Executor, guildId: string, userId: string, limit: number): Promise<LessonRead[]> {
  const rows = await db
    .selectFrom('lesson_readers as r')
    .innerJoin('lessons as l', 'l.id', 'r.lesson_id')
    .select(['r.lesson_id', 'l.title', 'r.first_read_at', 'r.last_read_at'])
    .where('r.guild_id', '=', guildId)
    .where('r.user_id', '=', userId)
    .orderBy('r.last_read_at', 'desc')
    .orderBy('r.lesson_id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ lessonId: row.lesson_id, title: row.title, firstReadAt: row.first_read_at, lastReadAt: row.last_read_at }));
}

export interface LeaderboardEntry {
  readonly userId: string;
  /** Competition rank: members with equal lessons and words share it (1, 2, 2, 4). */
  readonly rank: number;
  readonly lessonsRead: number;
  readonly wordsRead: number;
}

export interface LeaderboardRows {
  readonly top: LeaderboardEntry[];
  /** The caller's own entry, when they are on the board (visible, and read something in the period). */
  readonly caller: LeaderboardEntry | null;
}

const notHidden = (userColumn: string) =>
  sql<boolean>`not exists (select 1 from member_settings s where s.user_id = ${sql.ref(userColumn)} and not s.leaderboard_visible)`;

/**
 * The all-time board from member_reading_totals: the top along its rank index, and the caller's rank as
 * one plus the visible members strictly ahead (two index ranges).
 */
export async function leaderboardAllTime(db: Executor, guildId: string, callerId: string, limit: number): Promise<LeaderboardRows> {
  const topRows = await db
    .selectFrom('member_reading_totals as t')
    .select(['t.user_id', 't.lessons_read', 't.words_read'])
    .where('t.guild_id', '=', guildId)
    .where('t.lessons_read', '>', 0)
    .where(notHidden('t.user_id'))
    .orderBy('t.lessons_read', 'desc')
    .orderBy('t.words_read', 'desc')
    .orderBy('t.user_id')
    .limit(limit)
    .execute();
  const top: LeaderboardEntry[] = [];
  for (const [i, row] of topRows.entries()) {
    const previous = top[i - 1];
    const tied = previous && previous.lessonsRead === row.lessons_read && previous.wordsRead === Number(row.words_read);
    top.push({ userId: row.user_id, rank: tied ? previous.rank : i + 1, lessonsRead: row.lessons_read, wordsRead: Number(row.words_read) });
  }
  const inTop = top.find((entry) => entry.userId === callerId);
  if (inTop) return { top, caller: inTop };

  const own = await db
    .selectFrom('member_reading_totals as t')
    .select(['t.lessons_read', 't.words_read'])
    .where('t.guild_id', '=', guildId)
    .where('t.user_id', '=', callerId)
    .where('t.lessons_read', '>', 0)
    .where(notHidden('t.user_id'))
    .executeTakeFirst();
  if (!own) return { top, caller: null };
  const ahead = await db
    .selectFrom('member_reading_totals as t')
    .select(sql<number>`count(*)::int`.as('count'))
    .where('t.guild_id', '=', guildId)
    .where((eb) =>
      eb.or([
        eb('t.lessons_read', '>', own.lessons_read),
        eb.and([eb('t.lessons_read', '=', own.lessons_read), eb('t.words_read', '>', own.words_read)]),
      ]),
    )
    .where(notHidden('t.user_id'))
    .executeTakeFirstOrThrow();
  return { top, caller: { userId: callerId, rank: ahead.count + 1, lessonsRead: own.lessons_read, wordsRead: Number(own.words_read) } };
}

/**
 * The board for reads since `since`: a lesson counts when the member read it (any event) in the period,
 * and its dialogue (article) words when they opened the dialogue (article) in the period. One pass over
 * lesson_readers' (server, last read) index, which carries what it needs.
 */
export async function leaderboardSince(
  db: Executor,
  guildId: string,
  since: Date,
  callerId: string,
  limit: number,
): Promise<LeaderboardRows> {
  const result = await sql<{ user_id: string; lessons: number; words: string; rank: string; position: string }>`
    with per_member as (
      select r.user_id,
        count(*)::int as lessons,
        sum(case when r.dialogue_last_at >= ${since} then l.dialogue_words else 0 end
          + case when r.article_last_at >= ${since} then l.article_words else 0 end)::bigint as words
      from lesson_readers r
      join lessons l on l.id = r.lesson_id
      where r.guild_id = ${guildId} and r.last_read_at >= ${since}
        and ${notHidden('r.user_id')}
      group by r.user_id
    ), ranked as (
      select user_id, lessons, words,
        rank() over (order by lessons desc, words desc) as rank,
        row_number() over (order by lessons desc, words desc, user_id) as position
      from per_member
    )
    select user_id, lessons, words, rank, position from ranked
    where position <= ${limit} or user_id = ${callerId}
    order by position`.execute(db);
  const entries = result.rows.map((row) => ({
    entry: { userId: row.user_id, rank: Number(row.rank), lessonsRead: row.lessons, wordsRead: Number(row.words) },
    position: Number(row.position),
  }));
  const top = entries.filter((e) => e.position <= limit).map((e) => e.entry);
  const caller = entries.find((e) => e.entry.userId === callerId)?.entry ?? null;
  return { top, caller };
}

export interface UnreadLesson {
  readonly lessonId: string;
  readonly title: string;
  /** When it was last posted in this server. */
  readonly postedAt: Date;
  readonly localDate: string;
}

/**
 * Lessons posted in this server that the member has not read, newest post first. Posts come from the
 * server's deliveries (primary key range); "not read" is a primary-key probe into lesson_readers.
 */
export async function unreadPostedLessons(
  db: Executor,
  guildId: string,
  userId: string,
  page: { offset: number; limit: number },
): Promise<{ lessons: UnreadLesson[]; total: number }> {
  const result = await sql<{ lesson_id: string; title: string; posted_at: Date; local_date: string; total: number }>`
    with posted as (
      select d.lesson_id, max(d.sent_at) as posted_at, max(d.local_date)::text as local_date
      from deliveries d
      where d.guild_id = ${guildId} and d.status = 'sent'
        and not exists (
          select 1 from lesson_readers r
          where r.lesson_id = d.lesson_id and r.guild_id = ${guildId} and r.user_id = ${userId})
      group by d.lesson_id
    )
    select p.lesson_id, l.title, p.posted_at, p.local_date, (count(*) over ())::int as total
    from posted p join lessons l on l.id = p.lesson_id
    order by p.posted_at desc nulls last, p.lesson_id
    offset ${page.offset} limit ${page.limit}`.execute(db);
  const total = result.rows[0]?.total ?? (page.offset > 0 ? await countUnreadPosted(db, guildId, userId) : 0);
  return {
    lessons: result.rows.map((row) => ({ lessonId: row.lesson_id, title: row.title, postedAt: row.posted_at, localDate: row.local_date })),
    total,
  };
}

async function countUnreadPosted(db: Executor, guildId: string, userId: string): Promise<number> {
  const result = await sql<{ total: number }>`
    select count(distinct d.lesson_id)::int as total from deliveries d
    where d.guild_id = ${guildId} and d.status = 'sent'
      and not exists (
        select 1 from lesson_readers r
        where r.lesson_id = d.lesson_id and r.guild_id = ${guildId} and r.user_id = ${userId})`.execute(db);
  return result.rows[0]?.total ?? 0;
}

export interface LessonReadersInGuild {
  readonly readers: number;
  readonly lastReadAt: Date | null;
}

/** How many members of a server read a lesson, and when it was last read there (the card). */
export async function lessonReadersInGuild(db: Executor, lessonId: string, guildId: string): Promise<LessonReadersInGuild> {
  const row = await db
    .selectFrom('lesson_readers')
    .select([sql<number>`count(*)::int`.as('readers'), sql<Date | null>`max(last_read_at)`.as('last_read_at')])
    .where('lesson_id', '=', lessonId)
    .where('guild_id', '=', guildId)
    .executeTakeFirstOrThrow();
  return { readers: row.readers, lastReadAt: row.last_read_at };
}

export interface MostReadLesson {
  readonly lessonId: string;
  readonly title: string;
  readonly readers: number;
  readonly lastReadAt: Date | null;
}

/** The most-read lessons, by members who read them: in one server, or in all of them. */
export async function mostReadLessons(db: Executor, options: { guildId?: string | undefined; limit: number }): Promise<MostReadLesson[]> {
  let query = db
    .selectFrom('lesson_readers as r')
    .innerJoin('lessons as l', 'l.id', 'r.lesson_id')
    .select(['r.lesson_id', 'l.title', sql<number>`count(*)::int`.as('readers'), sql<Date | null>`max(r.last_read_at)`.as('last_read_at')])
    .groupBy(['r.lesson_id', 'l.title'])
    .orderBy('readers', 'desc')
    .orderBy('last_read_at', 'desc')
    .orderBy('r.lesson_id')
    .limit(options.limit);
  if (options.guildId !== undefined) query = query.where('r.guild_id', '=', options.guildId);
  const rows = await query.execute();
  return rows.map((row) => ({ lessonId: row.lesson_id, title: row.title, readers: row.readers, lastReadAt: row.last_read_at }));
}
