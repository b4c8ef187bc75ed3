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
  /** The date of the latest read in the zone of MemberProgressRows (as its reading days). */
  readonly lastReadLocalDate: string;
}

export interface MemberProgressRows extends ZoneChoices {
  /** The zone the days are in: the member's, else the server's schedule zone, else UTC (as stored). */
  readonly zone: string;
  /** Reading days in that zone, newest first; empty when not asked for. */
  readonly days: string[];
  readonly lessonsRead: number;
  readonly wordsRead: number;
  /** The lessons read most recently (by their latest read), newest first; empty when not asked for. */
  readonly recent: LessonRead[];
}

/**
 * Everything `/progress` reads about a member, in one statement: their zone choices, their reading days
 * in the zone that applies (resolved in the query), their totals, and their `recent` latest lessons.
 * `daysOnlyIfVisible`: skip the reading days when the member hid themselves (another member asking sees nothing).
 * Each part is an index range or key lookup: the member's events along reading_events (guild, user,
 * time), their row of member_reading_totals, their lesson_readers along (guild, user, last read).
 */
export async function memberProgressRows(
  db: Executor,
  guildId: string,
  userId: string,
  options: { recent: number; daysOnlyIfVisible: boolean },
): Promise<MemberProgressRows> {
  const result = await sql<{
    member_zone: string | null;
    server_zone: string | null;
    visible: boolean | null;
    zone: string;
    days: string[] | null;
    lessons_read: number | null;
    words_read: string | null;
    recent: { lessonId: string; title: string; firstReadAt: number; lastReadAt: number; lastReadLocalDate: string }[] | null;
  }>`
    with choice as (
      select
        (select timezone from member_settings where user_id = ${userId}) as member_zone,
        (select leaderboard_visible from member_settings where user_id = ${userId}) as visible,
        (select timezone from schedules where guild_id = ${guildId}) as server_zone
    ), zone as (
      select *, coalesce(member_zone, server_zone, 'UTC') as zone from choice
    )
    select zone.member_zone, zone.server_zone, zone.visible, zone.zone,
      case when ${!options.daysOnlyIfVisible}::boolean or coalesce(zone.visible, true) then array(
        select distinct ((e.occurred_at at time zone zone.zone)::date)::text as day
        from reading_events e where e.guild_id = ${guildId} and e.user_id = ${userId}
        order by day desc
      ) end as days,
      t.lessons_read, t.words_read,
      case when ${options.recent}::int > 0 then (
        select json_agg(json_build_object(
            'lessonId', x.lesson_id, 'title', x.title,
            'firstReadAt', floor(extract(epoch from x.first_read_at) * 1000),
            'lastReadAt', floor(extract(epoch from x.last_read_at) * 1000),
            'lastReadLocalDate', ((x.last_read_at at time zone zone.zone)::date)::text)
          order by x.last_read_at desc, x.lesson_id)
        from (
          select r.lesson_id, l.title, r.first_read_at, r.last_read_at
          from lesson_readers r join lessons l on l.id = r.lesson_id
          where r.guild_id = ${guildId} and r.user_id = ${userId}
          order by r.last_read_at desc, r.lesson_id
          limit ${options.recent}
        ) x
      ) end as recent
    from zone
    left join member_reading_totals t on t.guild_id = ${guildId} and t.user_id = ${userId}`.execute(db);
  const row = result.rows[0];
  if (!row) throw new Error('memberProgressRows: no row');
  return {
    memberZone: row.member_zone,
    serverZone: row.server_zone,
    leaderboardVisible: row.visible ?? true,
    zone: row.zone,
    days: row.days ?? [],
    lessonsRead: row.lessons_read ?? 0,
    wordsRead: Number(row.words_read ?? 0),
    recent: (row.recent ?? []).map((lesson) => ({
      lessonId: lesson.lessonId,
      title: lesson.title,
      firstReadAt: new Date(Number(lesson.firstReadAt)),
      lastReadAt: new Date(Number(lesson.lastReadAt)),
      lastReadLocalDate: lesson.lastReadLocalDate,
    })),
  };
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
const hidden = (userColumn: string) =>
  sql<boolean>`exists (select 1 from member_settings s where s.user_id = ${sql.ref(userColumn)} and not s.leaderboard_visible)`;

/**
 * Where a board's figures come from: all-time totals, or a window's running totals. A window's totals
 * count the reads since its stored boundary; the board wanted counts the reads since `since`. When the two
 * are at most `maxShiftMs` apart, the board is read as the stored totals with the reads between them
 * counted out (or in), so reading a board writes nothing; further apart (or with no window yet), the read
 * says it is not exact, and the caller moves the window first (moveLeaderboardWindow).
 */
export type BoardSource =
  | { readonly kind: 'all' }
  | { readonly kind: 'window'; readonly days: number; readonly since: Date; readonly maxShiftMs: number };

export interface Board extends LeaderboardRows {
  /** False when a window board could not be read from the window as it stands (see BoardSource). */
  readonly exact: boolean;
  /** The caller's own choice (true unless they hid themselves). */
  readonly callerVisible: boolean;
}

/**
 * A board in one statement: the top `limit` visible members (competition ranks), the caller's entry with
 * their rank, and whether the caller is visible. Every part is an index range or key lookup:
 *  - the top: the first `limit` rows along the board's rank index (members who hid themselves skipped by
 *    key), merged with the few members whose figures change between the window's boundary and `since`;
 *  - the caller's rank: 1 + the visible members ahead, from leaderboard_counts (visible members per number
 *    of lessons: the numbers above theirs) and leaderboard_word_counts (visible members per lessons and
 *    words: the word totals above theirs among those with as many lessons), corrected for the members whose
 *    figures change between the boundary and `since`.
 */
export async function readBoard(db: Executor, source: BoardSource, guildId: string, callerId: string, limit: number): Promise<Board> {
  const window = source.kind === 'window';
  const days = window ? source.days : 0;
  const totals = window ? sql`member_window_totals` : sql`member_reading_totals`;
  const scope = (alias: string) =>
    window ? sql`${sql.ref(`${alias}.guild_id`)} = ${guildId} and ${sql.ref(`${alias}.days`)} = ${days}` : sql`${sql.ref(`${alias}.guild_id`)} = ${guildId}`;
  // The reads that can lie between the boundary and `since`, as constants too, so the planner sees how few
  // they are (the boundary itself is only known when the statement runs).
  const earliest = window ? new Date(source.since.getTime() - source.maxShiftMs) : null;
  const latest = window ? new Date(source.since.getTime() + source.maxShiftMs) : null;
  const between = (column: string) =>
    sql`${sql.ref(column)} >= u.low and ${sql.ref(column)} < u.high and ${sql.ref(column)} >= ${earliest} and ${sql.ref(column)} < ${latest}`;
  // The members whose figures differ between the stored totals and the board wanted: stored and wanted
  // lessons and words, and whether they hid themselves. Empty for the all-time board.
  const changed = window
    ? sql`
      usable as (
        select least(w.boundary, ${source.since}) as low, greatest(w.boundary, ${source.since}) as high,
          case when w.boundary < ${source.since} then -1 else 1 end as sign
        from leaderboard_windows w
        where w.guild_id = ${guildId} and w.days = ${days} and w.boundary >= ${earliest} and w.boundary <= ${latest}
      ), moved as (
        select x.user_id, sum(x.lessons)::int as lessons, sum(x.words)::bigint as words
        from (
          select r.user_id, 1 as lessons, 0 as words from usable u
            join lesson_readers r on r.guild_id = ${guildId} and ${between('r.last_read_at')}
          union all
          -- A lesson's words by key (a scalar subquery: never a scan of lessons, whatever the estimates).
          select r.user_id, 0, (select l.dialogue_words from lessons l where l.id = r.lesson_id) from usable u
            join lesson_readers r on r.guild_id = ${guildId} and ${between('r.dialogue_last_at')}
          union all
          select r.user_id, 0, (select l.article_words from lessons l where l.id = r.lesson_id) from usable u
            join lesson_readers r on r.guild_id = ${guildId} and ${between('r.article_last_at')}
        ) x
        group by x.user_id
      ), changed as (
        select m.user_id,
          coalesce(t.lessons_read, 0) as stored_lessons, coalesce(t.words_read, 0)::bigint as stored_words,
          coalesce(t.lessons_read, 0) + u.sign * m.lessons as lessons,
          coalesce(t.words_read, 0)::bigint + u.sign * m.words as words,
          ${hidden('m.user_id')} as hidden
        from moved m cross join usable u
        left join member_window_totals t on t.guild_id = ${guildId} and t.days = ${days} and t.user_id = m.user_id
      )`
    : sql`
      changed as (
        select null::text as user_id, 0 as stored_lessons, 0::bigint as stored_words, 0 as lessons, 0::bigint as words,
          false as hidden
        where false
      )`;
  const exact = window ? sql`exists (select 1 from usable)` : sql`true`;
  const result = await sql<{
    exact: boolean;
    visible: boolean;
    lessons: number;
    words: string;
    top: { userId: string; lessons: number; words: number; rank: number }[];
    caller_rank: number | null;
  }>`
    with ${changed},
    candidates as (
      (select t.user_id, t.lessons_read as lessons, t.words_read::bigint as words from ${totals} t
        where ${scope('t')} and t.lessons_read > 0 and not ${hidden('t.user_id')}
          and not exists (select 1 from changed c where c.user_id = t.user_id)
        order by t.lessons_read desc, t.words_read desc, t.user_id
        limit ${limit})
      union all
      select c.user_id, c.lessons, c.words from changed c where c.lessons > 0 and not c.hidden
    ), top as (
      select user_id, lessons, words, rank() over (order by lessons desc, words desc) as rank
      from candidates
      order by lessons desc, words desc, user_id
      limit ${limit}
    ), me as materialized (
      select coalesce(s.leaderboard_visible, true) as visible,
        coalesce(c.lessons, t.lessons_read, 0) as lessons,
        coalesce(c.words, t.words_read::bigint, 0) as words
      from (select) as one
      left join member_settings s on s.user_id = ${callerId}
      left join changed c on c.user_id = ${callerId}
      left join ${totals} t on ${scope('t')} and t.user_id = ${callerId}
    )
    select ${exact} as exact, me.visible, me.lessons, me.words,
      coalesce((
        select json_agg(json_build_object('userId', top.user_id, 'lessons', top.lessons, 'words', top.words, 'rank', top.rank)
          order by top.lessons desc, top.words desc, top.user_id)
        from top), '[]'::json) as top,
      case when ${exact} and me.visible and me.lessons > 0
        and not exists (select 1 from top where top.user_id = ${callerId}) then (
          1
          -- The visible members ahead by the stored figures (the counts leave hidden members out) …
          + (select coalesce(sum(k.members), 0) from leaderboard_counts k
              where k.guild_id = ${guildId} and k.days = ${days} and k.lessons_read > me.lessons)
          + (select coalesce(sum(k.members), 0) from leaderboard_word_counts k
              where k.guild_id = ${guildId} and k.days = ${days} and k.lessons_read = me.lessons and k.words_read > me.words)
          -- … and, for the members whose figures change (the caller too), their wanted figures instead.
          - (select count(*) from changed c where not c.hidden and (c.stored_lessons, c.stored_words) > (me.lessons, me.words))
          + (select count(*) from changed c
              where not c.hidden and c.user_id <> ${callerId} and (c.lessons, c.words) > (me.lessons, me.words))
        )::int end as caller_rank
    from me`.execute(db);
  const row = result.rows[0];
  if (!row) throw new Error('readBoard: no row');
  const top: LeaderboardEntry[] = row.top.map((entry) => ({
    userId: entry.userId,
    rank: Number(entry.rank),
    lessonsRead: Number(entry.lessons),
    wordsRead: Number(entry.words),
  }));
  const inTop = top.find((entry) => entry.userId === callerId) ?? null;
  const caller =
    inTop ??
    (row.caller_rank === null ? null : { userId: callerId, rank: Number(row.caller_rank), lessonsRead: Number(row.lessons), wordsRead: Number(row.words) });
  return { top, caller, exact: row.exact, callerVisible: row.visible };
}

/**
 * Moves a server's `days`-long window to start at `boundary`, in the caller's transaction (the window's
 * row stays locked until it ends, so a board read in the same transaction reads it at `boundary`). The
 * first time, the window's totals are computed from lesson_readers, with writers held off so none is
 * missed. Later, only the rows between the old and the new boundary are
 * counted out (or, if the clock went back, in): a few rows when boards are asked for often.
 */
export async function moveLeaderboardWindow(trx: Transaction<DB>, guildId: string, days: number, boundary: Date): Promise<void> {
  const lockWindow = () =>
    trx
      .selectFrom('leaderboard_windows')
      .select('boundary')
      .where('guild_id', '=', guildId)
      .where('days', '=', days)
      .forUpdate()
      .executeTakeFirst();
  // Table locks before the window's row, in the order every writer of the totals takes them (lesson_readers,
  // then the totals tables, then rows): forget-me holds member_window_totals and then waits for window rows
  // (deleting a member's rows updates each window's totals), so a move holding its window's row while
  // waiting for the table closed a circle (PostgreSQL then aborted one of them as a deadlock).
  const exists = await trx
    .selectFrom('leaderboard_windows')
    .select('boundary')
    .where('guild_id', '=', guildId)
    .where('days', '=', days)
    .executeTakeFirst();
  // The first computation: SHARE mode waits for writes in flight and holds new ones until this commits:
  // none is counted twice or lost.
  if (!exists) await sql`lock table lesson_readers in share mode`.execute(trx);
  await sql`lock table member_window_totals in row exclusive mode`.execute(trx);
  let current = await lockWindow();
  if (!current) {
    if (exists) throw new Error('moveLeaderboardWindow: the window vanished');
    const created = await trx
      .insertInto('leaderboard_windows')
      .values({ guild_id: guildId, days, boundary })
      .onConflict((oc) => oc.columns(['guild_id', 'days']).doNothing())
      .returning('boundary')
      .executeTakeFirst();
    if (created) {
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
    // Another call created the window meanwhile (the insert waited for it): move it like any other.
    current = await lockWindow();
    if (!current) throw new Error('moveLeaderboardWindow: the window vanished');
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
 * (article) or marked the lesson as read in the period (dialogue_last_at, article_last_at). The reference
 * the running totals are tested against.
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

/** Where a page of the unread list starts: a position, or after / before a lesson's place (newest post first, then id). */
export type UnreadPageStart =
  | { readonly offset: number }
  | { readonly after: UnreadPlace }
  | { readonly before: UnreadPlace };

export interface UnreadPlace {
  readonly postedAt: Date;
  readonly lessonId: string;
}

/**
 * Lessons posted in this server that the member has not read, newest post first, and the position of the first
 * (from 0). A page after or before a place is found from that place, whether its lesson is still unread or not:
 * reading a lesson opened from the list shrinks it, and an offset then skipped the lesson that moved up. Posts come
 * from the server's deliveries (primary key range); "not read" is a primary-key probe into lesson_readers; titles
 * are looked up by key for the page's rows. Post times are kept to the millisecond, as places carry them.
 */
export async function unreadPostedLessons(
  db: Executor,
  guildId: string,
  userId: string,
  page: { limit: number; start: UnreadPageStart },
): Promise<{ lessons: UnreadLesson[]; total: number; start: number }> {
  const { start } = page;
  const place = 'after' in start ? start.after : 'before' in start ? start.before : undefined;
  // Rows before the place in the list's order (the place itself too, for "after").
  const beforePlace = place
    ? sql`(select count(*) from posted q where q.posted_at > ${place.postedAt}::timestamptz
        or (q.posted_at = ${place.postedAt}::timestamptz and q.lesson_id ${'after' in start ? sql`<=` : sql`<`} ${place.lessonId}::uuid))`
    : undefined;
  const first =
    'offset' in start ? sql`${Math.max(0, Math.floor(start.offset))}::bigint` : 'after' in start ? beforePlace! : sql`greatest(0, ${beforePlace!} - ${page.limit})`;
  const result = await sql<{ lesson_id: string; title: string; posted_at: Date; local_date: string; total: number; position: number }>`
    with posted as (
      select d.lesson_id, date_trunc('milliseconds', max(d.sent_at)) as posted_at, max(d.local_date)::text as local_date
      from deliveries d
      where d.guild_id = ${guildId} and d.status = 'sent'
        and not exists (
          select 1 from lesson_readers r
          where r.lesson_id = d.lesson_id and r.guild_id = ${guildId} and r.user_id = ${userId})
      group by d.lesson_id
    ), ranked as (
      select p.*, (row_number() over (order by p.posted_at desc nulls last, p.lesson_id) - 1)::int as position,
        (count(*) over ())::int as total
      from posted p
    )
    -- The title by key (deliveries reference lessons): for the page's rows only, never a scan of lessons.
    select r.lesson_id, (select l.title from lessons l where l.id = r.lesson_id) as title, r.posted_at, r.local_date, r.total, r.position
    from ranked r
    where r.position >= ${first}
    order by r.position
    limit ${page.limit}`.execute(db);
  const firstRow = result.rows[0];
  // Nothing from the list's top: nothing unread (the usual "all caught up"), without counting again.
  const fromTop = 'offset' in start && start.offset <= 0;
  const total = firstRow?.total ?? (fromTop ? 0 : await countUnreadPosted(db, guildId, userId));
  return {
    lessons: result.rows.map((row) => ({ lessonId: row.lesson_id, title: row.title, postedAt: row.posted_at, localDate: row.local_date })),
    total,
    start: firstRow?.position ?? total,
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
