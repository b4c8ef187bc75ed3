import { gunzipSync } from 'node:zlib';
import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { findLesson, upsertLesson } from '../../src/db/lessons.js';
import { lessonReadersInGuild } from '../../src/db/progress.js';
import { deleteMemberRows } from '../../src/db/privacy.js';
import { insertAttempt, recordAnswer } from '../../src/db/quizzes.js';
import type { DB } from '../../src/db/schema.js';
import { leaderboard } from '../../src/reading/leaderboard.js';
import { createReadingService, EXPORT_UNDER_WAY } from '../../src/reading/service.js';
import { confirmForget, exportMember, forgetConfirmationExpiry, forgetMember, memberExportFile, type MemberExport } from '../../src/reading/privacy.js';
import { UserError } from '../../src/user-error.js';
import { setLeaderboardVisible, setMemberTimeZone } from '../../src/reading/settings.js';
import { makeLesson } from '../support/lessons.js';
import { testDatabaseTargets, useTestDatabase } from '../support/databases.js';

const NOW = new Date('2026-06-15T12:00:00Z');
/** Snowflakes long enough never to appear by chance inside another value. */
const ME = '482619375104937001';
const OTHER = '771203948561029384';
const G1 = '900000000000000001';
const G2 = '900000000000000002';

/**
 * Every table in the schema (from the catalogue, so a table added later is covered) and every column
 * in it, cast to text, searched for the id: where does it still appear?
 */
async function tracesOf(db: Kysely<DB>, id: string): Promise<string[]> {
  const columns = await sql<{ table_name: string; column_name: string }>`
    select c.table_name, c.column_name from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = current_schema() and t.table_type = 'BASE TABLE'
    order by c.table_name, c.ordinal_position`.execute(db);
  expect(columns.rows.length).toBeGreaterThan(20);
  const traces: string[] = [];
  for (const { table_name, column_name } of columns.rows) {
    const found = await sql<{ n: number }>`
      select count(*)::int as n from ${sql.table(table_name)} where ${sql.ref(column_name)}::text like ${`%${id}%`}`.execute(db);
    if ((found.rows[0]?.n ?? 0) > 0) traces.push(`${table_name}.${column_name}`);
  }
  return traces;
}

