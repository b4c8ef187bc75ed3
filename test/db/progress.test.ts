import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { findLesson, upsertLesson } from '../../src/db/lessons.js';
import { leaderboardSince, lessonReadersInGuild, memberReadingDays, mostReadLessons } from '../../src/db/progress.js';
import { recordReading } from '../../src/db/reading.js';
import type { ReadingKind } from '../../src/db/schema.js';
import { readingDays } from '../../src/domain/progress/streaks.js';
import { catchup, CATCHUP_PAGE_SIZE } from '../../src/reading/catchup.js';
import { leaderboard, WINDOW_MAX_SHIFT_MS } from '../../src/reading/leaderboard.js';
import { forgetMember } from '../../src/reading/privacy.js';
import { memberProgress, type ProgressReport } from '../../src/reading/progress.js';
import { setLeaderboardVisible, setMemberTimeZone } from '../../src/reading/settings.js';
import { makeLesson } from '../support/lessons.js';
import { testDatabaseTargets, useTestDatabase, type TestDatabase } from '../support/databases.js';

const NOW = new Date('2026-06-15T12:00:00Z');
const G = '100000000000000001';
const DAY = 86_400_000;
/** makeLesson's word counts. */
const DIALOGUE_WORDS = 16;
const ARTICLE_WORDS = 27;

/** What a held-out harness does: history written straight into reading_events, no bot code involved. */
async function insertEvents(
  database: TestDatabase,
  events: { lesson: string; user: string; kind: ReadingKind; at: Date | string; guild?: string }[],
): Promise<void> {
  if (events.length === 0) return;
  await sql`insert into reading_events (lesson_id, guild_id, user_id, kind, occurred_at) values ${sql.join(
    events.map((e) => sql`(${e.lesson}, ${e.guild ?? G}, ${e.user}, ${e.kind}, ${e.at instanceof Date ? e.at.toISOString() : e.at})`),
  )}`.execute(database.db);
}

async function lessons(database: TestDatabase, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const lesson = makeLesson({ title: `Lesson ${i + 1}`, date: `2026-05-${String(i + 1).padStart(2, '0')}` });
    await upsertLesson(database.db, lesson);
    ids.push(lesson.id);
  }
  return ids;
}

const daysAgo = (n: number, hour = 12) => new Date(Date.UTC(2026, 5, 15 - n, hour));

async function report(database: TestDatabase, userId: string, askedBy = userId, now = NOW): Promise<ProgressReport> {
  const answer = await memberProgress({ db: database.db, now: () => now }, { guildId: G, userId, askedBy });
  if (answer.kind !== 'report') throw new Error('expected a report');
  return answer.report;
}

