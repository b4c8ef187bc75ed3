import { sql, type Transaction } from 'kysely';
import type { DB, Executor } from './schema.js';

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

export interface MemberDays extends ZoneChoices {
  /** The zone the days are in: the member's, else the server's schedule zone, else UTC (as stored). */
  readonly zone: string;
  /** Reading days in that zone, newest first. */
  readonly days: string[];
}

/**
 * The member's zone choices and their reading days in the zone that applies, in one statement (the zone
 * is resolved in the query, so /progress needs no second round trip).
 */
export async function memberDaysInTheirZone(db: Executor, guildId: string, userId: string): Promise<MemberDays> {
  const result = await sql<{ member_zone: string | null; server_zone: string | null; visible: boolean | null; zone: string; days: string[] }>`
    with choice as (
      select
        (select timezone from member_settings where user_id = ${userId}) as member_zone,
        (select leaderboard_visible from member_settings where user_id = ${userId}) as visible,
        (select timezone from schedules where guild_id = ${guildId}) as server_zone
    ), zone as (
      select *, coalesce(member_zone, server_zone, 'UTC') as zone from choice
    )
    select member_zone, server_zone, visible, zone,
      array(
        select distinct ((e.occurred_at at time zone zone.zone)::date)::text as day
        from reading_events e where e.guild_id = ${guildId} and e.user_id = ${userId}
        order by day desc
      ) as days
    from zone`.execute(db);
  const row = result.rows[0];
  if (!row) throw new Error('memberDaysInTheirZone: no row');
  return {
    memberZone: row.member_zone,
    serverZone: row.server_zone,
    leaderboardVisible: row.visible ?? true,
    zone: row.zone,
    days: row.days,
  };
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

/** Where a board's totals come from: all-time totals, or a window's running totals (after moving it). */
export type BoardSource = { readonly kind: 'all' } | { readonly kind: 'window'; readonly days: number };

/**
 * A board from running totals: the top along the rank index, and the caller's rank as one plus the
 * visible members strictly ahead (two index ranges). Members equal on lessons and words share a rank.
 */
export async function rankedBoard(
  db: Executor,
  source: BoardSource,
  guildId: string,
  callerId: string,
  limit: number,
): Promise<LeaderboardRows> {
  const from = source.kind === 'all' ? sql`member_reading_totals t` : sql`member_window_totals t`;
  const scope = source.kind === 'all' ? sql`t.guild_id = ${guildId}` : sql`t.guild_id = ${guildId} and t.days = ${source.days}`;
  const topRows = await sql<{ user_id: string; lessons_read: number; words_read: string }>`
    select t.user_id, t.lessons_read, t.words_read from ${from}
    where ${scope} and t.lessons_read > 0 and ${notHidden('t.user_id')}
    order by t.lessons_read desc, t.words_read desc, t.user_id
    limit ${limit}`.execute(db);
  const top: LeaderboardEntry[] = [];
  for (const [i, row] of topRows.rows.entries()) {
    const previous = top[i - 1];
    const words = Number(row.words_read);
    const tied = previous && previous.lessonsRead === row.lessons_read && previous.wordsRead === words;
    top.push({ userId: row.user_id, rank: tied ? previous.rank : i + 1, lessonsRead: row.lessons_read, wordsRead: words });
  }
  const inTop = top.find((entry) => entry.userId === callerId);
  if (inTop) return { top, caller: inTop };

  const own = await sql<{ lessons_read: number; words_read: string }>`
    select t.lessons_read, t.words_read from ${from}
    where ${scope} and t.user_id = ${callerId} and t.lessons_read > 0 and ${notHidden('t.user_id')}`.execute(db);
  const mine = own.rows[0];
  if (!mine) return { top, caller: null };
  // Members ahead: the counts of every larger number of lessons, plus those tied on lessons with more
  // words (an index range within the tie group), less the hidden members among them (few, by key).
  const days = source.kind === 'all' ? 0 : source.days;
  const ahead = await sql<{ above: number; tied: number; hidden: number }>`
    select
      (select coalesce(sum(c.members), 0)::int from leaderboard_counts c
        where c.guild_id = ${guildId} and c.days = ${days} and c.lessons_read > ${mine.lessons_read}) as above,
      (select count(*)::int from ${from}
        where ${scope} and t.lessons_read = ${mine.lessons_read} and t.words_read > ${mine.words_read}) as tied,
      -- Per hidden member, a primary-key probe (a scalar subquery stays a per-row lookup whatever the statistics say).
      (select count(*)::int from member_settings s
        where not s.leaderboard_visible
          and coalesce((select t.lessons_read > ${mine.lessons_read} or (t.lessons_read = ${mine.lessons_read} and t.words_read > ${mine.words_read})
                        from ${from} where ${scope} and t.user_id = s.user_id), false)) as hidden`.execute(db);
  const counts = ahead.rows[0] ?? { above: 0, tied: 0, hidden: 0 };
  const count = counts.above + counts.tied - counts.hidden;
  return { top, caller: { userId: callerId, rank: count + 1, lessonsRead: mine.lessons_read, wordsRead: Number(mine.words_read) } };
}

/**
 * Moves a server's `days`-long window to start at `boundary` (run it in a transaction, then read the
 * board in the same one). The first time, the window's totals are computed from lesson_readers, with
 * writers held off so none is missed. Later, only the rows between the old and the new boundary are
 * counted out (or, if the clock went back, in): a few rows when boards are asked for often.
 */
export async function moveLeaderboardWindow(trx: Transaction<DB>, guildId: string, days: number, boundary: Date): Promise<void> {
  const current = await trx
    .selectFrom('leaderboard_windows')
    .select('boundary')
    .where('guild_id', '=', guildId)
    .where('days', '=', days)
    .forUpdate()
    .executeTakeFirst();
  if (!current) {
    // SHARE mode waits for writes in flight and holds new ones until this commits: none is counted twice or lost.
    await sql`lock table lesson_readers in share mode`.execute(trx);
    await trx.insertInto('leaderboard_windows').values({ guild_id: guildId, days, boundary }).execute();
    await sql`
      insert into member_window_totals (guild_id, days, user_id, lessons_read, words_read)
      select r.guild_id, ${days}::int, r.user_id, count(*),
        sum(case when r.dialogue_last_at >= ${boundary} then l.dialogue_words else 0 end
          + case when r.article_last_at >= ${boundary} then l.article_words else 0 end)
      from lesson_readers r join lessons l on l.id = r.lesson_id
      where r.guild_id = ${guildId} and r.last_read_at >= ${boundary}
      group by r.guild_id, r.user_id`.execute(trx);
    // Fresh statistics for the rows just added, so the board's queries get their index plans at once
    // (autovacuum would only catch up later).
    await sql`analyze member_window_totals`.execute(trx);
    return;
  }
  const from = current.boundary;
  if (from.getTime() === boundary.getTime()) return;
  // Moving forward counts out what lies in [from, boundary); back (a clock set back), counts it in again.
  const [low, high, sign] = from < boundary ? [from, boundary, -1] : [boundary, from, 1];
  await sql`
    insert into member_window_totals as t (guild_id, days, user_id, lessons_read, words_read)
    select ${guildId}, ${days}::int, user_id, ${sign}::int * sum(lessons)::int, ${sign}::int * sum(words)::bigint
    from (
      select r.user_id, 1 as lessons, 0 as words from lesson_readers r
        where r.guild_id = ${guildId} and r.last_read_at >= ${low} and r.last_read_at < ${high}
      union all
      select r.user_id, 0, l.dialogue_words from lesson_readers r join lessons l on l.id = r.lesson_id
        where r.guild_id = ${guildId} and r.dialogue_last_at >= ${low} and r.dialogue_last_at < ${high}
      union all
      select r.user_id, 0, l.article_words from lesson_readers r join lessons l on l.id = r.lesson_id
        where r.guild_id = ${guildId} and r.article_last_at >= ${low} and r.article_last_at < ${high}
    ) moved
    group by user_id
    on conflict (guild_id, days, user_id) do update set
      lessons_read = t.lessons_read + excluded.lessons_read,
      words_read = t.words_read + excluded.words_read`.execute(trx);
  await trx
    .updateTable('leaderboard_windows')
    .set({ boundary })
    .where('guild_id', '=', guildId)
    .where('days', '=', days)
    .execute();
}

/**
 * The board for reads since `since`, computed directly from lesson_readers: a lesson counts when the
 * member read it (any event) in the period, and its dialogue (article) words when they opened the dialogue
 * (article) in the period. The reference the running totals are tested against.
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