describe.each(testDatabaseTargets())('export and forget-me on $kind', (target) => {
  const db = useTestDatabase(target);
  const deps = () => ({ db: db().db, now: () => NOW });

  async function history() {
    const a = makeLesson({ title: 'Lesson A' });
    const b = makeLesson({ title: 'Lesson B' });
    await upsertLesson(db().db, a);
    await upsertLesson(db().db, b);
    const events = [
      [a.id, G1, ME, 'dialogue', '2026-06-14T10:00:00Z'],
      [a.id, G1, ME, 'finished', '2026-06-14T10:05:00Z'],
      [b.id, G2, ME, 'article', '2026-06-13T10:00:00Z'],
      [a.id, G1, OTHER, 'article', '2026-06-12T10:00:00Z'],
    ];
    for (const [lesson, guild, user, kind, at] of events) {
      await sql`insert into reading_events (lesson_id, guild_id, user_id, kind, occurred_at) values (${lesson}, ${guild}, ${user}, ${kind}, ${at})`.execute(
        db().db,
      );
    }
    await setMemberTimeZone(deps(), ME, 'Asia/Tokyo');
    await setLeaderboardVisible(deps(), ME, false);
    await setMemberTimeZone(deps(), OTHER, 'Europe/Paris');
    // A moderator's plan names its author.
    await db().db.insertInto('lesson_plans').values({ guild_id: G1, local_date: '2026-06-20', lesson_id: b.id, planned_by: ME }).execute();
    // A quiz each: the member's answers are rows of quiz_questions, which names the attempt, not the member.
    const question = (answer: string) => ({ lemma: answer, prompt: `They ____ it.`, answer, choices: [answer, 'x', 'y', 'z'] });
    const mine = await insertAttempt(db().db, { guildId: G1, userId: ME }, a.id, [question('enacted'), question('pledged'), question('preempt')]);
    await recordAnswer(db().db, mine, 0, 'enacted', true);
    await recordAnswer(db().db, mine, 1, 'x', false);
    const theirs = await insertAttempt(db().db, { guildId: G1, userId: OTHER }, a.id, [question('deterred'), question('aligned'), question('coordinated')]);
    await recordAnswer(db().db, theirs, 0, 'deterred', true);
    return { a, b };
  }

  it('exports every row about the member, in every server, and nobody else’s', async () => {
    const { a, b } = await history();
    const { json, rows } = await exportMember(deps(), ME);
    const exported = JSON.parse(json) as MemberExport;
    expect(exported).toMatchObject({ format: 'newsdesk-member-export', version: 1, userId: ME, exportedAt: NOW.toISOString() });
    const tables = exported.tables;
    expect(tables.reading_events?.map((r) => [r.lesson_id, r.guild_id, r.kind])).toEqual(
      expect.arrayContaining([
        [a.id, G1, 'dialogue'],
        [a.id, G1, 'finished'],
        [b.id, G2, 'article'],
      ]),
    );
    expect(tables.reading_events).toHaveLength(3);
    expect(tables.lesson_readers).toHaveLength(2);
    expect(tables.member_reading_totals?.map((r) => r.guild_id).sort()).toEqual([G1, G2]);
    expect(tables.member_settings).toEqual([expect.objectContaining({ user_id: ME, timezone: 'Asia/Tokyo', leaderboard_visible: false })]);
    expect(tables.lesson_plans).toEqual([expect.objectContaining({ planned_by: ME, local_date: '2026-06-20' })]);
    // Quiz attempts and each answer with its time (the other member's answers are not theirs to see).
    expect(tables.quiz_attempts).toEqual([expect.objectContaining({ guild_id: G1, lesson_id: a.id, attempt_number: 1, question_count: 3 })]);
    expect(tables.quiz_questions?.map((r) => [r.answer, r.chosen, r.correct])).toEqual([
      ['enacted', 'enacted', true],
      ['pledged', 'x', false],
      ['preempt', null, null],
    ]);
    expect(tables.quiz_questions?.[0]?.answered_at).toMatch(/^\d{4}-\d\d-\d\dT/u);
    expect(rows).toBe(3 + 2 + 2 + 1 + 1 + 1 + 3);
    expect(json).not.toContain(OTHER);
  });

  it('an export too big for the upload limit is sent on one line, then gzipped, and one too big even then is told', async () => {
    await history();
    const pretty = await memberExportFile(deps(), ME, 10 * 1024 * 1024);
    expect(pretty.form).toBe('json');
    expect(pretty.name).toBe(`newsdesk-data-${ME}.json`);
    expect(pretty.data.toString('utf8')).toBe((await exportMember(deps(), ME)).json);

    const compact = await memberExportFile(deps(), ME, pretty.data.length - 1);
    expect(compact.form).toBe('compact json');
    expect(compact.data.length).toBeLessThan(pretty.data.length);
    expect(JSON.parse(compact.data.toString('utf8'))).toEqual(JSON.parse(pretty.data.toString('utf8')));

    const zipped = await memberExportFile(deps(), ME, compact.data.length - 1);
    expect(zipped.form).toBe('gzip');
    expect(zipped.name).toBe(`newsdesk-data-${ME}.json.gz`);
    expect(JSON.parse(gunzipSync(zipped.data).toString('utf8'))).toEqual(JSON.parse(pretty.data.toString('utf8')));
    expect(zipped.rows).toBe(pretty.rows);

    const refused = await memberExportFile(deps(), ME, zipped.data.length - 1).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(UserError);
    expect((refused as UserError).message).toMatch(/^Your data \(\d+ records, .* MB even compressed\) is larger than the .* MB Discord lets me attach here\./u);
  });

  it('a member’s second export while the first is being made is refused in words; theirs again later, and another member’s meanwhile, are made', async () => {
    await history();
    const reading = createReadingService(deps());
    const limit = 10 * 1024 * 1024;
    const [first, second, other] = await Promise.allSettled([reading.exportFile(ME, limit), reading.exportFile(ME, limit), reading.exportFile(OTHER, limit)]);
    expect(first).toMatchObject({ status: 'fulfilled', value: { form: 'json' } });
    expect(second.status).toBe('rejected');
    expect((second as PromiseRejectedResult).reason).toBeInstanceOf(UserError);
    expect(((second as PromiseRejectedResult).reason as UserError).message).toBe(EXPORT_UNDER_WAY);
    expect(other).toMatchObject({ status: 'fulfilled', value: { form: 'json' } });
    expect((await reading.exportFile(ME, limit)).rows).toBe((first as PromiseFulfilledResult<{ rows: number }>).value.rows);
  });

  it('an export of a member the bot knows nothing about is empty, not an error', async () => {
    const exported = JSON.parse((await exportMember(deps(), '123456789012345678')).json) as MemberExport;
    expect(Object.values(exported.tables).every((list) => list.length === 0)).toBe(true);
  });

  it('forget-me leaves no trace of the member in any table, drops read counts, and keeps everyone else', async () => {
    const { a, b } = await history();
    expect(await tracesOf(db().db, ME)).not.toEqual([]);
    expect((await findLesson(db().db, a.id))?.readCount).toBe(2);
    // A week's board exists, with running totals for the member in both servers.
    await leaderboard(deps(), { guildId: G1, callerId: ME, period: 'week' });
    await leaderboard(deps(), { guildId: G2, callerId: ME, period: 'week' });

    const outcome = await forgetMember(deps(), ME);
    expect(outcome.deleted).toMatchObject({
      reading_events: 3,
      lesson_readers: 2,
      member_reading_totals: 2,
      member_window_totals: 2,
      member_settings: 1,
      'lesson_plans.planned_by': 1,
      quiz_attempts: 1,
      quiz_questions: 3,
    });
    // The other member's quiz and answers stay.
    expect(await db().db.selectFrom('quiz_questions').select('answer').orderBy('position').execute()).toEqual([
      { answer: 'deterred' },
      { answer: 'aligned' },
      { answer: 'coordinated' },
    ]);
    expect(await tracesOf(db().db, ME)).toEqual([]);

    // Read counts drop accordingly; the other member's reading and the plan itself stay.
    expect((await findLesson(db().db, a.id))?.readCount).toBe(1);
    expect((await findLesson(db().db, b.id))?.readCount).toBe(0);
    expect((await findLesson(db().db, b.id))?.lastReadAt).toBeNull();
    expect((await findLesson(db().db, a.id))?.lastReadAt?.toISOString()).toBe('2026-06-12T10:00:00.000Z');
    expect(await lessonReadersInGuild(db().db, a.id, G1)).toEqual({ readers: 1, lastReadAt: new Date('2026-06-12T10:00:00Z') });
    expect(await tracesOf(db().db, OTHER)).toEqual(
      expect.arrayContaining(['reading_events.user_id', 'lesson_readers.user_id', 'member_reading_totals.user_id', 'member_settings.user_id']),
    );
    for (const period of ['all', 'week'] as const) {
      const board = await leaderboard(deps(), { guildId: G1, callerId: OTHER, period });
      expect(board.top.map((e) => e.userId)).toEqual([OTHER]);
    }
    expect(await db().db.selectFrom('lesson_plans').select('lesson_id').execute()).toHaveLength(1);

    // Forgetting twice finds nothing more.
    expect(await forgetMember(deps(), ME)).toEqual({ deleted: {}, total: 0 });
  });

  it('the confirmation expires after two minutes: a late press deletes nothing', async () => {
    await history();
    const expiresAt = forgetConfirmationExpiry(deps());
    expect(expiresAt).toBe(NOW.getTime() / 1000 + 120);
    const late = { db: db().db, now: () => new Date(NOW.getTime() + 121_000) };
    await expect(confirmForget(late, ME, expiresAt)).rejects.toThrow(/expired/u);
    expect(JSON.parse((await exportMember(deps(), ME)).json).tables.reading_events).toHaveLength(3);
    const inTime = { db: db().db, now: () => new Date(NOW.getTime() + 119_000) };
    expect((await confirmForget(inTime, ME, expiresAt)).deleted.reading_events).toBe(3);
  });

  it('every click of one confirmation (a double click, at once or just after) is answered with the one deletion it made', async () => {
    await history();
    let now = NOW;
    const reading = createReadingService({ db: db().db, now: () => now });
    const expiresAt = reading.forgetConfirmationExpiry();
    const [first, second] = await Promise.all([reading.confirmForget(ME, expiresAt), reading.confirmForget(ME, expiresAt)]);
    expect(first).toMatchObject({ cancelled: false, outcome: { deleted: { reading_events: 3 } } });
    expect(second).toEqual(first);
    now = new Date(NOW.getTime() + 1_000);
    expect(await reading.confirmForget(ME, expiresAt)).toEqual(first);
    // A new confirmation is a new deletion (nothing is left); an expired one still refuses.
    now = new Date(NOW.getTime() + 2_000);
    expect(await reading.confirmForget(ME, reading.forgetConfirmationExpiry())).toEqual({ cancelled: false, outcome: { deleted: {}, total: 0 } });
    now = new Date(NOW.getTime() + 121_000);
    await expect(reading.confirmForget(ME, expiresAt)).rejects.toThrow(/expired/u);
  });

  it('Delete then Cancel of one confirmation, pressed together: Cancel is answered with the deletion, not "nothing was deleted"', async () => {
    await history();
    const reading = createReadingService({ db: db().db, now: () => NOW });
    const expiresAt = reading.forgetConfirmationExpiry();
    const [deleted, cancelled] = await Promise.all([reading.confirmForget(ME, expiresAt), reading.cancelForget(ME, expiresAt)]);
    expect(deleted).toMatchObject({ cancelled: false, outcome: { deleted: { reading_events: 3 } } });
    expect(cancelled).toEqual(deleted);
    expect(JSON.parse((await exportMember(deps(), ME)).json).tables.reading_events ?? []).toHaveLength(0);
  });

  it('Cancel then Delete of one confirmation, pressed together: nothing is deleted and both say so', async () => {
    await history();
    const reading = createReadingService({ db: db().db, now: () => NOW });
    const expiresAt = reading.forgetConfirmationExpiry();
    const [cancelled, deleted] = await Promise.all([reading.cancelForget(ME, expiresAt), reading.confirmForget(ME, expiresAt)]);
    expect(cancelled).toEqual({ cancelled: true });
    expect(deleted).toEqual({ cancelled: true });
    expect(JSON.parse((await exportMember(deps(), ME)).json).tables.reading_events).toHaveLength(3);
    // Another confirmation is its own decision, and a Cancel button without its confirmation (sent by an older
    // version) cancels without touching the others.
    expect(await reading.cancelForget(ME, undefined)).toEqual({ cancelled: true });
    const next = await reading.confirmForget(ME, expiresAt + 1);
    expect(next).toMatchObject({ cancelled: false, outcome: { deleted: { reading_events: 3 } } });
  });

  it('two confirmations asked within the same second are two decisions: Cancel on one, then Delete on the other, deletes', async () => {
    await history();
    const reading = createReadingService({ db: db().db, now: () => NOW });
    const expiresAt = reading.forgetConfirmationExpiry();
    // A double submit of /privacy forget-me: two messages, the same expiry in their buttons.
    expect(await reading.cancelForget(ME, expiresAt, '500000000000000001')).toEqual({ cancelled: true });
    expect(await reading.confirmForget(ME, expiresAt, '500000000000000002')).toMatchObject({ cancelled: false, outcome: { deleted: { reading_events: 3 } } });
    expect(JSON.parse((await exportMember(deps(), ME)).json).tables.reading_events ?? []).toHaveLength(0);
    // The first message's Cancel, pressed again, still says what it decided.
    expect(await reading.cancelForget(ME, expiresAt, '500000000000000001')).toEqual({ cancelled: true });
  });

  it('forget-me also covers a table added later with a user_id column', async () => {
    await sql`create table later_feature (id serial primary key, user_id text not null, note text)`.execute(db().db);
    await sql`insert into later_feature (user_id, note) values (${ME}, 'mine'), (${OTHER}, 'theirs')`.execute(db().db);
    const exported = JSON.parse((await exportMember(deps(), ME)).json) as MemberExport;
    expect(exported.tables.later_feature).toEqual([expect.objectContaining({ note: 'mine' })]);
    expect((await forgetMember(deps(), ME)).deleted).toEqual({ later_feature: 1 });
    expect(await tracesOf(db().db, ME)).toEqual([]);
    await sql`drop table later_feature`.execute(db().db);
  });
});

