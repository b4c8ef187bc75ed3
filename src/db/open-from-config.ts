import { availableParallelism } from 'node:os';
import { sql, type Kysely } from 'kysely';
import { describeDatabase, type Config } from '../config.js';
import { defaultPoolSize, openDatabase, type Database } from './database.js';
import { migrateToLatest } from './migrate.js';
import { autovacuumEnabled, staleTables, tidyTables } from './statistics.js';
import type { DB } from './schema.js';
import { connectFailure, DatabaseUnavailableError } from './unavailable.js';
import { BATCH_TIMEOUTS, MIGRATION_TIMEOUTS, UPKEEP_TIMEOUTS, type DatabaseTimeouts } from './timeouts.js';

type DatabaseConfig = Pick<Config, 'DATABASE_URL' | 'DATA_DIR'> &
  Partial<Pick<Config, 'DATABASE_CONNECT_TIMEOUT_MS' | 'DATABASE_STATEMENT_TIMEOUT_MS' | 'PGLITE_SHARED_BUFFERS_MB' | 'DATABASE_POOL_SIZE'>>;

/** The bounds a running bot's queries get (see timeouts.ts); the client waits half a second past the server's own cancel. */
export function timeoutsFromConfig(config: Partial<DatabaseConfig>): DatabaseTimeouts {
  const connectMs = config.DATABASE_CONNECT_TIMEOUT_MS ?? 2_000;
  const statementMs = config.DATABASE_STATEMENT_TIMEOUT_MS ?? 1_500;
  return { connectMs, statementMs, queryMs: statementMs > 0 ? statementMs + 500 : 0 };
}

/**
 * Opens the configured database (PostgreSQL or embedded PGlite) and brings its schema up to date.
 * On PostgreSQL the migrations run on a connection of their own without the statement bound (an
 * index on a big table may take minutes); the bot's pool then gets the bounds. `keepConnections`: the
 * pool keeps its connections once opened (the bot; see DatabaseOptions).
 */
export async function openMigratedDatabase(
  config: DatabaseConfig,
  onPoolError?: (error: Error) => void,
  timeouts: DatabaseTimeouts = timeoutsFromConfig(config),
  pool: { keepConnections?: boolean } = {},
): Promise<Database & { applied: string[] }> {
  let applied: string[];
  if (config.DATABASE_URL) {
    const migrating = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR, maxConnections: 1, timeouts: MIGRATION_TIMEOUTS, onPoolError });
    try {
      await reachable(migrating.db, config);
      applied = await migrateToLatest(migrating.db);
    } finally {
      await migrating.close();
    }
    // Planner statistics for tables written since their last analysis (a library loaded by other means, a
    // server without autovacuum), and on a server without autovacuum the dead rows of bulk writes: an
    // optimisation, so the bot starts without it if it fails. Bounded as the table upkeep's rounds are, and a table
    // another session holds (another process's upkeep vacuuming it, an operator's index build) is passed over: the
    // start waited for it, up to the upkeep's 10 minutes (until 2026-12-07), its posts and commands with it.
    const tidying = await openUpkeepConnection(config.DATABASE_URL, config.DATA_DIR, onPoolError);
    try {
      await tidyTables(tidying.db, await staleTables(tidying.db), { vacuum: !(await autovacuumEnabled(tidying.db)), skipLocked: true }).catch(() => undefined);
    } finally {
      await tidying.close();
    }
    const database = await openDatabase({
      url: config.DATABASE_URL,
      dataDir: config.DATA_DIR,
      maxConnections: config.DATABASE_POOL_SIZE ?? defaultPoolSize(availableParallelism()),
      onPoolError,
      timeouts,
      keepConnections: pool.keepConnections,
    });
    return Object.assign(database, { applied });
  }
  const database = await openDatabase({ url: undefined, dataDir: config.DATA_DIR, onPoolError, timeouts, pgliteSharedBuffersMb: config.PGLITE_SHARED_BUFFERS_MB });
  try {
    applied = await migrateToLatest(database.db);
    // PGlite has no autovacuum at all (see above).
    await tidyTables(database.db, await staleTables(database.db), { vacuum: true, skipLocked: true }).catch(() => undefined);
    return Object.assign(database, { applied });
  } catch (error) {
    await database.close();
    throw error;
  }
}

/** A first round trip, so that a server that cannot be used is named as such rather than as a failed migration. */
async function reachable(db: Kysely<DB>, config: Pick<Config, 'DATABASE_URL' | 'DATA_DIR'>): Promise<void> {
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    throw new DatabaseUnavailableError(
      `Could not connect to ${describeDatabase(config)}: ${connectFailure(error)}. ` +
        'Check that PostgreSQL is running there and that DATABASE_URL has the right host, port, user, password and database.',
      { cause: error },
    );
  }
}

/**
 * A session for the table upkeep (operations/table-upkeep.ts): on PostgreSQL a connection of its own with the
 * upkeep's long bounds, closed after each round; on PGlite the bot's one connection (closing it is a no-op).
 */
export function upkeepSessions(config: Pick<Config, 'DATABASE_URL' | 'DATA_DIR'>, database: Database): () => Promise<Database> {
  const url = config.DATABASE_URL;
  if (!url) return () => Promise.resolve({ ...database, close: () => Promise.resolve() });
  return () => openUpkeepConnection(url, config.DATA_DIR);
}

/**
 * A session on which a job that one process at a time does holds its lock (process-locks.ts): on PostgreSQL one
 * connection of its own, kept open while the job runs (a pool's idle timeout would close it and let the lock go);
 * undefined on PGlite, which one process holds.
 */
export function lockSessions(config: Pick<Config, 'DATABASE_URL' | 'DATA_DIR'>): (() => Promise<Database>) | undefined {
  const url = config.DATABASE_URL;
  if (!url) return undefined;
  return () => Promise.resolve(openDatabase({ url, dataDir: config.DATA_DIR, maxConnections: 1, keepConnections: true }));
}

/**
 * A session for a moderator's upload's import: on PostgreSQL one connection of its own with the CLI's bounds (a
 * statement up to 120 s: the upload is deferred, and matching its titles in a big library whose headlines share
 * common words took 2.5 s a batch, past a member's 1.5 s: "try again" every time), closed after the import; undefined
 * on PGlite, whose one connection the bot holds.
 */
export function uploadImportSessions(config: Pick<Config, 'DATABASE_URL' | 'DATA_DIR'>): (() => Promise<Database>) | undefined {
  const url = config.DATABASE_URL;
  if (!url) return undefined;
  return () => Promise.resolve(openDatabase({ url, dataDir: config.DATA_DIR, maxConnections: 1, timeouts: BATCH_TIMEOUTS }));
}

/** One PostgreSQL connection with the upkeep's long bounds (vacuum and analyze of whole tables), for the start-up tidy and each upkeep round. */
function openUpkeepConnection(url: string, dataDir: string, onPoolError?: (error: Error) => void): Promise<Database> {
  return openDatabase({ url, dataDir, maxConnections: 1, timeouts: UPKEEP_TIMEOUTS, onPoolError });
}
