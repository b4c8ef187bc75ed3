import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { recordReading } from '../../src/db/reading.js';
import { importLessons } from '../../src/lessons/import.js';
import { warmConnection } from '../../src/operations/connection-warm-up.js';
import { makeLesson } from '../support/lessons.js';
import { testDatabaseTargets, useTestDatabase, type TestDatabase } from '../support/databases.js';

/*
 * The bot warms each database connection at start by running members' statements once (warmConnection).
 * Whatever it runs, it must leave the library as it found it: its opening and Mark as read are rolled back.
 */

const G = '100000000000000001';

/** Every application table's rows, as one fingerprint per table. */
async function snapshot(database: TestDatabase): Promise<Record<string, string>> {
  const tables = await sql<{ tablename: string }>`
    select tablename from pg_tables where schemaname = current_schema() and tablename not like 'kysely_%' order by tablename`.execute(
    database.db,
  );
  const result: Record<string, string> = {};
  for (const { tablename } of tables.rows) {
    const rows = await sql<{ rows: string | null }>`select string_agg(t::text, '|' order by t::text) as rows from ${sql.table(tablename)} t`.execute(
      database.db,
    );
    result[tablename] = rows.rows[0]?.rows ?? '';
  }
  return result;
}

describe.each(testDatabaseTargets())('warming a database connection on $kind', (target) => {
  const database = useTestDatabase(target);

  it('runs on an empty library and writes nothing', async () => {
    const before = await snapshot(database());
    await warmConnection(database().db);
    expect(await snapshot(database())).toEqual(before);
  });

  it('runs members’ statements on a library with readers and leaves every table as it was', async () => {
    const first = makeLesson({ title: 'Japan and US agree to work together in cyberspace', date: '2026-05-01' });
    const second = makeLesson({ title: 'Japan, US defense chiefs agree to strengthen alliance', date: '2026-05-02', similarReadings: [first.title] });
    await importLessons(database().db, [first, second]);
    await database().db.transaction().execute((trx) => recordReading(trx, { lessonId: second.id, guildId: G, userId: '200000000000000001', kind: 'dialogue', at: new Date('2026-05-03T10:00:00Z') }));
    const before = await snapshot(database());
    expect(before['reading_events']).not.toBe('');

    await warmConnection(database().db, new Date('2026-05-04T10:00:00Z'));

    expect(await snapshot(database())).toEqual(before);
  });

  it('a statement that fails is thrown to the caller, who reports it', async () => {
    await importLessons(database().db, [makeLesson()]);
    const lessons = sql`lessons`;
    await sql`alter table ${lessons} rename column summary to summary_gone`.execute(database().db);
    try {
      await expect(warmConnection(database().db)).rejects.toThrow(/summary/u);
    } finally {
      await sql`alter table ${lessons} rename column summary_gone to summary`.execute(database().db);
    }
  });
});
