import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { DataDirLockedError, lockDataDir, type DataDirLock } from './data-dir-lock.js';
import { createClusterFromTemplate, templateArchive } from './pglite-template.js';
import type { DB } from './schema.js';
import { DatabaseUnavailableError, directoryProblem } from './unavailable.js';
import { withTurnsBetweenStatements } from './pglite-turns.js';
import { boundedAcquire, DEFAULT_TIMEOUTS, discardingTimedOutClients, poolTimeoutSettings, type DatabaseTimeouts } from './timeouts.js';

export type DatabaseKind = 'postgres' | 'pglite';

export interface Database {
  readonly db: Kysely<DB>;
  readonly kind: DatabaseKind;
  /** Queries waiting for a free connection (PostgreSQL's pool); PGlite has one connection and no pool. */
  waitingClients(): number;
  /**
   * Opens every connection of the pool now (PostgreSQL with `keepConnections`; nothing on PGlite), so the
   * first members' commands do not wait for connections and new server processes, and runs `warm` once on
   * each of them, all held at once so that each run gets a connection of its own (on PGlite, once on its one
   * connection). Resolves once they are open and warmed, or once opening failed (the pool opens them on demand
   * then, as before); a failed warm-up is reported, not thrown.
   */
  openAllConnections(warm?: (connection: Kysely<DB>) => Promise<void>): Promise<OpenedConnections>;
  close(): Promise<void>;
}

export interface OpenedConnections {
  readonly opened: number;
  readonly warmed: number;
  /** The first warm-up's failure, if any. */
  readonly warmFailure?: unknown;
}

/**
 * The bot's pool when DATABASE_POOL_SIZE is not set: twice the cores, at least 4 and at most 10. PostgreSQL runs
 * a statement on one core, so more connections than it has cores make a burst's statements share them and all
 * finish late, where a few connections serve them in turn (on two cores, 200 interactions a second: p99 within
 * 50 ms in 11 of 14 rounds with 4, 1 of 14 with 10; BENCHMARKS.md). The bot's own cores stand for the server's: on one machine they are
 * the same; a bigger server is the operator's to size for.
 */
export function defaultPoolSize(cores: number): number {
  return Math.min(10, Math.max(4, 2 * Math.floor(cores)));
}

export interface DatabaseOptions {
  /** PostgreSQL connection string; without it the embedded PGlite is used. */
  url?: string | undefined;
  /** Where PGlite keeps its files; `memory://` keeps nothing (tests). */
  dataDir: string;
  /** Pool size for PostgreSQL (10 unless given; the bot's comes from its config: openMigratedDatabase). */
  maxConnections?: number;
  /**
   * PostgreSQL: the pool keeps its connections once opened (the bot). Without it an idle connection closes
   * after `idleMs`, and a burst after a quiet spell pays for opening connections again, each a new server
   * process that loads its catalog caches and prepares the lookups anew.
   */
  keepConnections?: boolean;
  /** How long an idle connection beyond those kept stays open (pg's default 10 s unless given; tests). */
  idleMs?: number;
  /** Told once per connection that it was lost (the query on it, if any, fails with the same error). */
  onPoolError?: (error: Error) => void;
  /** How long the database may take (see timeouts.ts); DEFAULT_TIMEOUTS unless given. */
  timeouts?: DatabaseTimeouts;
  /** PGlite's shared_buffers in MB (PGLITE_SHARED_BUFFERS_MB unless given). */
  pgliteSharedBuffersMb?: number;
}

const DATE_OID = 1082;
/** `date` stays a 'YYYY-MM-DD' string: converting it to a JS Date would shift it by the process's zone. */
const keepDateAsText = (value: string): string => value;

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.url ? openPostgres(options.url, options) : openPglite(options.dataDir, options.timeouts ?? DEFAULT_TIMEOUTS, options.pgliteSharedBuffersMb ?? PGLITE_SHARED_BUFFERS_MB);
}

