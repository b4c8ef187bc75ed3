import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { findLesson, upsertLesson, type LibraryLesson } from '../../src/db/lessons.js';
import { deleteMemberRows } from '../../src/db/privacy.js';
import { leaderboardSince, moveLeaderboardWindow, readBoard } from '../../src/db/progress.js';
import { recordOpening, recordReading } from '../../src/db/reading.js';
import { WINDOW_MAX_SHIFT_MS } from '../../src/reading/leaderboard.js';
import { createReadingService } from '../../src/reading/service.js';
import { setLeaderboardVisible } from '../../src/reading/settings.js';
import { makeLesson } from '../support/lessons.js';
import { testDatabaseTargets, useTestDatabase, type TestDatabase } from '../support/databases.js';

/*
 * Everything that writes the running totals and the rank counts, at once, on several connections: members
 * reading (opening and marking), leaderboards whose windows move (the clock jumps past the allowed shift
 * between boards), members hiding and showing themselves, members forgetting themselves (hidden or not),
 * history written straight into reading_events in multi-row statements, and a lesson re-imported with
 * other word counts. Nothing may fail (PostgreSQL aborts one side of a deadlock with SQLSTATE 40P01), and
 * afterwards the totals and counts must agree with a count from lesson_readers and the boards with a
 * direct computation. On PGlite (one connection) the same work runs one statement at a time.
 */

const G = '310000000000000001';
const G2 = '310000000000000002';
/** A server whose windows are first computed in the middle of the storm (the first board of each period). */
const G3 = '310000000000000003';
const DAY = 86_400_000;
const START = new Date('2026-06-15T12:00:00Z');

function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
}

/** The rank counts as the triggers keep them, and as counted from the totals of visible members. */
async function countsDisagreement(database: TestDatabase): Promise<{ kept: unknown[]; counted: unknown[] }> {
  const kept = await sql<{ key: string; members: number }>`
    select guild_id || ' ' || days || ' ' || lessons_read || ' ' || words_read as key, members from leaderboard_word_counts
    order by 1`.execute(database.db);
  const counted = await sql<{ key: string; members: number }>`
    select guild_id || ' ' || days || ' ' || lessons_read || ' ' || words_read as key, count(*)::int as members
    from (
      select guild_id, 0 as days, user_id, lessons_read, words_read from member_reading_totals
      union all
      select guild_id, days, user_id, lessons_read, words_read from member_window_totals
    ) t
    where lessons_read > 0 and not exists (select 1 from member_settings s where s.user_id = t.user_id and not s.leaderboard_visible)
    group by guild_id, days, lessons_read, words_read order by 1`.execute(database.db);
  return { kept: kept.rows, counted: counted.rows };
}

/** Each member's all-time totals as triggers keep them, and as counted from lesson_readers. */
async function totalsDisagreement(database: TestDatabase): Promise<{ kept: unknown[]; counted: unknown[] }> {
  const kept = await sql<{ key: string }>`
    select guild_id || ' ' || user_id || ' ' || lessons_read || ' ' || words_read as key from member_reading_totals
    where lessons_read > 0 order by 1`.execute(database.db);
  const counted = await sql<{ key: string }>`
    select r.guild_id || ' ' || r.user_id || ' ' || count(*) || ' ' ||
      sum(case when r.dialogue_read_at is not null then l.dialogue_words else 0 end
        + case when r.article_read_at is not null then l.article_words else 0 end) as key
    from lesson_readers r join lessons l on l.id = r.lesson_id
    group by r.guild_id, r.user_id order by 1`.execute(database.db);
  const lessons = await sql<{ key: string }>`
    select t.lesson_id || ' ' || t.read_count as key from lesson_read_totals t where t.read_count > 0 order by 1`.execute(database.db);
  const readers = await sql<{ key: string }>`
    select lesson_id || ' ' || count(*) as key from lesson_readers group by lesson_id order by 1`.execute(database.db);
  return { kept: [...kept.rows, ...lessons.rows], counted: [...counted.rows, ...readers.rows] };
}

