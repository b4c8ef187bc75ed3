import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { runLessonsCli } from '../../src/cli/lessons.js';
import { watchLibraryChanges, type ChangedTable } from '../../src/db/change-feed.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { lockLessonImports } from '../../src/db/lessons.js';
import { createScratchPostgres } from '../support/databases.js';
import { startPausableProxy } from '../support/pausable-proxy.js';
import { until } from '../support/ports.js';

/*
 * PostgreSQL restarted, a backend terminated by an administrator or a network cut: the bot's connections are lost
 * wherever they are. Each loss must fail at most the statement on it and be reported, never end the process
 * (pg-pool listens for errors of idle connections only: one held by Kysely between statements was an unhandled
 * 'error' event). A restart is what pg_terminate_backend does to each connection (FATAL 57P01), done here on the
 * scratch database's connections only. PostgreSQL only: PGlite runs in the process and has no connection to lose.
 */

const url = process.env.TEST_DATABASE_URL;

describe.runIf(url)('connections lost under the bot', () => {
  let scratch: { url: string; drop(): Promise<void> };
  let admin: pg.Client;
  let database: Database | undefined;
  let reported: Error[];
  let uncaught: unknown[];
  const recordUncaught = (error: unknown) => uncaught.push(error);

  const open = async (maxConnections: number) =>
    (database = await openDatabase({ url: scratch.url, dataDir: 'unused', maxConnections, keepConnections: true, onPoolError: (error) => reported.push(error) }));
  const pidOf = async (connection: Database['db']) => (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(connection)).rows[0]!.pid;
  const terminate = (pid: number) => admin.query('select pg_terminate_backend($1)', [pid]);
  const terminateAll = () =>
    admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [new URL(scratch.url).pathname.slice(1)]);
  /** The client reads the server's FATAL message a moment after the backend ends. */
  const lossesReported = (n: number) => until(async () => reported.length, (count) => count >= n, 3_000);

  beforeAll(async () => {
    scratch = await createScratchPostgres(url!);
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
  });

  beforeEach(() => {
    reported = [];
    uncaught = [];
    process.prependListener('uncaughtException', recordUncaught);
  });

  afterEach(async () => {
    process.removeListener('uncaughtException', recordUncaught);
    await database?.close();
    database = undefined;
  });

  afterAll(async () => {
    await admin?.end();
    await scratch?.drop();
  });

  it('a connection lost while a transaction holds it between statements fails that transaction, and the pool answers again', async () => {
    const { db } = await open(2);
    const transaction = db.transaction().execute(async (trx) => {
      await terminate(await pidOf(trx));
      // Between statements: no query is running on the connection when the server's FATAL message arrives.
      await lossesReported(1);
      await sql`select 1`.execute(trx);
    });
    await expect(transaction).rejects.toThrow(/terminating connection|not queryable|Connection terminated/u);
    expect(uncaught).toEqual([]);
    expect(reported.map((error) => (error as Error & { code?: string }).code)).toEqual(['57P01']);
    const answer = await sql<{ n: number }>`select 7 as n`.execute(db);
    expect(answer.rows[0]?.n).toBe(7);
  });

  it('every connection lost at once, idle or held (a restart), is reported once each and the next queries open new ones', async () => {
    const { db, openAllConnections } = await open(3);
    await openAllConnections();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let holding!: (pid: number) => void;
    const heldPid = new Promise<number>((resolve) => (holding = resolve));
    const held = db.connection().execute(async (connection) => {
      holding(await pidOf(connection));
      await released;
    });
    await heldPid;
    await terminateAll();
    await lossesReported(3);
    release();
    await held;
    expect(uncaught).toEqual([]);
    expect(reported).toHaveLength(3);

    const pids = await Promise.all([1, 2, 3].map(() => pidOf(db)));
    expect(pids).not.toContain(await heldPid);
    expect(reported).toHaveLength(3);
  });

  it('a statement running when its connection is lost fails with the loss, and the pool answers again', async () => {
    const { db } = await open(2);
    // Its rejection is expected before the loss, so it never goes unhandled while the admin's statement is awaited.
    const slow = expect(sql`select pg_sleep(5)`.execute(db)).rejects.toThrow(/terminating connection/u);
    const sleeping = async () =>
      (await admin.query<{ pid: number }>("select pid from pg_stat_activity where datname = $1 and query = 'select pg_sleep(5)'", [new URL(scratch.url).pathname.slice(1)])).rows[0]?.pid;
    const pid = await until(sleeping, (found) => found !== undefined, 3_000);
    await terminate(pid!);
    await slow;
    // The socket's end follows the FATAL message: the pool drops the connection once it has seen it.
    await lossesReported(1);
    expect(uncaught).toEqual([]);
    const answer = await sql<{ n: number }>`select 8 as n`.execute(db);
    expect(answer.rows[0]?.n).toBe(8);
  });

  it('the lessons CLI whose import loses its connection says so in one line, and nothing is written', async () => {
    // Another import holds the import lock: the CLI's import waits for it inside its transaction, on its connection.
    const { db } = await open(1);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const other = db.transaction().execute(async (trx) => {
      await lockLessonImports(trx, { wait: false });
      holding();
      await released;
    });
    await held;
    try {
      const err: string[] = [];
      const cli = runLessonsCli(['import', 'examples/lessons/nhk-2025-05-31-japan-us-cyber.txt'], {
        env: { DATABASE_URL: scratch.url, LOG_LEVEL: 'warn' },
        stdin: Readable.from([]),
        out: () => undefined,
        err: (line) => err.push(line),
      });
      const waiting = async () =>
        (await admin.query<{ pid: number }>("select pid from pg_stat_activity where datname = $1 and wait_event_type = 'Lock' and wait_event = 'advisory'", [new URL(scratch.url).pathname.slice(1)])).rows[0]?.pid;
      const pid = await until(waiting, (found) => found !== undefined, 30_000);
      await terminate(pid!);
      expect(await cli).toBe(1);
      expect(err.at(-1)).toBe(
        'nothing imported: the connection to the database was lost (PostgreSQL stopped or restarted?), so the import was rolled back. Run it again once the database is back.',
      );
      expect(uncaught).toEqual([]);
    } finally {
      release();
      await other;
    }
    const lessons = await sql<{ n: string }>`select count(*) as n from lessons`.execute(db);
    expect(Number(lessons.rows[0]?.n)).toBe(0);
  }, 60_000);

  it('the library change feed, cut off longer than its retries grow, listens again within its longest delay of the database’s return and says anything may have changed, and that notices were missed', async () => {
    const direct = new URL(scratch.url);
    const proxy = await startPausableProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    const viaProxy = new URL(direct);
    viaProxy.port = String(proxy.port);
    const changes: (ChangedTable | null)[] = [];
    // The bot's delays are 0.5 s doubling to at most 5 s; a tenth-scale copy here: 0.2 s doubling to at most 0.8 s.
    let listeningAgain = 0;
    const feed = watchLibraryChanges(viaProxy.toString(), {
      onChange: (table) => changes.push(table),
      onListeningAgain: () => (listeningAgain += 1),
      retryMs: { first: 200, max: 800 },
    });
    try {
      expect(await feed.untilLive(5_000)).toBe(true);
      // The first start is no return: nothing was missed.
      expect(listeningAgain).toBe(0);
      changes.length = 0;
      proxy.cut();
      await until(async () => feed.live, (live) => !live, 3_000);
      expect(feed.live).toBe(false);
      expect(changes).toEqual([null]);
      // Gone for 4 s: attempts 0.2, 0.4 and 0.8 s apart, then every 0.8 s, so the next comes within 0.8 s of the
      // return (doubling without a bound, the fifth would come 1.6 s after the fourth, 2.2 s after the return).
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      proxy.restore();
      const restoredAt = Date.now();
      expect(await feed.untilLive(5_000)).toBe(true);
      expect(Date.now() - restoredAt).toBeLessThanOrEqual(1_500);
      expect(changes).toEqual([null, null]);
      // Back: what was asked meanwhile (a big import's vocabulary) is looked for once.
      expect(listeningAgain).toBe(1);
    } finally {
      await feed.close();
      await proxy.close();
    }
  }, 30_000);
});
