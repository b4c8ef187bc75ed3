import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, withIsoDates, type Database } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { memberReadingDays } from '../../src/db/progress.js';
import { dueSchedules, saveSchedule } from '../../src/db/schedules.js';
import { upsertLesson } from '../../src/db/lessons.js';
import { createScratchPostgres } from '../support/databases.js';
import { makeLesson } from '../support/lessons.js';

/*
 * A PostgreSQL whose dates are written in another style (`datestyle = 'SQL, DMY'` in postgresql.conf, or set on the
 * database, as a European operator may have it) gives `07/12/2026` for a date as text: the bot reads dates as
 * `YYYY-MM-DD`. Its connections ask for ISO whatever the server's setting. PostgreSQL only (PGlite is the bot's own).
 */

const url = process.env.TEST_DATABASE_URL;

describe.runIf(url)('dates on a PostgreSQL set to another date style', () => {
  let scratch: { url: string; drop(): Promise<void> };
  let database: Database | undefined;

  beforeAll(async () => {
    scratch = await createScratchPostgres(url!);
    const admin = new pg.Client({ connectionString: scratch.url });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE "${new URL(scratch.url).pathname.slice(1)}" SET datestyle = 'SQL, DMY'`);
    } finally {
      await admin.end();
    }
  });
  afterAll(async () => {
    await database?.close();
    await scratch?.drop();
  });

  it('the premise: a plain connection to that database writes dates as 07/12/2026', async () => {
    const plain = new pg.Client({ connectionString: scratch.url });
    await plain.connect();
    try {
      expect((await plain.query<{ day: string }>(`select '2026-12-07'::date::text as day`)).rows[0]?.day).toBe('07/12/2026');
    } finally {
      await plain.end();
    }
  });

  it('the bot’s connections read due servers’ post days, reading days and timestamps as they are', async () => {
    database = await openDatabase({ url: scratch.url, dataDir: 'unused', maxConnections: 2 });
    const { db } = database;
    await migrateToLatest(db);
    const row = (await sql<{ day: string; at: Date }>`select '2026-12-07'::date as day, '2026-12-07T18:30:00Z'::timestamptz as at`.execute(db)).rows[0];
    expect(row?.day).toBe('2026-12-07');
    expect(row?.at.toISOString()).toBe('2026-12-07T18:30:00.000Z');

    await saveSchedule(db, { guildId: 'g1', channelId: 'c1', postTime: '09:00', timeZone: 'Europe/Berlin', roleId: null, createThread: false }, new Date('2026-12-01T00:00:00Z'));
    const due = await dueSchedules(db, new Date('2026-12-07T10:00:00Z'), { staleClaimMs: 60_000, limit: 10 });
    expect(due.map((d) => d.localDate)).toEqual(['2026-12-07']);

    const lesson = makeLesson({ date: '2026-12-06' });
    await upsertLesson(db, lesson);
    // 23:30 UTC on the 6th is the 7th in Berlin.
    await db.insertInto('reading_events').values({ guild_id: 'g1', user_id: 'u1', lesson_id: lesson.id, kind: 'article', occurred_at: new Date('2026-12-06T23:30:00Z') }).execute();
    expect(await memberReadingDays(db, 'g1', 'u1', 'Europe/Berlin')).toEqual(['2026-12-07']);
  });

  it('an options parameter of the URL is kept beside the ISO date style', async () => {
    const withOptions = new URL(scratch.url);
    withOptions.searchParams.set('options', '-c search_path=public,pg_catalog');
    const other = await openDatabase({ url: withOptions.toString(), dataDir: 'unused', maxConnections: 1 });
    try {
      const shown = (await sql<{ style: string; path: string }>`select current_setting('datestyle') as style, current_setting('search_path') as path`.execute(other.db)).rows[0];
      expect(shown?.style).toMatch(/^ISO, /u);
      expect(shown?.path).toBe('public,pg_catalog');
    } finally {
      await other.close();
    }
  });
});

describe('withIsoDates', () => {
  it('adds DateStyle=ISO to the startup options, after the URL’s own, and leaves the rest of the URL as given', () => {
    expect(withIsoDates('postgres://u:p%40ss@db.example:5432/newsdesk')).toEqual({
      connectionString: 'postgres://u:p%40ss@db.example:5432/newsdesk',
      options: '-c DateStyle=ISO',
    });
    expect(withIsoDates('postgres://u@db.example/newsdesk?sslmode=require&options=-c%20work_mem%3D8MB')).toEqual({
      connectionString: 'postgres://u@db.example/newsdesk?sslmode=require',
      options: '-c work_mem=8MB -c DateStyle=ISO',
    });
  });
});