function openPostgres(url: string, options: DatabaseOptions): Database {
  const max = options.maxConnections ?? 10;
  const pool = new pg.Pool({
    ...withIsoDates(url),
    max,
    min: options.keepConnections ? max : 0,
    ...(options.idleMs !== undefined ? { idleTimeoutMillis: options.idleMs } : {}),
    ...poolTimeoutSettings(options.timeouts ?? DEFAULT_TIMEOUTS),
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === DATE_OID ? keepDateAsText : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // A connection lost (PostgreSQL restarted, a backend terminated, a network cut) must not end the process. pg-pool
  // listens for a client's errors only while the client is idle: one lost while Kysely holds it (between the
  // statements of a transaction, or the warm-up's) was an unhandled 'error' event, and the process died. Every
  // client gets a listener of its own; its statement fails with the error, and the pool drops it when released.
  pool.on('connect', (client) => client.on('error', reportOnce(options.onPoolError)));
  // pg-pool also emits an idle client's error on the pool (an 'error' event without a listener throws).
  pool.on('error', () => undefined);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: discardingTimedOutClients(pool) }) });
  const openAllConnections = async (warm?: (connection: Kysely<DB>) => Promise<void>): Promise<OpenedConnections> => {
    if (!options.keepConnections) return { opened: 0, warmed: 0 };
    const connecting = await Promise.allSettled(Array.from({ length: max }, () => pool.connect()));
    for (const result of connecting) if (result.status === 'fulfilled') result.value.release();
    const opened = connecting.filter((result) => result.status === 'fulfilled').length;
    return warm ? { opened, ...(await warmEach(db, opened, warm)) } : { opened, warmed: 0 };
  };
  // Kysely ends the pool only if a query went through it; connections opened by openAllConnections alone would stay.
  const close = async () => {
    await db.destroy();
    if (!pool.ended) await pool.end();
  };
  return { db, kind: 'postgres', waitingClients: () => pool.waitingCount, openAllConnections, close };
}

/**
 * The connection string and startup options, with `DateStyle=ISO` (as JDBC and Npgsql send it): dates are read as
 * `YYYY-MM-DD` text (DATE_OID, `::date::text`) and timestamps by pg's ISO parser. A server or database set to
 * another output style (`SQL, DMY`, `German`) gave `07/12/2026`: every due server's post day, every `/progress`
 * (until 2026-12-07). An `options` of the URL is kept, before ours (pg lets the URL's replace the pool's own).
 */
export function withIsoDates(url: string): { connectionString: string; options: string } {
  const iso = '-c DateStyle=ISO';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { connectionString: url, options: iso };
  }
  const theirs = parsed.searchParams.get('options');
  if (theirs === null) return { connectionString: url, options: iso };
  parsed.searchParams.delete('options');
  return { connectionString: parsed.toString(), options: `${theirs} ${iso}` };
}

/** A client's error listener: the first error of a connection reported, the rest (the same loss again) dropped. */
function reportOnce(report: ((error: Error) => void) | undefined): (error: Error) => void {
  let reported = false;
  return (error) => {
    if (reported) return;
    reported = true;
    report?.(error);
  };
}

/** How long a warm-up waits for the other connections before it runs on the one it holds. */
const WARM_GATHER_MS = 2_000;

/**
 * Runs `warm` on `count` connections of the pool, each holding its connection until all have one: the pool
 * hands out its most recently freed connection first, so runs one after another would warm the same one.
 */
async function warmEach(db: Kysely<DB>, count: number, warm: (connection: Kysely<DB>) => Promise<void>): Promise<Omit<OpenedConnections, 'opened'>> {
  let held = 0;
  let allHeld!: () => void;
  const gathered = new Promise<void>((resolve) => (allHeld = resolve));
  const timer = setTimeout(allHeld, WARM_GATHER_MS);
  const runs = await Promise.allSettled(
    Array.from({ length: count }, () =>
      db.connection().execute(async (connection) => {
        if (++held === count) allHeld();
        await gathered;
        await warm(connection);
      }),
    ),
  );
  clearTimeout(timer);
  const failed = runs.find((run) => run.status === 'rejected');
  return {
    warmed: runs.filter((run) => run.status === 'fulfilled').length,
    ...(failed ? { warmFailure: failed.reason as unknown } : {}),
  };
}