describe.each(testDatabaseTargets())('learner progress on $kind', (target) => {
  const db = useTestDatabase(target);
  const deps = () => ({ db: db().db, now: () => NOW });

  describe('history written straight into reading_events', () => {
    it('counts lessons read and words read by the parts opened or finished, whatever the order of arrival', async () => {
      const [a, b, c, d] = await lessons(db(), 4);
      await insertEvents(db(), [
        { lesson: a!, user: 'u1', kind: 'dialogue', at: daysAgo(3) },
        { lesson: a!, user: 'u1', kind: 'dialogue', at: daysAgo(2) }, // again: no double count
        { lesson: b!, user: 'u1', kind: 'article', at: daysAgo(2) },
        { lesson: b!, user: 'u1', kind: 'dialogue', at: daysAgo(5) }, // older history arriving later
        { lesson: c!, user: 'u1', kind: 'finished', at: daysAgo(1) }, // Mark as read only: both parts finished
        { lesson: d!, user: 'u2', kind: 'article', at: daysAgo(1) },
        { lesson: d!, user: 'u2', kind: 'finished', at: daysAgo(1) }, // marked after the article: no part twice
      ]);
      const mine = await report(db(), 'u1');
      expect(mine.lessonsRead).toBe(3);
      expect(mine.wordsRead).toBe(DIALOGUE_WORDS + (ARTICLE_WORDS + DIALOGUE_WORDS) + (DIALOGUE_WORDS + ARTICLE_WORDS));
      expect((await report(db(), 'u2')).wordsRead).toBe(ARTICLE_WORDS + DIALOGUE_WORDS);
      // The lesson's read count and the card's figures follow the direct inserts too.
      expect((await findLesson(db().db, b!))?.readCount).toBe(1);
      expect(await lessonReadersInGuild(db().db, a!, G)).toEqual({ readers: 1, lastReadAt: daysAgo(2) });
      expect(await lessonReadersInGuild(db().db, a!, 'elsewhere')).toEqual({ readers: 0, lastReadAt: null });
    });

    it('the bot’s own reads and direct inserts agree', async () => {
      const [a] = await lessons(db(), 1);
      await db().db.transaction().execute((trx) => recordReading(trx, { lessonId: a!, guildId: G, userId: 'bot', kind: 'article', at: daysAgo(0) }));
      await insertEvents(db(), [{ lesson: a!, user: 'direct', kind: 'article', at: daysAgo(0) }]);
      expect((await report(db(), 'bot')).wordsRead).toBe((await report(db(), 'direct')).wordsRead);
      expect((await findLesson(db().db, a!))?.readCount).toBe(2);
      const outcome = await db().db.transaction().execute((trx) =>
        recordReading(trx, { lessonId: a!, guildId: G, userId: 'direct', kind: 'finished', at: NOW }),
      );
      expect(outcome).toEqual({ firstRead: false, firstFinish: true });
    });

    it('refuses an event of an unknown kind, or of a lesson not in the library, and keeps nothing of it', async () => {
      const [a] = await lessons(db(), 1);
      await expect(insertEvents(db(), [{ lesson: a!, user: 'u1', kind: 'read' as ReadingKind, at: daysAgo(1) }])).rejects.toThrow(/check constraint/u);
      await expect(insertEvents(db(), [{ lesson: '00000000-0000-4000-8000-000000000000', user: 'u1', kind: 'article', at: daysAgo(1) }])).rejects.toThrow(
        /foreign key/u,
      );
      // One bad row in a multi-row statement refuses the whole statement.
      await expect(
        insertEvents(db(), [
          { lesson: a!, user: 'u1', kind: 'article', at: daysAgo(1) },
          { lesson: a!, user: 'u2', kind: 'mark' as ReadingKind, at: daysAgo(1) },
        ]),
      ).rejects.toThrow(/check constraint/u);
      expect((await report(db(), 'u1')).lessonsRead).toBe(0);
      expect(await lessonReadersInGuild(db().db, a!, G)).toEqual({ readers: 0, lastReadAt: null });
      // Without occurred_at the event happens now (the column's default).
      await sql`insert into reading_events (lesson_id, guild_id, user_id, kind) values (${a!}, ${G}, 'u1', 'finished')`.execute(db().db);
      expect((await findLesson(db().db, a!))?.readCount).toBe(1);
    });

    it('deleting or changing events, or emptying the table, takes what they counted away again', async () => {
      const [a, b] = await lessons(db(), 2);
      await insertEvents(db(), [
        { lesson: a!, user: 'u1', kind: 'dialogue', at: daysAgo(3) },
        { lesson: a!, user: 'u1', kind: 'article', at: daysAgo(1) },
        { lesson: b!, user: 'u1', kind: 'article', at: daysAgo(2) },
        { lesson: a!, user: 'u2', kind: 'dialogue', at: daysAgo(2) },
      ]);
      for (const period of ['week', 'all'] as const) await leaderboard(deps(), { guildId: G, callerId: 'u1', period });
      const boardOf = async (period: 'week' | 'all') =>
        (await leaderboard(deps(), { guildId: G, callerId: 'u1', period })).top.map((e) => [e.userId, e.lessonsRead, e.wordsRead]);
      expect(await boardOf('week')).toEqual([
        ['u1', 2, DIALOGUE_WORDS + 2 * ARTICLE_WORDS],
        ['u2', 1, DIALOGUE_WORDS],
      ]);

      // The latest article open of lesson a goes: its article words go, its latest read moves back.
      await sql`delete from reading_events where lesson_id = ${a!} and user_id = 'u1' and kind = 'article'`.execute(db().db);
      expect((await report(db(), 'u1')).wordsRead).toBe(DIALOGUE_WORDS + ARTICLE_WORDS);
      expect(await lessonReadersInGuild(db().db, a!, G)).toEqual({ readers: 2, lastReadAt: daysAgo(2) });
      expect((await findLesson(db().db, a!))?.lastReadAt).toEqual(daysAgo(2));
      // Every event of lesson b by u1 goes: the lesson is no longer read by them.
      await sql`delete from reading_events where lesson_id = ${b!} and user_id = 'u1'`.execute(db().db);
      expect((await report(db(), 'u1')).lessonsRead).toBe(1);
      expect((await findLesson(db().db, b!))?.readCount).toBe(0);
      expect(await boardOf('week')).toEqual([
        ['u1', 1, DIALOGUE_WORDS],
        ['u2', 1, DIALOGUE_WORDS],
      ]);
      // An event moved 20 days back leaves the week's board, and changes kind.
      await sql`update reading_events set occurred_at = ${daysAgo(20).toISOString()}, kind = 'article' where user_id = 'u2'`.execute(db().db);
      expect(await boardOf('week')).toEqual([['u1', 1, DIALOGUE_WORDS]]);
      expect(await boardOf('all')).toEqual([
        ['u2', 1, ARTICLE_WORDS],
        ['u1', 1, DIALOGUE_WORDS],
      ]);
      // An event given to another member moves the read with it.
      await sql`update reading_events set user_id = 'u3' where user_id = 'u2'`.execute(db().db);
      expect((await report(db(), 'u2')).lessonsRead).toBe(0);
      expect((await report(db(), 'u3')).wordsRead).toBe(ARTICLE_WORDS);
      expect((await findLesson(db().db, a!))?.readCount).toBe(2);

      await sql`truncate reading_events`.execute(db().db);
      expect((await findLesson(db().db, a!))?.readCount).toBe(0);
      expect(await boardOf('all')).toEqual([]);
      expect(await boardOf('week')).toEqual([]);
      const left = await sql<{ n: number }>`
        select (select count(*) from lesson_readers)::int + (select count(*) from leaderboard_word_counts)::int
          + (select count(*) from member_reading_totals where lessons_read <> 0 or words_read <> 0)::int
          + (select count(*) from member_window_totals where lessons_read <> 0 or words_read <> 0)::int as n`.execute(db().db);
      expect(left.rows[0]?.n).toBe(0);
    });

    it('deleting a lesson (by SQL) takes its words out of its readers’ words read with the lesson', async () => {
      const [a, b] = await lessons(db(), 2);
      await insertEvents(db(), [
        { lesson: a!, user: 'u1', kind: 'finished', at: daysAgo(2) },
        { lesson: b!, user: 'u1', kind: 'article', at: daysAgo(1) },
        { lesson: a!, user: 'u2', kind: 'dialogue', at: daysAgo(1) },
      ]);
      for (const period of ['week', 'all'] as const) await leaderboard(deps(), { guildId: G, callerId: 'u1', period });
      await sql`delete from lessons where id = ${a!}`.execute(db().db);
      // It said 1 lesson and 70 words: the lesson went, its words stayed.
      expect(await report(db(), 'u1')).toMatchObject({ lessonsRead: 1, wordsRead: ARTICLE_WORDS });
      expect(await report(db(), 'u2')).toMatchObject({ lessonsRead: 0, wordsRead: 0 });
      for (const period of ['week', 'all'] as const) {
        const board = (await leaderboard(deps(), { guildId: G, callerId: 'u1', period })).top.map((e) => [e.userId, e.lessonsRead, e.wordsRead]);
        expect(board).toEqual([['u1', 1, ARTICLE_WORDS]]);
      }
    });

    it('re-importing a lesson with other word counts moves its readers’ words read', async () => {
      const lesson = makeLesson();
      await upsertLesson(db().db, lesson);
      await insertEvents(db(), [{ lesson: lesson.id, user: 'u1', kind: 'article', at: daysAgo(0) }]);
      expect((await report(db(), 'u1')).wordsRead).toBe(ARTICLE_WORDS);
      await upsertLesson(db().db, { ...lesson, article: [...lesson.article, 'Three more words.'] });
      expect((await report(db(), 'u1')).wordsRead).toBe(ARTICLE_WORDS + 3);
    });
  });

  describe('streaks and reading days', () => {
    it('the issue’s example, written as history: streak 5 with one freeze, best 5', async () => {
      const [a] = await lessons(db(), 1);
      await insertEvents(db(), [0, 1, 2, 4, 5, 8].map((n) => ({ lesson: a!, user: 'u1', kind: 'dialogue' as const, at: daysAgo(n) })));
      const mine = await report(db(), 'u1');
      expect(mine).toMatchObject({ currentStreak: 5, frozenDays: ['2026-06-12'], bestStreak: 5, readingDaysLast7: 5, lessonsRead: 1 });
    });

    it('uses the member’s zone, else the server’s schedule zone, else UTC', async () => {
      const [a] = await lessons(db(), 1);
      // 14:59Z and 15:01Z on 14 June: 23:59 and 00:01 in Tokyo (two days), one day in UTC.
      await insertEvents(db(), [
        { lesson: a!, user: 'u1', kind: 'article', at: '2026-06-14T14:59:00Z' },
        { lesson: a!, user: 'u1', kind: 'article', at: '2026-06-14T15:01:00Z' },
      ]);
      const at = new Date('2026-06-15T01:00:00Z');
      expect(await report(db(), 'u1', 'u1', at)).toMatchObject({ zone: 'UTC', zoneSource: 'utc', currentStreak: 1 });
      await db()
        .db.insertInto('schedules')
        .values({ guild_id: G, channel_id: '5', post_time: '07:00', timezone: 'Asia/Tokyo' })
        .execute();
      expect(await report(db(), 'u1', 'u1', at)).toMatchObject({ zone: 'Asia/Tokyo', zoneSource: 'server', currentStreak: 2 });
      expect(await setMemberTimeZone(deps(), 'u1', 'america/los_angeles')).toBe('America/Los_Angeles');
      expect(await report(db(), 'u1', 'u1', at)).toMatchObject({ zone: 'America/Los_Angeles', zoneSource: 'member', currentStreak: 1 });
      expect(await setMemberTimeZone(deps(), 'u1', 'server-default')).toBeNull();
      expect((await report(db(), 'u1', 'u1', at)).zone).toBe('Asia/Tokyo');
      // The choice's name typed rather than picked means the same.
      for (const typed of ['Server default', '  server   DEFAULT ', 'Server default (the schedule’s zone, else UTC)']) {
        await setMemberTimeZone(deps(), 'u1', 'Europe/Paris');
        expect(await setMemberTimeZone(deps(), 'u1', typed)).toBeNull();
        expect((await report(db(), 'u1', 'u1', at)).zone).toBe('Asia/Tokyo');
      }
      await expect(setMemberTimeZone(deps(), 'u1', 'server defaults')).rejects.toThrow(/not a time zone/);
      await expect(setMemberTimeZone(deps(), 'u1', 'IST')).rejects.toThrow(/IST is the abbreviation of more than one clock: .*Asia\/Kolkata/u);
      expect(await setMemberTimeZone(deps(), 'u1', 'pst')).toBe('America/Los_Angeles');
      await expect(setMemberTimeZone(deps(), 'u1', 'Mars/Olympus')).rejects.toThrow(/not a time zone/);
    });

    it('buckets reading days in the database exactly as the domain does, across DST days and far zones', async () => {
      const [a] = await lessons(db(), 1);
      const instants = [
        '2026-03-07T04:59:00Z', '2026-03-08T05:01:00Z', '2026-03-09T03:59:00Z', '2026-11-01T04:01:00Z',
        '2026-11-02T04:59:00Z', '2026-11-02T05:01:00Z', '2026-06-14T09:59:00Z', '2026-06-14T10:01:00Z',
        '2026-04-04T12:59:00Z', '2026-04-04T13:01:00Z',
      ].map((iso) => new Date(iso));
      await insertEvents(db(), instants.map((at) => ({ lesson: a!, user: 'u1', kind: 'article' as const, at })));
      for (const zone of ['America/New_York', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'UTC']) {
        expect(await memberReadingDays(db().db, G, 'u1', zone)).toEqual(readingDays(instants, zone));
      }
    });

    it('another member sees only counts and streaks, and nothing once that member hides', async () => {
      const [a] = await lessons(db(), 1);
      await insertEvents(db(), [{ lesson: a!, user: 'u1', kind: 'article', at: daysAgo(0) }]);
      const seen = await report(db(), 'u1', 'u2');
      expect(seen).toMatchObject({ self: false, lessonsRead: 1, wordsRead: ARTICLE_WORDS, currentStreak: 1, recent: null, readingDaysLast7: null });
      const own = await report(db(), 'u1');
      expect(own.recent?.map((r) => r.title)).toEqual(['Lesson 1']);
      await setLeaderboardVisible(deps(), 'u1', false);
      expect(await memberProgress(deps(), { guildId: G, userId: 'u1', askedBy: 'u2' })).toEqual({ kind: 'hidden' });
      expect((await memberProgress(deps(), { guildId: G, userId: 'u1', askedBy: 'u1' })).kind).toBe('report');
    });

    it('lists the last 10 lessons read, latest read first, with local dates', async () => {
      const ids = await lessons(db(), 12);
      await insertEvents(db(), ids.map((id, i) => ({ lesson: id, user: 'u1', kind: 'dialogue' as const, at: new Date(NOW.getTime() - (12 - i) * DAY) })));
      await setMemberTimeZone(deps(), 'u1', 'Pacific/Kiritimati');
      const mine = await report(db(), 'u1');
      expect(mine.recent).toHaveLength(10);
      expect(mine.recent?.[0]).toMatchObject({ title: 'Lesson 12', localDate: '2026-06-15' }); // 14 June 12:00Z is 15 June 02:00 at +14
      expect(mine.recent?.[9]?.title).toBe('Lesson 3');
    });

    it('a section from another feature shows for the member, and for others only when public', async () => {
      const sources = [
        async () => ({ title: 'Vocabulary', lines: ['12 words'], private: false }),
        async () => ({ title: 'Quiz', lines: ['3 of 4'], private: true }),
        async () => null,
      ];
      const own = await memberProgress(deps(), { guildId: G, userId: 'u1', askedBy: 'u1' }, sources);
      const other = await memberProgress(deps(), { guildId: G, userId: 'u1', askedBy: 'u2' }, sources);
      expect(own.kind === 'report' && own.report.sections.map((s) => s.title)).toEqual(['Vocabulary', 'Quiz']);
      expect(other.kind === 'report' && other.report.sections.map((s) => s.title)).toEqual(['Vocabulary']);
    });
  });

  describe('leaderboard', () => {
    it('ranks by lessons read, ties by words read, shares a rank on a full tie, and leaves out hidden members', async () => {
      const [a, b, c] = await lessons(db(), 3);
      await insertEvents(db(), [
        // top: 3 lessons
        ...[a, b, c].map((l) => ({ lesson: l!, user: 'top', kind: 'finished' as const, at: daysAgo(1) })),
        // two with 2 lessons: `words` opened articles (more words) so goes first
        { lesson: a!, user: 'words', kind: 'article', at: daysAgo(1) },
        { lesson: b!, user: 'words', kind: 'article', at: daysAgo(1) },
        { lesson: a!, user: 'fewer', kind: 'dialogue', at: daysAgo(1) },
        { lesson: b!, user: 'fewer', kind: 'dialogue', at: daysAgo(1) },
        // a full tie with `fewer`
        { lesson: a!, user: 'tied', kind: 'dialogue', at: daysAgo(1) },
        { lesson: c!, user: 'tied', kind: 'dialogue', at: daysAgo(1) },
        { lesson: a!, user: 'hidden', kind: 'article', at: daysAgo(1) },
        { lesson: b!, user: 'hidden', kind: 'article', at: daysAgo(1) },
        { lesson: c!, user: 'hidden', kind: 'article', at: daysAgo(1) },
        { lesson: a!, user: 'other-server', kind: 'article', at: daysAgo(1), guild: 'G2' },
      ]);
      await setLeaderboardVisible(deps(), 'hidden', false);
      for (const period of ['week', 'month', 'all'] as const) {
        const board = await leaderboard(deps(), { guildId: G, callerId: 'top', period });
        expect(board.top.map((e) => [e.userId, e.rank, e.lessonsRead, e.wordsRead]), period).toEqual([
          ['top', 1, 3, 3 * (DIALOGUE_WORDS + ARTICLE_WORDS)],
          ['words', 2, 2, 2 * ARTICLE_WORDS],
          ['fewer', 3, 2, 2 * DIALOGUE_WORDS],
          ['tied', 3, 2, 2 * DIALOGUE_WORDS],
        ]);
      }
      const hidden = await leaderboard(deps(), { guildId: G, callerId: 'hidden', period: 'all' });
      expect(hidden).toMatchObject({ callerHidden: true, callerOutsideTop: null });
    });

    it('counts only reads in the period: last 7 days, last 30 days, or ever', async () => {
      const [a, b, c] = await lessons(db(), 3);
      await insertEvents(db(), [
        { lesson: a!, user: 'old', kind: 'article', at: daysAgo(40) },
        { lesson: b!, user: 'old', kind: 'article', at: daysAgo(40) },
        { lesson: c!, user: 'old', kind: 'article', at: daysAgo(40) },
        { lesson: a!, user: 'month', kind: 'article', at: daysAgo(20) },
        { lesson: b!, user: 'month', kind: 'article', at: daysAgo(20) },
        { lesson: a!, user: 'week', kind: 'dialogue', at: daysAgo(2) },
        // Read long ago, dialogue reopened this week: the lesson counts this week with its dialogue words only.
        { lesson: c!, user: 'month', kind: 'article', at: daysAgo(50) },
        { lesson: c!, user: 'month', kind: 'dialogue', at: daysAgo(3) },
      ]);
      const board = async (period: 'week' | 'month' | 'all') =>
        (await leaderboard(deps(), { guildId: G, callerId: 'x', period })).top.map((e) => [e.userId, e.lessonsRead, e.wordsRead]);
      expect(await board('week')).toEqual([
        ['month', 1, DIALOGUE_WORDS],
        ['week', 1, DIALOGUE_WORDS],
      ]);
      expect(await board('month')).toEqual([
        ['month', 3, 2 * ARTICLE_WORDS + DIALOGUE_WORDS],
        ['week', 1, DIALOGUE_WORDS],
      ]);
      expect(await board('all')).toEqual([
        ['month', 3, 3 * ARTICLE_WORDS + DIALOGUE_WORDS],
        ['old', 3, 3 * ARTICLE_WORDS],
        ['week', 1, DIALOGUE_WORDS],
      ]);
    });

    it('gives the caller’s own rank when outside the top 10', async () => {
      const ids = await lessons(db(), 12);
      // Member m<k> read k articles (k = 1..12); `me` read 1 dialogue, tied with m1 but with fewer words.
      const events: { lesson: string; user: string; kind: ReadingKind; at: Date }[] = ids.flatMap((_, k) =>
        ids.slice(0, k + 1).map((id) => ({ lesson: id, user: `m${k + 1}`, kind: 'article' as const, at: daysAgo(1) })),
      );
      events.push({ lesson: ids[0]!, user: 'me', kind: 'dialogue', at: daysAgo(1) });
      await insertEvents(db(), events);
      for (const period of ['week', 'all'] as const) {
        const board = await leaderboard(deps(), { guildId: G, callerId: 'me', period });
        expect(board.top).toHaveLength(10);
        expect(board.top[0]).toMatchObject({ userId: 'm12', rank: 1 });
        expect(board.callerOutsideTop).toEqual({ userId: 'me', rank: 13, lessonsRead: 1, wordsRead: DIALOGUE_WORDS });
        const inside = await leaderboard(deps(), { guildId: G, callerId: 'm3', period });
        expect(inside.callerOutsideTop).toBeNull();
      }
      const nobody = await leaderboard(deps(), { guildId: G, callerId: 'stranger', period: 'all' });
      expect(nobody.callerOutsideTop).toBeNull();
      // Hidden members ahead do not count; a member tied on lessons with more words is ahead, one with fewer is not.
      await setLeaderboardVisible(deps(), 'm12', false);
      await setLeaderboardVisible(deps(), 'm5', false);
      await insertEvents(db(), [
        { lesson: ids[1]!, user: 'tie-more', kind: 'finished', at: daysAgo(1) },
        { lesson: ids[1]!, user: 'tie-less', kind: 'dialogue', at: daysAgo(1) },
      ]);
      for (const period of ['week', 'month', 'all'] as const) {
        const board = await leaderboard(deps(), { guildId: G, callerId: 'me', period });
        // Ahead of `me` (1 lesson, its dialogue's words): m2…m11 visible except m5 (9), m1 and tie-more (1 lesson,
        // more words: an article; a lesson marked as read, both parts).
        expect(board.callerOutsideTop, period).toEqual({ userId: 'me', rank: 12, lessonsRead: 1, wordsRead: DIALOGUE_WORDS });
        const tieLess = await leaderboard(deps(), { guildId: G, callerId: 'tie-less', period });
        expect(tieLess.callerOutsideTop?.rank, period).toBe(12);
        const reference = await leaderboardSince(db().db, G, new Date(0), 'me', 10);
        expect(reference.caller?.rank).toBe(12);
      }
    });
  });

  describe('leaderboard windows kept as running totals', () => {
    it('agree with a direct count from lesson_readers as time passes, reads arrive (old and new) and a lesson changes', async () => {
      const ids = await lessons(db(), 6);
      const users = ['a', 'b', 'c', 'd', 'e'];
      const kinds: ReadingKind[] = ['dialogue', 'article', 'finished'];
      let seed = 7;
      const random = () => {
        seed = (seed * 48271) % 2147483647;
        return seed / 2147483647;
      };
      const someEvents = (around: Date, n: number) =>
        Array.from({ length: n }, () => ({
          lesson: ids[Math.floor(random() * ids.length)]!,
          user: users[Math.floor(random() * users.length)]!,
          kind: kinds[Math.floor(random() * kinds.length)]!,
          at: new Date(around.getTime() - random() * 40 * DAY),
        }));
      await insertEvents(db(), someEvents(NOW, 60));
      await setLeaderboardVisible(deps(), 'e', false);
      let now = NOW;
      for (let step = 0; step < 8; step += 1) {
        for (const period of ['week', 'month'] as const) {
          const board = await leaderboard({ db: db().db, now: () => now }, { guildId: G, callerId: 'c', period });
          const since = new Date(now.getTime() - (period === 'week' ? 7 : 30) * DAY);
          const reference = await leaderboardSince(db().db, G, since, 'c', 10);
          expect(board.top, `${period} at step ${step}`).toEqual(reference.top);
          expect(board.callerOutsideTop ?? board.top.find((e) => e.userId === 'c') ?? null).toEqual(reference.caller);
        }
        // Time passes (by hours to days, sometimes back), more reads come in, old history is written.
        now = new Date(now.getTime() + (step === 4 ? -2 * DAY : (0.3 + random() * 3) * DAY));
        await insertEvents(db(), someEvents(now, 12));
        if (step === 2) {
          const lesson = (await findLesson(db().db, ids[0]!))!.lesson;
          await upsertLesson(db().db, { ...lesson, article: [...lesson.article, 'Four more words here.'] });
        }
        if (step === 5) await setLeaderboardVisible(deps(), 'e', true);
      }
    });
  });

  describe('leaderboards read between window moves', () => {
    const boundary = async (days: number) =>
      (await db().db.selectFrom('leaderboard_windows').select('boundary').where('guild_id', '=', G).where('days', '=', days).executeTakeFirst())
        ?.boundary ?? null;

    /** The rank counts as the triggers keep them, and as counted from the totals of visible members. */
    async function countsAgree(where: string): Promise<void> {
      const visibleTotals = sql`
        select guild_id, 0 as days, user_id, lessons_read, words_read from member_reading_totals
        union all
        select guild_id, days, user_id, lessons_read, words_read from member_window_totals`;
      const kept = await sql<{ key: string; members: number }>`
        select guild_id || ' ' || days || ' ' || lessons_read || ' ' || words_read as key, members from leaderboard_word_counts
        order by 1`.execute(db().db);
      const counted = await sql<{ key: string; members: number }>`
        select guild_id || ' ' || days || ' ' || lessons_read || ' ' || words_read as key, count(*)::int as members
        from (${visibleTotals}) t
        where lessons_read > 0 and not exists (select 1 from member_settings s where s.user_id = t.user_id and not s.leaderboard_visible)
        group by guild_id, days, lessons_read, words_read order by 1`.execute(db().db);
      expect(kept.rows, where).toEqual(counted.rows);
      const keptByLessons = await sql<{ key: string; members: number }>`
        select guild_id || ' ' || days || ' ' || lessons_read as key, members from leaderboard_counts where members <> 0 order by 1`.execute(db().db);
      const countedByLessons = await sql<{ key: string; members: number }>`
        select guild_id || ' ' || days || ' ' || lessons_read as key, count(*)::int as members
        from (${visibleTotals}) t
        where lessons_read > 0 and not exists (select 1 from member_settings s where s.user_id = t.user_id and not s.leaderboard_visible)
        group by guild_id, days, lessons_read order by 1`.execute(db().db);
      expect(keptByLessons.rows, where).toEqual(countedByLessons.rows);
    }

    it('agree with a direct count for every caller while minutes pass, reads cross the window edges and members hide', async () => {
      const ids = await lessons(db(), 8);
      const users = Array.from({ length: 14 }, (_, i) => `m${i}`);
      const kinds: ReadingKind[] = ['dialogue', 'article', 'finished'];
      let seed = 11;
      const random = () => {
        seed = (seed * 48271) % 2147483647;
        return seed / 2147483647;
      };
      // Reads spread over 40 days, and many within two hours of where the week's and the month's windows
      // start while the clock below moves: those are the reads a board has to count out (or in).
      const someEvents = (now: Date, n: number) =>
        Array.from({ length: n }, (_, i) => {
          const edge = [0, 7, 30][i % 3]! * DAY;
          const at = i % 3 === 0 ? now.getTime() - random() * 40 * DAY : now.getTime() - edge + (random() - 0.5) * 4 * 3_600_000;
          return {
            lesson: ids[Math.floor(random() * ids.length)]!,
            user: users[Math.floor(random() * users.length)]!,
            kind: kinds[Math.floor(random() * kinds.length)]!,
            at: new Date(at),
          };
        });
      await insertEvents(db(), someEvents(NOW, 150));
      await setLeaderboardVisible(deps(), 'm3', false);
      let now = NOW;
      // The first boards create the windows; later ones, within the hour, read them without moving them.
      for (const period of ['week', 'month'] as const) await leaderboard({ db: db().db, now: () => now }, { guildId: G, callerId: 'm0', period });
      const created = { week: await boundary(7), month: await boundary(30) };
      let readWithoutMoving = 0;
      for (let step = 0; step < 10; step += 1) {
        for (const period of ['week', 'month', 'all'] as const) {
          const days = period === 'week' ? 7 : period === 'month' ? 30 : null;
          const since = days === null ? new Date(0) : new Date(now.getTime() - days * DAY);
          for (const callerId of users.filter((_, i) => (i + step) % 3 === 0)) {
            const board = await leaderboard({ db: db().db, now: () => now }, { guildId: G, callerId, period });
            const reference = await leaderboardSince(db().db, G, since, callerId, 10);
            const where = `${period} at step ${step} for ${callerId}`;
            expect(board.top, where).toEqual(reference.top);
            expect(board.callerOutsideTop ?? board.top.find((e) => e.userId === callerId) ?? null, where).toEqual(reference.caller);
            expect(board.callerHidden, where).toBe(callerId === 'm3' || (step >= 6 && callerId === 'm7'));
          }
          if (days !== null) {
            const stored = await boundary(days);
            if (stored && stored.getTime() !== since.getTime()) readWithoutMoving += 1;
          }
        }
        // Minutes pass, and reads arrive, old and new.
        // Step 5 goes back to before the windows' boundaries: reads between them are then counted in.
        now = step === 5 ? new Date(NOW.getTime() - 25 * 60_000) : new Date(now.getTime() + (2 + Math.floor(random() * 5)) * 60_000);
        await insertEvents(db(), someEvents(now, 20));
        if (step === 3) await setLeaderboardVisible(deps(), 'm3', true);
        if (step === 5) await setLeaderboardVisible(deps(), 'm7', false);
        if (step === 4) await setLeaderboardVisible(deps(), 'm3', false);
        await countsAgree(`counts after step ${step}`);
      }
      // The windows were read in place, not moved on every board.
      expect(readWithoutMoving).toBeGreaterThan(10);
      expect(await boundary(7)).toEqual(created.week);
      expect(await boundary(30)).toEqual(created.month);

      // Past the allowed shift, a board moves its window and still agrees.
      now = new Date(created.week!.getTime() + 7 * DAY + WINDOW_MAX_SHIFT_MS + 60_000);
      const board = await leaderboard({ db: db().db, now: () => now }, { guildId: G, callerId: 'm1', period: 'week' });
      expect(await boundary(7)).toEqual(new Date(now.getTime() - 7 * DAY));
      expect(board.top).toEqual((await leaderboardSince(db().db, G, new Date(now.getTime() - 7 * DAY), 'm1', 10)).top);

      // The counts follow a member's deletion (forget-me) too, hidden or not.
      await forgetMember(deps(), 'm1');
      await forgetMember(deps(), 'm7');
      await countsAgree('after forget-me');
    });
  });

  describe('leaderboard counts under concurrent writes', () => {
    it('stay exact while members hide and show themselves during reads (several connections on PostgreSQL)', async () => {
      const ids = await lessons(db(), 4);
      const users = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5'];
      await leaderboard(deps(), { guildId: G, callerId: 'c0', period: 'week' });
      const writes: Promise<unknown>[] = [];
      for (let i = 0; i < 36; i += 1) {
        const user = users[i % users.length]!;
        writes.push(insertEvents(db(), [{ lesson: ids[i % ids.length]!, user, kind: i % 2 ? 'article' : 'dialogue', at: daysAgo(i % 9) }]));
        if (i % 4 === 0) writes.push(setLeaderboardVisible(deps(), users[(i / 4) % users.length]!, i % 8 !== 0));
      }
      await Promise.all(writes);
      const counted = await sql<{ key: string; members: number }>`
        select guild_id || ' ' || days || ' ' || lessons_read || ' ' || words_read as key, count(*)::int as members
        from (
          select guild_id, 0 as days, user_id, lessons_read, words_read from member_reading_totals
          union all
          select guild_id, days, user_id, lessons_read, words_read from member_window_totals
        ) t
        where lessons_read > 0 and not exists (select 1 from member_settings s where s.user_id = t.user_id and not s.leaderboard_visible)
        group by guild_id, days, lessons_read, words_read order by 1`.execute(db().db);
      const kept = await sql<{ key: string; members: number }>`
        select guild_id || ' ' || days || ' ' || lessons_read || ' ' || words_read as key, members from leaderboard_word_counts
        order by 1`.execute(db().db);
      expect(kept.rows).toEqual(counted.rows);
      expect(counted.rows.length).toBeGreaterThan(0);
    });
  });

  describe('catch-up', () => {
    async function post(lessonId: string, localDate: string, status: 'sent' | 'failed' = 'sent') {
      await db()
        .db.insertInto('deliveries')
        .values({
          guild_id: G,
          local_date: localDate,
          lesson_id: lessonId,
          channel_id: '5',
          status,
          nonce: `n${localDate}`,
          claimed_by: 'test',
          claimed_at: `${localDate}T07:00:00Z`,
          sent_at: status === 'sent' ? `${localDate}T07:00:01Z` : null,
        })
        .execute();
    }

    it('lists posted lessons not yet read, newest first, paged, and drops them once read', async () => {
      const ids = await lessons(db(), 8);
      for (const [i, id] of ids.entries()) await post(id, `2026-06-0${i + 1}`);
      const notPosted = (await lessons(db(), 1))[0]!;
      const failed = (await lessons(db(), 1))[0]!;
      await post(failed, '2026-06-09', 'failed');
      await insertEvents(db(), [{ lesson: ids[7]!, user: 'u1', kind: 'finished', at: daysAgo(1) }]);
      await insertEvents(db(), [{ lesson: ids[6]!, user: 'u1', kind: 'dialogue', at: daysAgo(1), guild: 'G2' }]); // another server's read

      const first = await catchup(deps(), { guildId: G, userId: 'u1', page: 1 });
      expect(first).toMatchObject({ start: 0, total: 7 });
      expect(first.lessons.map((l) => l.title)).toEqual(['Lesson 7', 'Lesson 6', 'Lesson 5', 'Lesson 4', 'Lesson 3']);
      expect(first.lessons[0]?.localDate).toBe('2026-06-07');
      const second = await catchup(deps(), { guildId: G, userId: 'u1', page: 2 });
      expect(second.lessons.map((l) => l.title)).toEqual(['Lesson 2', 'Lesson 1']);
      expect(CATCHUP_PAGE_SIZE).toBe(5);
      expect(first.lessons.concat(second.lessons).some((l) => l.lessonId === notPosted || l.lessonId === failed)).toBe(false);

      await insertEvents(db(), [ids[0], ids[1], ids[2]].map((id) => ({ lesson: id!, user: 'u1', kind: 'article' as const, at: daysAgo(0) })));
      // The list shrank to one page: asking for page 2 (an older message's button) shows the last lessons.
      const after = await catchup(deps(), { guildId: G, userId: 'u1', page: 2 });
      expect(after).toMatchObject({ start: 0, total: 4 });
      expect(after.lessons.map((l) => l.title)).toEqual(['Lesson 7', 'Lesson 6', 'Lesson 5', 'Lesson 4']);
      expect((await catchup(deps(), { guildId: G, userId: 'u2', page: 1 })).total).toBe(8);
    });

    it('Next goes on from the last lesson shown, Previous back from the first: a lesson read meanwhile skips none', async () => {
      const ids = await lessons(db(), 7);
      for (const [i, id] of ids.entries()) await post(id, `2026-06-0${i + 1}`);
      const titles = (page: { lessons: readonly { title: string }[] }) => page.lessons.map((lesson) => lesson.title);
      const place = (lesson: { postedAt: Date; lessonId: string }, direction: 'next' | 'previous') => ({ direction, postedAtMs: lesson.postedAt.getTime(), lessonId: lesson.lessonId });
      const first = await catchup(deps(), { guildId: G, userId: 'u1' });
      expect(titles(first)).toEqual(['Lesson 7', 'Lesson 6', 'Lesson 5', 'Lesson 4', 'Lesson 3']);
      // The member opens the first lesson from the list and reads it, then presses Next on the list they see.
      await insertEvents(db(), [{ lesson: ids[6]!, user: 'u1', kind: 'finished', at: daysAgo(0) }]);
      const next = await catchup(deps(), { guildId: G, userId: 'u1', from: place(first.lessons.at(-1)!, 'next') });
      expect(titles(next)).toEqual(['Lesson 2', 'Lesson 1']);
      expect(next).toMatchObject({ start: 4, total: 6 });
      // A page number (as before) skipped Lesson 2: it moved up to page 1.
      expect(titles(await catchup(deps(), { guildId: G, userId: 'u1', page: 2 }))).toEqual(['Lesson 1']);
      // Previous from the first shown: the five before it (fewer are there: a full page from the top).
      const back = await catchup(deps(), { guildId: G, userId: 'u1', from: place(next.lessons[0]!, 'previous') });
      expect(titles(back)).toEqual(['Lesson 6', 'Lesson 5', 'Lesson 4', 'Lesson 3', 'Lesson 2']);
      expect(back.start).toBe(0);
      // Every lesson after the last shown read meanwhile: the last lessons left.
      await insertEvents(db(), [ids[0], ids[1]].map((id) => ({ lesson: id!, user: 'u1', kind: 'article' as const, at: daysAgo(0) })));
      const pastTheEnd = await catchup(deps(), { guildId: G, userId: 'u1', from: place(back.lessons.at(-1)!, 'next') });
      expect(titles(pastTheEnd)).toEqual(['Lesson 6', 'Lesson 5', 'Lesson 4', 'Lesson 3']);
    });

    it('a server where nothing was posted yet has nothing to catch up on, said as such rather than "all caught up"', async () => {
      const [a] = await lessons(db(), 1);
      expect(await catchup(deps(), { guildId: G, userId: 'u1' })).toEqual({ lessons: [], start: 0, total: 0, nothingPosted: true });
      // A post that failed is not a post.
      await post(a!, '2026-06-01', 'failed');
      expect((await catchup(deps(), { guildId: G, userId: 'u1' })).nothingPosted).toBe(true);
      // Posted, then read: all caught up.
      await post(a!, '2026-06-02');
      await insertEvents(db(), [{ lesson: a!, user: 'u1', kind: 'article', at: daysAgo(0) }]);
      const caughtUp = await catchup(deps(), { guildId: G, userId: 'u1' });
      expect(caughtUp).toMatchObject({ lessons: [], total: 0 });
      expect(caughtUp.nothingPosted).toBeUndefined();
      // Another server's posts are not this one's.
      expect((await catchup(deps(), { guildId: 'G2', userId: 'u1' })).nothingPosted).toBe(true);
    });

    it('a lesson posted twice appears once, by its latest post', async () => {
      const [a, b] = await lessons(db(), 2);
      await post(a!, '2026-06-01');
      await post(b!, '2026-06-02');
      await post(a!, '2026-06-03');
      const page = await catchup(deps(), { guildId: G, userId: 'u1', page: 1 });
      expect(page.lessons.map((l) => l.title)).toEqual(['Lesson 1', 'Lesson 2']);
    });
  });

  it('the CLI’s most-read lessons, in one server or all', async () => {
    const [a, b] = await lessons(db(), 2);
    await insertEvents(db(), [
      { lesson: a!, user: 'u1', kind: 'article', at: daysAgo(1) },
      { lesson: b!, user: 'u1', kind: 'article', at: daysAgo(1) },
      { lesson: b!, user: 'u2', kind: 'article', at: daysAgo(1) },
      { lesson: a!, user: 'u3', kind: 'article', at: daysAgo(1), guild: 'G2' },
      { lesson: a!, user: 'u4', kind: 'article', at: daysAgo(1), guild: 'G2' },
    ]);
    expect((await mostReadLessons(db().db, { limit: 10 })).map((l) => [l.title, l.readers])).toEqual([
      ['Lesson 1', 3],
      ['Lesson 2', 2],
    ]);
    expect((await mostReadLessons(db().db, { guildId: G, limit: 1 })).map((l) => [l.title, l.readers])).toEqual([['Lesson 2', 2]]);
  });
});