/*
 * A heavy reader's rows, under a command's statement bound. lesson_readers' row triggers cost ~0.3 ms a row on
 * PostgreSQL: deleted in one statement, 4,000 lessons read took forget-me past the bot's 1.5 s bound every time.
 * Here 1,500 rows under a 100 ms bound, set for the transaction (PGlite cannot cut a statement short: there it checks
 * the slices add up). One statement for them all took ~500 ms on PostgreSQL.
 */
describe.each(testDatabaseTargets())('forget-me of a heavy reader on $kind', (target) => {
  const db = useTestDatabase(target);

  it('deletes a history bigger than one statement may take, a slice at a time, in one transaction', async () => {
    const lessons = Array.from({ length: 10 }, (_, i) => makeLesson({ title: `Heavy ${i}` }));
    for (const lesson of lessons) await upsertLesson(db().db, lesson);
    const guilds = Array.from({ length: 150 }, (_, i) => String(910000000000000000n + BigInt(i)));
    // 1,500 (lesson, server) pairs: as many lesson_readers rows, written 50 events a statement.
    const pairs = lessons.flatMap((lesson) => guilds.map((guild) => [lesson.id, guild] as const));
    for (let start = 0; start < pairs.length; start += 50) {
      const slice = pairs.slice(start, start + 50);
      await sql`insert into reading_events (lesson_id, guild_id, user_id, kind, occurred_at)
        select lesson_id, guild_id, ${ME}, 'article', ${NOW}::timestamptz
        from unnest(${slice.map(([lesson]) => lesson)}::uuid[], ${slice.map(([, guild]) => guild)}::text[]) as t(lesson_id, guild_id)`.execute(db().db);
    }
    await sql`insert into reading_events (lesson_id, guild_id, user_id, kind, occurred_at) values (${lessons[0]!.id}, ${guilds[0]!}, ${OTHER}, 'article', ${NOW})`.execute(db().db);
    const counts = await db()
      .db.transaction()
      .execute(async (trx) => {
        await sql`set local statement_timeout = '100ms'`.execute(trx);
        return deleteMemberRows(trx, ME, { rowsPerStatement: 100 });
      });
    expect(counts).toMatchObject({ lesson_readers: 1_500, reading_events: 1_500 });
    expect(await tracesOf(db().db, ME)).toEqual([]);
    // Everyone else's reads stay, with the read count they make.
    expect(await lessonReadersInGuild(db().db, lessons[0]!.id, guilds[0]!)).toMatchObject({ readers: 1 });
  }, 60_000);
});
