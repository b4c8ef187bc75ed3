import { readdirSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.js';
import { upsertLesson } from '../../src/db/lessons.js';
import { memberProgressRows } from '../../src/db/progress.js';
import { dueSchedules } from '../../src/db/schedules.js';
import { createMigrator } from '../../src/db/migrate.js';
import { makeLesson } from '../support/lessons.js';
import { testDatabaseTargets, type TestDatabase } from '../support/databases.js';

describe('migration list', () => {
  it('names every migration file in migrations/, in file-name order', () => {
    const files = readdirSync(new URL('../../migrations/', import.meta.url))
      .filter((file) => file !== 'index.ts' && file.endsWith('.ts'))
      .map((file) => file.replace(/\.ts$/u, ''))
      .sort();
    expect(Object.keys(migrations)).toEqual(files);
  });
});

describe.each(testDatabaseTargets())('migrations on $kind', (target) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await target.open();
  });
  afterAll(async () => {
    await database?.close();
  });

  it('run to the newest, down to nothing and up again', async () => {
    const migrator = createMigrator(database.db);
    const names = Object.keys(migrations);
    for (let i = 0; i < names.length; i++) {
      const { error } = await migrator.migrateDown();
      expect(error).toBeUndefined();
    }
    const tables = await sql<{ n: number }>`select count(*)::int as n from pg_tables where schemaname = current_schema() and tablename not like 'kysely_%'`.execute(database.db);
    expect(tables.rows[0]?.n).toBe(0);
    const { error, results } = await migrator.migrateToLatest();
    expect(error).toBeUndefined();
    expect(results?.map((r) => r.migrationName)).toEqual(names);
  });

  it('2026-12-03-01 credits lessons already marked as read with both parts’ words, in the totals and the windows', async () => {
    const migrator = createMigrator(database.db);
    expect((await migrator.migrateTo('2026-12-02-03-backlog-index')).error).toBeUndefined();
    const lesson = makeLesson();
    await upsertLesson(database.db, lesson);
    const guild = '400000000000000001';
    const at = new Date(Date.now() - 86_400_000).toISOString();
    // Under the old rule: u1's Mark as read added no words, u2's article added the article's.
    for (const [user, kind] of [['u1', 'finished'], ['u2', 'article'], ['u2', 'finished']]) {
      await sql`insert into reading_events (lesson_id, guild_id, user_id, kind, occurred_at) values (${lesson.id}, ${guild}, ${user}, ${kind}, ${at})`.execute(database.db);
    }
    await sql`insert into leaderboard_windows (guild_id, days, boundary) values (${guild}, 7, now() - interval '7 days')`.execute(database.db);
    await sql`insert into member_window_totals (guild_id, days, user_id, lessons_read, words_read) values (${guild}, 7, 'u1', 1, 0), (${guild}, 7, 'u2', 1, 27)`.execute(
      database.db,
    );
    const words = async (table: 'member_reading_totals' | 'member_window_totals') =>
      (await sql<{ user_id: string; words_read: string }>`select user_id, words_read from ${sql.table(table)} order by user_id`.execute(database.db)).rows.map(
        (row) => [row.user_id, Number(row.words_read)],
      );
    expect(await words('member_reading_totals')).toEqual([
      ['u1', 0],
      ['u2', 27],
    ]);
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    // makeLesson: 16 dialogue words, 27 article words; each part once.
    expect(await words('member_reading_totals')).toEqual([
      ['u1', 43],
      ['u2', 43],
    ]);
    expect(await words('member_window_totals')).toEqual([
      ['u1', 43],
      ['u2', 43],
    ]);
    const counts = await sql<{ words_read: string; members: number }>`
      select words_read, members from leaderboard_word_counts where guild_id = ${guild} order by days, words_read`.execute(database.db);
    expect(counts.rows.map((row) => [Number(row.words_read), row.members])).toEqual([
      [43, 2],
      [43, 2],
    ]);
  });

  it('2026-12-09-01 keeps the newest of a member’s unfinished attempts on a lesson, and every finished one', async () => {
    const migrator = createMigrator(database.db);
    expect((await migrator.migrateTo('2026-12-08-02-unused-title-trigram-index')).error).toBeUndefined();
    const lesson = makeLesson();
    await upsertLesson(database.db, lesson);
    const guild = '400000000000000002';
    // u1: finished 1, open 2 and 3 (a double click's pair); u2: open 1 alone.
    for (const [user, number, finished] of [['u1', 1, true], ['u1', 2, false], ['u1', 3, false], ['u2', 1, false]] as const) {
      await sql`insert into quiz_attempts (lesson_id, guild_id, user_id, attempt_number, question_count, finished_at)
        values (${lesson.id}, ${guild}, ${user}, ${number}, 3, ${finished ? sql`now()` : null})`.execute(database.db);
    }
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    const left = await sql<{ user_id: string; attempt_number: number }>`
      select user_id, attempt_number from quiz_attempts where guild_id = ${guild} order by user_id, attempt_number`.execute(database.db);
    expect(left.rows.map((row) => [row.user_id, row.attempt_number])).toEqual([
      ['u1', 1],
      ['u1', 3],
      ['u2', 1],
    ]);
    const second = sql`insert into quiz_attempts (lesson_id, guild_id, user_id, attempt_number, question_count) values (${lesson.id}, ${guild}, 'u2', 2, 3)`;
    await expect(second.execute(database.db)).rejects.toThrow(/quiz_attempts_one_open_idx/u);
  });

  it('2026-12-11-01 repairs time zones stored before zones were checked: trimmed when that is known, else a member’s unset and a schedule paused in UTC', async () => {
    const migrator = createMigrator(database.db);
    expect((await migrator.migrateTo('2026-12-10-01-lesson-delete-reads-first')).error).toBeUndefined();
    const schedules = [
      ['400000000000000010', 'Mars/Olympus'],
      ['400000000000000011', ' Europe/Paris '],
      ['400000000000000012', 'Asia/Tokyo'],
    ];
    for (const [guild, zone] of schedules) {
      await sql`insert into schedules (guild_id, channel_id, post_time, timezone) values (${guild}, '500000000000000001', '07:30', ${zone})`.execute(database.db);
    }
    for (const [user, zone] of [['u10', 'Mars/Olympus'], ['u11', 'America/Sao_Paulo '], ['u12', 'Pacific/Auckland'], ['u13', null]]) {
      await sql`insert into member_settings (user_id, timezone) values (${user}, ${zone})`.execute(database.db);
    }
    const lesson = makeLesson();
    await upsertLesson(database.db, lesson);
    await sql`insert into reading_events (lesson_id, guild_id, user_id, kind, occurred_at) values (${lesson.id}, '400000000000000012', 'u10', 'finished', now())`.execute(database.db);
    const now = new Date('2026-12-11T06:30:00Z');
    const due = () => dueSchedules(database.db, now, { staleClaimMs: 60_000, limit: 100 });
    await expect(due()).rejects.toThrow(/not recognized/u);
    await expect(memberProgressRows(database.db, '400000000000000012', 'u10', { recent: 5, daysOnlyIfVisible: false })).rejects.toThrow(/not recognized/u);

    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    const stored = await sql<{ guild_id: string; timezone: string; paused: boolean; last_failure_reason: string | null }>`
      select guild_id, timezone, paused, last_failure_reason from schedules where guild_id like '4000000000000000%' order by guild_id`.execute(database.db);
    expect(stored.rows.map((row) => [row.guild_id, row.timezone, row.paused])).toEqual([
      ['400000000000000010', 'UTC', true],
      ['400000000000000011', 'Europe/Paris', false],
      ['400000000000000012', 'Asia/Tokyo', false],
    ]);
    expect(stored.rows[0]?.last_failure_reason).toMatch(/time zone.*\/schedule set/u);
    expect(stored.rows[1]?.last_failure_reason).toBeNull();
    const members = await sql<{ user_id: string; timezone: string | null }>`
      select user_id, timezone from member_settings where user_id like 'u1_' order by user_id`.execute(database.db);
    expect(members.rows.map((row) => [row.user_id, row.timezone])).toEqual([
      ['u10', null],
      ['u11', 'America/Sao_Paulo'],
      ['u12', 'Pacific/Auckland'],
      ['u13', null],
    ]);
    // At 06:30 UTC it is past 07:30 in Paris and in Tokyo: both are due, the paused one is not, and the query runs.
    expect((await due()).map((due) => due.schedule.guildId).sort()).toEqual(['400000000000000011', '400000000000000012']);
    const progress = await memberProgressRows(database.db, '400000000000000012', 'u10', { recent: 5, daysOnlyIfVisible: false });
    expect(progress).toBeDefined();
    await sql`delete from schedules where guild_id like '4000000000000000%'`.execute(database.db);
    await sql`delete from member_settings where user_id like 'u1_'`.execute(database.db);
  });
});
