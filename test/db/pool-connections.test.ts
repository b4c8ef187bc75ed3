import { availableParallelism } from 'node:os';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultPoolSize, openDatabase } from '../../src/db/database.js';
import { openMigratedDatabase } from '../../src/db/open-from-config.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { importLessons } from '../../src/lessons/import.js';
import { warmConnection } from '../../src/operations/connection-warm-up.js';
import { makeLesson } from '../support/lessons.js';
import { createScratchPostgres } from '../support/databases.js';
import { until } from '../support/ports.js';

/*
 * The bot's pool keeps its connections (keepConnections) and opens them all at start (openAllConnections):
 * a burst of commands after a quiet spell, or the first one after start, finds them open instead of opening
 * new connections (each a new server process that loads its catalog caches and prepares the lookups anew).
 * Counted from PostgreSQL's side, on a connection of its own. PostgreSQL only: PGlite has one connection.
 */

const url = process.env.TEST_DATABASE_URL;

describe.runIf(url)('the bot’s connection pool on PostgreSQL', () => {
  let scratch: { url: string; drop(): Promise<void> };
  let observer: pg.Client;
  const name = () => new URL(scratch.url).pathname.slice(1);
  const connections = async () =>
    Number((await observer.query<{ n: string }>('select count(*) as n from pg_stat_activity where datname = $1', [name()])).rows[0]?.n);
  const settle = () => new Promise((resolve) => setTimeout(resolve, 400));
  /** A closed connection's server process leaves pg_stat_activity a moment after the client hung up. */
  const eventuallyNone = () => until(connections, (n) => n === 0, 2_000);

  beforeAll(async () => {
    scratch = await createScratchPostgres(url!);
    observer = new pg.Client({ connectionString: url });
    await observer.connect();
  });

  // Each test counts connections from zero: a previous test's closed connections may still be leaving.
  beforeEach(async () => {
    expect(await eventuallyNone()).toBe(0);
  });

  afterAll(async () => {
    await observer?.end();
    await scratch?.drop();
  });

  it('opens every connection at start and keeps them through a quiet spell longer than the idle timeout', async () => {
    const database = await openDatabase({ url: scratch.url, dataDir: 'unused', maxConnections: 3, keepConnections: true, idleMs: 50 });
    try {
      expect(await connections()).toBe(0);
      await database.openAllConnections();
      expect(await connections()).toBe(3);
      await settle();
      expect(await connections()).toBe(3);
      // And they answer.
      const answers = await Promise.all([1, 2, 3].map((n) => sql<{ n: number }>`select ${n}::int as n`.execute(database.db)));
      expect(answers.map((answer) => answer.rows[0]?.n)).toEqual([1, 2, 3]);
    } finally {
      await database.close();
    }
    expect(await eventuallyNone()).toBe(0);
  });

  it('warms every connection once, each run on a connection of its own', async () => {
    const database = await openDatabase({ url: scratch.url, dataDir: 'unused', maxConnections: 4, keepConnections: true });
    try {
      const serverProcesses: number[] = [];
      const opened = await database.openAllConnections(async (connection) => {
        const row = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(connection);
        serverProcesses.push(row.rows[0]!.pid);
      });
      expect(opened).toEqual({ opened: 4, warmed: 4 });
      expect(new Set(serverProcesses).size).toBe(4);
      expect(await connections()).toBe(4);
    } finally {
      await database.close();
    }
  });

  it('opens as many as DATABASE_POOL_SIZE says for the bot, and twice the cores (4–10) without it', async () => {
    for (const [size, expected] of [[3, 3], [undefined, defaultPoolSize(availableParallelism())]] as const) {
      const config = { DATABASE_URL: scratch.url, DATA_DIR: 'unused', ...(size === undefined ? {} : { DATABASE_POOL_SIZE: size }) };
      const database = await openMigratedDatabase(config, undefined, undefined, { keepConnections: true });
      try {
        expect((await database.openAllConnections()).opened).toBe(expected);
        // Only the pool's: the migrations' and the start-up tidy's connections are closed by now.
        expect(await until(connections, (n) => n === expected, 2_000)).toBe(expected);
      } finally {
        await database.close();
      }
      expect(await eventuallyNone()).toBe(0);
    }
  });

  it('a warm-up that fails is reported, not thrown, and the other connections are still warmed', async () => {
    const database = await openDatabase({ url: scratch.url, dataDir: 'unused', maxConnections: 3, keepConnections: true });
    try {
      let runs = 0;
      const opened = await database.openAllConnections(async () => {
        if (++runs === 2) throw new Error('warm-up failed');
      });
      expect(opened.opened).toBe(3);
      expect(opened.warmed).toBe(2);
      expect(String(opened.warmFailure)).toMatch(/warm-up failed/u);
      // The pool is whole: three statements at once still run.
      const answers = await Promise.all([1, 2, 3].map((n) => sql<{ n: number }>`select ${n}::int as n`.execute(database.db)));
      expect(answers.map((answer) => answer.rows[0]?.n)).toEqual([1, 2, 3]);
    } finally {
      await database.close();
    }
  });

  it('warmConnection leaves every connection with the members’ lookups prepared', async () => {
    const migrating = await openDatabase({ url: scratch.url, dataDir: 'unused', maxConnections: 1 });
    try {
      await migrateToLatest(migrating.db);
      await importLessons(migrating.db, [makeLesson()]);
    } finally {
      await migrating.close();
    }
    const database = await openDatabase({ url: scratch.url, dataDir: 'unused', maxConnections: 3, keepConnections: true });
    try {
      const preparedByConnection: string[][] = [];
      const opened = await database.openAllConnections(async (connection) => {
        const before = await sql<{ name: string }>`select name from pg_prepared_statements`.execute(connection);
        expect(before.rows).toEqual([]);
        await warmConnection(connection);
        const after = await sql<{ name: string }>`select name from pg_prepared_statements order by name`.execute(connection);
        preparedByConnection.push(after.rows.map((row) => row.name));
      });
      expect(opened).toEqual({ opened: 3, warmed: 3 });
      expect(preparedByConnection).toHaveLength(3);
      expect(preparedByConnection[0]!.length).toBeGreaterThanOrEqual(3);
      expect(preparedByConnection[1]).toEqual(preparedByConnection[0]);
      expect(preparedByConnection[2]).toEqual(preparedByConnection[0]);
    } finally {
      await database.close();
    }
  });

  it('without keepConnections (CLIs, tests) opens none ahead and lets idle ones close', async () => {
    const database = await openDatabase({ url: scratch.url, dataDir: 'unused', maxConnections: 3, idleMs: 50 });
    try {
      await database.openAllConnections();
      expect(await connections()).toBe(0);
      // Counted while three are held: once free, each closes 50 ms later, sooner than a loaded machine counts.
      let release = () => {};
      const released = new Promise<void>((resolve) => (release = resolve));
      const holding = Promise.all(
        [1, 2, 3].map(() => database.db.connection().execute(async (connection) => {
          await sql`select 1`.execute(connection);
          await released;
        })),
      );
      expect(await until(connections, (n) => n === 3, 5_000)).toBe(3);
      release();
      await holding;
      expect(await eventuallyNone()).toBe(0);
    } finally {
      await database.close();
    }
  });

  it('a server that refuses connections leaves the pool to open them on demand, without an error', async () => {
    const closed = new URL(scratch.url);
    closed.port = '1';
    const database = await openDatabase({ url: closed.toString(), dataDir: 'unused', maxConnections: 2, keepConnections: true });
    try {
      let warmed = 0;
      await expect(database.openAllConnections(async () => void (warmed += 1))).resolves.toEqual({ opened: 0, warmed: 0 });
      expect(warmed).toBe(0);
    } finally {
      await database.close();
    }
  });
});
