import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { upsertLesson } from '../../src/db/lessons.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { timeoutsFromConfig } from '../../src/db/open-from-config.js';
import { DatabaseTimeoutError } from '../../src/db/timeouts.js';
import { createLessonsService } from '../../src/lessons/service.js';
import { createReadingService } from '../../src/reading/service.js';
import { createScratchPostgres } from '../support/databases.js';
import { makeLesson } from '../support/lessons.js';
import { startPausableProxy, type PausableProxy } from '../support/pausable-proxy.js';

const GUILD = '100000000000000001';
/** Discord's deadline: a member must have their answer (here: the failure) before it. */
const DISCORD_DEADLINE_MS = 3_000;
const timeouts = timeoutsFromConfig({});

function servicesOver(database: Database) {
  const now = () => new Date('2026-03-01T12:00:00Z');
  return { lessons: createLessonsService({ db: database.db, now, importTimeZone: 'UTC' }), reading: createReadingService({ db: database.db, now }) };
}

/** What many members do at once: cards, autocomplete, and "Mark as read" (a transaction). */
function memberLoad(database: Database, lessonId: string, count: number): Promise<{ ms: number; error: unknown }>[] {
  const { lessons, reading } = servicesOver(database);
  return Array.from({ length: count }, async (_, i) => {
    const started = Date.now();
    try {
      if (i % 3 === 0) await lessons.todaysCard(GUILD);
      else if (i % 3 === 1) await lessons.choices('japan');
      else await reading.finished({ guildId: GUILD, userId: String(300000000000000000n + BigInt(i)) }, await lessons.byId(lessonId));
      return { ms: Date.now() - started, error: undefined };
    } catch (error) {
      return { ms: Date.now() - started, error };
    }
  });
}

async function eventually(action: () => Promise<unknown>, withinMs: number): Promise<void> {
  const until = Date.now() + withinMs;
  for (;;) {
    try {
      await action();
      return;
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

const url = process.env.TEST_DATABASE_URL;

describe.runIf(url)('PostgreSQL that stops answering', () => {
  let scratch: Awaited<ReturnType<typeof createScratchPostgres>>;
  let proxy: PausableProxy;
  let database: Database;
  const lesson = makeLesson();

  beforeAll(async () => {
    scratch = await createScratchPostgres(url as string);
    const direct = await openDatabase({ url: scratch.url, dataDir: 'unused', maxConnections: 1 });
    await migrateToLatest(direct.db);
    await upsertLesson(direct.db, lesson);
    await direct.close();
    const target = new URL(scratch.url);
    proxy = await startPausableProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(scratch.url);
    viaProxy.port = String(proxy.port);
    database = await openDatabase({ url: viaProxy.toString(), dataDir: 'unused', timeouts });
  });

  afterAll(async () => {
    proxy?.resume();
    await database?.close();
    await proxy?.close();
    await scratch?.drop();
  });

  it('fails every member fast while frozen (connections open, no answer), and recovers by itself', async () => {
    // Warm: the pool holds open connections, as a running bot's does.
    await Promise.all(memberLoad(database, lesson.id, 12));

    proxy.pause();
    const outcomes = await Promise.all(memberLoad(database, lesson.id, 60));
    const slowest = Math.max(...outcomes.map((outcome) => outcome.ms));
    console.log(`frozen database: 60 member calls failed, slowest after ${slowest} ms`);
    for (const outcome of outcomes) {
      expect(outcome.error).toBeInstanceOf(DatabaseTimeoutError);
      expect(outcome.ms).toBeLessThan(DISCORD_DEADLINE_MS);
    }

    proxy.resume();
    await eventually(() => servicesOver(database).lessons.todaysCard(GUILD), 10_000);
    const after = await Promise.all(memberLoad(database, lesson.id, 30));
    expect(after.map((outcome) => outcome.error)).toEqual(Array.from({ length: 30 }, () => undefined));
  });

  it('once a statement goes unanswered, fails the other members at once while one request at a time asks, until it answers', async () => {
    await Promise.all(memberLoad(database, lesson.id, 6));
    proxy.pause();
    // The first wave meets the freeze: each waits out its bound, as above.
    const first = await Promise.all(memberLoad(database, lesson.id, 12));
    expect(first.every((outcome) => outcome.error instanceof DatabaseTimeoutError)).toBe(true);
    // Now the pool knows: members are told at once, where each waited its 2 s before.
    const next = await Promise.all(memberLoad(database, lesson.id, 30));
    const refusedAtOnce = next.filter((outcome) => outcome.error instanceof DatabaseTimeoutError && outcome.ms < 200);
    console.log(`frozen database, second wave: ${refusedAtOnce.length} of 30 told within 200 ms, slowest ${Math.max(...next.map((o) => o.ms))} ms`);
    expect(refusedAtOnce.length).toBeGreaterThanOrEqual(27);
    for (const outcome of next) expect(outcome.error).toBeInstanceOf(DatabaseTimeoutError);

    proxy.resume();
    // The next request asks and gets its answer: everyone is let through again.
    await eventually(() => servicesOver(database).lessons.todaysCard(GUILD), 5_000);
    const after = await Promise.all(memberLoad(database, lesson.id, 30));
    expect(after.map((outcome) => outcome.error)).toEqual(Array.from({ length: 30 }, () => undefined));
  });

  it('fails fast while another session holds a lock, and works once it is released', async () => {
    const locker = new pg.Client({ connectionString: scratch.url });
    await locker.connect();
    try {
      await locker.query('begin');
      await locker.query('lock table lessons in access exclusive mode');
      const outcomes = await Promise.all(memberLoad(database, lesson.id, 9));
      for (const outcome of outcomes) {
        expect(outcome.error).toBeDefined();
        expect(outcome.ms).toBeLessThan(DISCORD_DEADLINE_MS);
      }
      await locker.query('commit');
      const after = await Promise.all(memberLoad(database, lesson.id, 9));
      expect(after.map((outcome) => outcome.error)).toEqual(Array.from({ length: 9 }, () => undefined));
    } finally {
      await locker.end();
    }
  });
});

describe('PGlite whose one connection is held', () => {
  let database: Database;
  const lesson = makeLesson();

  beforeAll(async () => {
    database = await openDatabase({ dataDir: 'memory://', timeouts });
    await migrateToLatest(database.db);
    await upsertLesson(database.db, lesson);
  });
  afterAll(() => database?.close());

  it('fails members fast while a transaction holds the connection, and works once it ends', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const holder = database.db.transaction().execute(async (trx) => {
      await sql`select 1`.execute(trx);
      await gate;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));

    const outcomes = await Promise.all(memberLoad(database, lesson.id, 9));
    for (const outcome of outcomes) {
      expect(outcome.error).toBeInstanceOf(DatabaseTimeoutError);
      expect(outcome.ms).toBeLessThan(DISCORD_DEADLINE_MS);
    }

    release();
    await holder;
    const after = await Promise.all(memberLoad(database, lesson.id, 9));
    expect(after.map((outcome) => outcome.error)).toEqual(Array.from({ length: 9 }, () => undefined));
  });
});