describe.each(testDatabaseTargets())('running totals under concurrent writers on $kind', (target) => {
  const db = useTestDatabase(target);

  it('never deadlock, and stay exact, while reads, window moves, hiding, forget-me, direct history and re-imports interleave', async () => {
    const random = seeded(20261201);
    const lessons: LibraryLesson[] = [];
    for (let i = 0; i < 6; i += 1) {
      const lesson = makeLesson({ title: `Lesson ${i + 1}` });
      await upsertLesson(db().db, lesson);
      lessons.push((await findLesson(db().db, lesson.id))!);
    }
    const members = Array.from({ length: 16 }, (_, i) => `${320000000000000000n + BigInt(i)}`);
    let clock = START.getTime();
    const reading = createReadingService({ db: db().db, now: () => new Date(clock) });
    const deps = { db: db().db, now: () => new Date(clock) };
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

    // History so every board has members on it, and the windows exist before the storm.
    await sql`insert into reading_events (lesson_id, guild_id, user_id, kind, occurred_at) values ${sql.join(
      Array.from({ length: 120 }, () =>
        sql`(${pick(lessons).lesson.id}, ${random() < 0.8 ? G : G2}, ${pick(members)}, ${pick(['dialogue', 'article', 'finished'])}, ${new Date(clock - random() * 40 * DAY).toISOString()})`,
      ),
    )}`.execute(db().db);
    for (const guildId of [G, G2]) for (const period of ['week', 'month'] as const) await reading.leaderboard({ guildId, callerId: members[0]!, period });

    const failures: unknown[] = [];
    const attempt = async (what: string, work: () => Promise<unknown>) => {
      try {
        await work();
      } catch (error) {
        failures.push({ what, code: (error as { code?: string }).code, message: (error as Error).message });
      }
    };

    for (let round = 0; round < 12; round += 1) {
      const work: Promise<void>[] = [];
      for (let i = 0; i < 14; i += 1) {
        const member = { guildId: pick([G, G, G, G, G2, G3]), userId: pick(members) };
        const lesson = pick(lessons);
        const r = random();
        const event = { lessonId: lesson.lesson.id, ...member, at: new Date(clock) };
        // The database's own functions, not the service: the service runs a write again when PostgreSQL
        // broke a deadlock, and this test wants none to happen.
        work.push(
          attempt('read', () =>
            r < 0.7
              ? recordOpening(db().db, { ...event, kind: r < 0.35 ? 'dialogue' : 'article' })
              : db().db.transaction().execute((trx) => recordReading(trx, { ...event, kind: 'finished' })),
          ),
        );
        if (i % 4 === 0) {
          // Boards an hour and more apart: each one moves its window (as /leaderboard does).
          clock += 61 * 60_000;
          const days = random() < 0.5 ? 7 : 30;
          const since = new Date(clock - days * DAY);
          const guildId = round < 4 ? pick([G, G2]) : pick([G, G2, G3]);
          work.push(
            attempt('leaderboard', () =>
              db()
                .db.transaction()
                .execute(async (trx) => {
                  await moveLeaderboardWindow(trx, guildId, days, since);
                  return readBoard(trx, { kind: 'window', days, since, maxShiftMs: WINDOW_MAX_SHIFT_MS }, guildId, pick(members), 10);
                }),
            ),
          );
        }
        if (i % 5 === 0) work.push(attempt('visibility', () => setLeaderboardVisible(deps, pick(members), random() < 0.5)));
        if (i === 7) {
          const forgotten = pick(members);
          work.push(attempt('forget-me', () => db().db.transaction().execute((trx) => deleteMemberRows(trx, forgotten))));
        }
        if (i === 3 || i === 10) {
          const rows = Array.from({ length: 8 }, () =>
            sql`(${pick(lessons).lesson.id}, ${pick([G, G, G2, G3])}, ${pick(members)}, ${pick(['dialogue', 'article', 'finished'])}, ${new Date(clock - random() * 35 * DAY).toISOString()})`,
          );
          work.push(attempt('history', () => sql`insert into reading_events (lesson_id, guild_id, user_id, kind, occurred_at) values ${sql.join(rows)}`.execute(db().db)));
        }
        if (i === 12 && round % 3 === 0) {
          const changed = pick(lessons).lesson;
          work.push(attempt('re-import', () => upsertLesson(db().db, { ...changed, article: [...changed.article, `Round ${round} adds words.`.repeat(1 + (round % 2))] })));
        }
      }
      await Promise.all(work);
    }

    expect(failures).toEqual([]);
    const totals = await totalsDisagreement(db());
    expect(totals.kept).toEqual(totals.counted);
    // Windows at the clock as it now stands, then every board against a direct count.
    for (const guildId of [G, G2, G3]) {
      for (const period of ['week', 'month'] as const) {
        for (const callerId of members.slice(0, 6)) {
          const board = await reading.leaderboard({ guildId, callerId, period });
          const since = new Date(clock - (period === 'week' ? 7 : 30) * DAY);
          const reference = await leaderboardSince(db().db, guildId, since, callerId, 10);
          expect(board.top, `${guildId} ${period} for ${callerId}`).toEqual(reference.top);
          expect(board.callerOutsideTop ?? board.top.find((e) => e.userId === callerId) ?? null).toEqual(reference.caller);
        }
      }
    }
    const counts = await countsDisagreement(db());
    expect(counts.kept).toEqual(counts.counted);
  }, 120_000);
});
