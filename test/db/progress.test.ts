import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { findLesson, upsertLesson } from '../../src/db/lessons.js';
import { leaderboardSince, lessonReadersInGuild, memberReadingDays, mostReadLessons } from '../../src/db/progress.js';
import { recordReading } from '../../src/db/reading.js';
import type { ReadingKind } from '../../src/db/schema.js';
import { readingDays } from '../../src/domain/progress/streaks.js';
import { catchup, CATCHUP_PAGE_SIZE } from '../../src/reading/catchup.js';
import { leaderboard } from '../../src/reading/leaderboard.js';
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
    it('counts lessons read and words read by the parts opened, whatever the order of arrival', async () => {
      const [a, b, c, d] = await lessons(db(), 4);
      await insertEvents(db(), [
        { lesson: a!, user: 'u1', kind: 'dialogue', at: daysAgo(3) },
        { lesson: a!, user: 'u1', kind: 'dialogue', at: daysAgo(2) }, // again: no double count
        { lesson: b!, user: 'u1', kind: 'article', at: daysAgo(2) },
        { lesson: b!, user: 'u1', kind: 'dialogue', at: daysAgo(5) }, // older history arriving later
        { lesson: c!, user: 'u1', kind: 'finished', at: daysAgo(1) }, // Mark as read only: read, no words
        { lesson: d!, user: 'u2', kind: 'article', at: daysAgo(1) },
      ]);
      const mine = await report(db(), 'u1');
      expect(mine.lessonsRead).toBe(3);
      expect(mine.wordsRead).toBe(DIALOGUE_WORDS + ARTICLE_WORDS + DIALOGUE_WORDS);
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
          ['top', 1, 3, 0],
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
      // Member m<k> read k lessons (k = 1..12); `me` read 1, tied with m1 but with fewer words.
      const events: { lesson: string; user: string; kind: ReadingKind; at: Date }[] = ids.flatMap((_, k) =>
        ids.slice(0, k + 1).map((id) => ({ lesson: id, user: `m${k + 1}`, kind: 'article' as const, at: daysAgo(1) })),
      );
      events.push({ lesson: ids[0]!, user: 'me', kind: 'finished', at: daysAgo(1) });
      await insertEvents(db(), events);
      for (const period of ['week', 'all'] as const) {
        const board = await leaderboard(deps(), { guildId: G, callerId: 'me', period });
        expect(board.top).toHaveLength(10);
        expect(board.top[0]).toMatchObject({ userId: 'm12', rank: 1 });
        expect(board.callerOutsideTop).toEqual({ userId: 'me', rank: 13, lessonsRead: 1, wordsRead: 0 });
        const inside = await leaderboard(deps(), { guildId: G, callerId: 'm3', period });
        expect(inside.callerOutsideTop).toBeNull();
      }
      const nobody = await leaderboard(deps(), { guildId: G, callerId: 'stranger', period: 'all' });
      expect(nobody.callerOutsideTop).toBeNull();
      // Hidden members ahead do not count; a member tied on lessons with more words is ahead, one with fewer is not.
      await setLeaderboardVisible(deps(), 'm12', false);
      await setLeaderboardVisible(deps(), 'm5', false);
      await insertEvents(db(), [
        { lesson: ids[1]!, user: 'tie-more', kind: 'dialogue', at: daysAgo(1) },
        { lesson: ids[1]!, user: 'tie-less', kind: 'finished', at: daysAgo(1) },
      ]);
      for (const period of ['week', 'month', 'all'] as const) {
        const board = await leaderboard(deps(), { guildId: G, callerId: 'me', period });
        // Ahead of `me` (1 lesson, 0 words): m2…m11 visible except m5 (9), m1 and tie-more (1 lesson, more words).
        expect(board.callerOutsideTop, period).toEqual({ userId: 'me', rank: 12, lessonsRead: 1, wordsRead: 0 });
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
      expect(first).toMatchObject({ page: 1, pages: 2, total: 7 });
      expect(first.lessons.map((l) => l.title)).toEqual(['Lesson 7', 'Lesson 6', 'Lesson 5', 'Lesson 4', 'Lesson 3']);
      expect(first.lessons[0]?.localDate).toBe('2026-06-07');
      const second = await catchup(deps(), { guildId: G, userId: 'u1', page: 2 });
      expect(second.lessons.map((l) => l.title)).toEqual(['Lesson 2', 'Lesson 1']);
      expect(CATCHUP_PAGE_SIZE).toBe(5);
      expect(first.lessons.concat(second.lessons).some((l) => l.lessonId === notPosted || l.lessonId === failed)).toBe(false);

      await insertEvents(db(), [ids[0], ids[1], ids[2]].map((id) => ({ lesson: id!, user: 'u1', kind: 'article' as const, at: daysAgo(0) })));
      // The list shrank to one page: asking for page 2 shows the last page.
      const after = await catchup(deps(), { guildId: G, userId: 'u1', page: 2 });
      expect(after).toMatchObject({ page: 1, pages: 1, total: 4 });
      expect(after.lessons.map((l) => l.title)).toEqual(['Lesson 7', 'Lesson 6', 'Lesson 5', 'Lesson 4']);
      expect((await catchup(deps(), { guildId: G, userId: 'u2', page: 1 })).total).toBe(8);
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