/**
 * PGlite's page cache (PostgreSQL's shared_buffers, config PGLITE_SHARED_BUFFERS_MB), inside this process's
 * memory, and all of it resident from the start (PostgreSQL initialises it). Reads that miss it go to the
 * files, which the operating system caches anyway: a 2,000-file import took as long with 16 MB as with 128 MB
 * and peaked 150 MB lower, and as long with 4 MB as with 16 MB; the bot with 1,000 servers is ~14 MB smaller
 * with 4 MB than with 16 MB, its commands on 10,000 lessons no slower (BENCHMARKS.md, "PGlite's page cache").
 */
export const PGLITE_SHARED_BUFFERS_MB = 4;

/** Every PGlite instance opened by this process that the garbage collector has not yet freed. */
const pgliteInstances = new Set<WeakRef<object>>();

/**
 * How many PGlite instances this process still holds in memory, closed ones included: a closed instance's
 * WebAssembly memory (its touched part resident: 30–60 MB after an import) is freed only when collected, and it
 * stays reachable for a moment after close (~0.3 s here: PGlite's own pending callbacks). For a process that
 * collects before it needs the room (the lessons CLI, between the steps of its vocabulary refresh on PGlite).
 */
export function pgliteInstancesInMemory(): number {
  for (const instance of pgliteInstances) if (instance.deref() === undefined) pgliteInstances.delete(instance);
  return pgliteInstances.size;
}

/** The data directory, created if need be, and locked; one this process cannot create or write is the operator's to fix. */
function lockUsableDataDir(dataDir: string): DataDirLock {
  try {
    return lockDataDir(dataDir);
  } catch (error) {
    if (error instanceof DataDirLockedError) throw error;
    throw new DatabaseUnavailableError(
      `Could not use ${dataDir} (DATA_DIR) for the embedded database: ${directoryProblem(error)}. ` +
        'Set DATA_DIR to a directory this user may write, or DATABASE_URL to use PostgreSQL.',
      { cause: error },
    );
  }
}

async function openPglite(dataDir: string, timeouts: DatabaseTimeouts, sharedBuffersMb: number): Promise<Database> {
  const inMemory = dataDir.startsWith('memory://');
  const lock = inMemory ? undefined : lockUsableDataDir(dataDir);
  try {
    const directory = inMemory ? dataDir : join(dataDir, 'pglite');
    // A new database starts from the shipped empty cluster, never from PGlite's initdb (pglite-template.ts).
    if (!inMemory && !existsSync(join(directory, 'PG_VERSION'))) await createClusterFromTemplate(directory);
    // Loaded only here: a bot on PostgreSQL never loads PGlite (its JavaScript and WebAssembly, several MB of RSS).
    const [{ PGlite }, { pg_trgm }, { unaccent }, { PGliteDialect }] = await Promise.all([
      import('@electric-sql/pglite'),
      import('@electric-sql/pglite/contrib/pg_trgm'),
      import('@electric-sql/pglite/contrib/unaccent'),
      import('kysely-pglite-dialect'),
    ]);
    const client = await PGlite.create(directory, {
      startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${sharedBuffersMb}MB`],
      parsers: { [DATE_OID]: keepDateAsText },
      // Search and related readings need these (PostgreSQL has them in contrib); the migrations create them.
      extensions: { pg_trgm, unaccent },
      ...(inMemory ? { loadDataDir: templateArchive() } : {}),
    });
    pgliteInstances.add(new WeakRef(client));
    const dialect = withTurnsBetweenStatements(new PGliteDialect(client));
    const db = new Kysely<DB>({ dialect: timeouts.connectMs > 0 ? boundedAcquire(dialect, timeouts.connectMs) : dialect });
    return {
      db,
      kind: 'pglite',
      waitingClients: () => 0,
      openAllConnections: async (warm) => ({ opened: 1, ...(warm ? await warmEach(db, 1, warm) : { warmed: 0 }) }),
      async close() {
        try {
          await db.destroy();
          if (!client.closed) await client.close();
        } finally {
          lock?.release();
        }
      },
    };
  } catch (error) {
    lock?.release();
    throw error;
  }
}

