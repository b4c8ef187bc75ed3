import { readdirSync } from 'node:fs';
import { Migrator, sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.js';
import { upsertLesson } from '../../src/db/lessons.js';
import { memberProgressRows } from '../../src/db/progress.js';
import { dueSchedules } from '../../src/db/schedules.js';
import { createMigrator, DatabaseNewerError, migrateToLatest } from '../../src/db/migrate.js';
import { isOperatorError } from '../../src/operator-errors.js';
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

  /** Tables, columns and indexes of the database's schema, to compare two ways of reaching the newest migration. */
  async function schemaShape(db: Kysely<unknown>): Promise<string[]> {
    const columns = await sql<{ line: string }>`
      select table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') || ' ' || coalesce(generation_expression, '') as line
      from information_schema.columns where table_schema = current_schema() and table_name not like 'kysely_%'`.execute(db);
    const indexes = await sql<{ line: string }>`select indexdef as line from pg_indexes where schemaname = current_schema() and tablename not like 'kysely_%'`.execute(db);
    return [...columns.rows, ...indexes.rows].map((row) => row.line).sort();
  }

  // Two migrations joined the list after others with later names; a database made in between had run the later
  // one first. Reproduced by a reviewer from the commits that had each list (f15100b, 95c272f): the newest version
  // refused to start on their databases until 2026-12-07.
  it.each([
    { made: '95c272f', without: ['2026-12-01-02-discovery'], upTo: '2026-12-01-04-vocabulary' },
    { made: 'f15100b', without: ['2026-12-02-04-text-lexeme-docs'], upTo: '2026-12-03-01-reading-history-writers' },
  ])('a database made when the list had gaps ($made) migrates to the newest, to the same schema', async ({ without, upTo }) => {
    const db = database.db as Kysely<unknown>;
    const inOrder = await schemaShape(db);
    const migrator = createMigrator(db);
    for (let i = 0; i < Object.keys(migrations).length; i++) expect((await migrator.migrateDown()).error).toBeUndefined();
    const then = Object.fromEntries(Object.entries(migrations).filter(([name]) => name <= upTo && !without.includes(name)));
    try {
      // Kysely's default migrator, as those versions ran it.
      const { error } = await new Migrator({ db, provider: { getMigrations: async () => then } }).migrateToLatest();
      expect(error).toBeUndefined();
      const applied = await migrateToLatest(db);
      expect(applied).toEqual(Object.keys(migrations).filter((name) => !(name in then)));
      expect(applied[0]).toBe(without[0]);
      expect(await schemaShape(db)).toEqual(inOrder);
    } finally {
      // The next test's database whatever happened here (a failure left it part-way).
      await createMigrator(db).migrateToLatest();
    }
  });

  it('a database a newer version migrated is refused in one line naming its migration, and left as it was', async () => {
    const future = '2099-01-01-01-from-a-newer-version';
    const before = await migrateToLatest(database.db);
    expect(before).toEqual([]);
    await sql`insert into kysely_migration (name, timestamp) values (${future}, ${new Date().toISOString()})`.execute(database.db);
    try {
      const refusal = await migrateToLatest(database.db).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refusal).toBeInstanceOf(DatabaseNewerError);
      expect(isOperatorError(refusal)).toBe(true);
      expect((refusal as Error).message).toBe(
        `the database was migrated by a newer version of newsdesk (its migration ${future} is not in this version): run that version or a newer one; nothing was changed`,
      );
      const executed = await sql<{ n: number }>`select count(*)::int as n from kysely_migration`.execute(database.db);
      expect(executed.rows[0]?.n).toBe(Object.keys(migrations).length + 1);
    } finally {
      await sql`delete from kysely_migration where name = ${future}`.execute(database.db);
    }
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

  it('2026-12-09-01 keeps the member’s most answered of their unfinished attempts on a lesson (the newest of equals), and every finished one', async () => {
    const migrator = createMigrator(database.db);
    expect((await migrator.migrateTo('2026-12-08-02-unused-title-trigram-index')).error).toBeUndefined();
    const lesson = makeLesson();
    await upsertLesson(database.db, lesson);
    const guild = '400000000000000002';
    // u1: finished 1, open 2 and 3 (a double click's pair, neither answered); u2: open 1 alone; u3: open 1 with two
    // answers and open 2 with none (the pair's replies showed the older, and the member went on with it); u4: open 1
    // and 2 with an answer each.
    const attempts = [['u1', 1, true, 0], ['u1', 2, false, 0], ['u1', 3, false, 0], ['u2', 1, false, 0], ['u3', 1, false, 2], ['u3', 2, false, 0], ['u4', 1, false, 1], ['u4', 2, false, 1]] as const;
    for (const [user, number, finished, answered] of attempts) {
      const inserted = await sql<{ id: number }>`insert into quiz_attempts (lesson_id, guild_id, user_id, attempt_number, question_count, finished_at)
        values (${lesson.id}, ${guild}, ${user}, ${number}, 3, ${finished ? sql`now()` : null}) returning id`.execute(database.db);
      for (const position of [1, 2, 3]) {
        const isAnswered = position <= answered;
        await sql`insert into quiz_questions (attempt_id, position, lemma, prompt, answer, choices, chosen, correct, answered_at)
          values (${inserted.rows[0]!.id}, ${position}, 'word', 'prompt', 'answer', '["answer","other"]',
            ${isAnswered ? 'answer' : null}, ${isAnswered ? true : null}, ${isAnswered ? sql`now()` : null})`.execute(database.db);
      }
    }
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    const left = await sql<{ user_id: string; attempt_number: number; answered: number }>`
      select a.user_id, a.attempt_number, (select count(*)::int from quiz_questions q where q.attempt_id = a.id and q.answered_at is not null) as answered
      from quiz_attempts a where a.guild_id = ${guild} order by a.user_id, a.attempt_number`.execute(database.db);
    expect(left.rows.map((row) => [row.user_id, row.attempt_number, row.answered])).toEqual([
      ['u1', 1, 0],
      ['u1', 3, 0],
      ['u2', 1, 0],
      ['u3', 1, 2],
      ['u4', 2, 1],
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

  it('2026-12-15-02 lists the categories of the lessons already stored, each with its lessons, and keeps them from then on', async () => {
    const migrator = createMigrator(database.db);
    expect((await migrator.migrateTo('2026-12-15-01-alerts-channel-gone')).error).toBeUndefined();
    const lessons = ['Harbour news', 'Harbour news', 'harbour news', 'ΕΙΔΗΣΕΙΣ'].map((category) => makeLesson({ category }));
    for (const lesson of lessons) await upsertLesson(database.db, lesson);
    const counted = () => sql<{ name: string; lessons: number }>`
      select category as name, count(*)::int as lessons from lessons group by category order by category`.execute(database.db);
    const before = (await counted()).rows;
    expect(before).toEqual(expect.arrayContaining([{ name: 'Harbour news', lessons: 2 }, { name: 'harbour news', lessons: 1 }, { name: 'ΕΙΔΗΣΕΙΣ', lessons: 1 }]));

    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    const stored = () => sql<{ name: string; lessons: number }>`select name, lessons from lesson_categories order by name`.execute(database.db);
    expect((await stored()).rows).toEqual(before);
    await sql`delete from lessons where id = any(${lessons.map((lesson) => lesson.id)}::uuid[])`.execute(database.db);
    expect((await stored()).rows).toEqual((await counted()).rows);
    expect((await stored()).rows.map((row) => row.name)).not.toContain('ΕΙΔΗΣΕΙΣ');
  });
});
