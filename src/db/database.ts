import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { Kysely, PostgresDialect } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { lockDataDir } from './data-dir-lock.js';
import type { DB } from './schema.js';
import { boundedAcquire, DEFAULT_TIMEOUTS, discardingTimedOutClients, poolTimeoutSettings, type DatabaseTimeouts } from './timeouts.js';

export type DatabaseKind = 'postgres' | 'pglite';

export interface Database {
  readonly db: Kysely<DB>;
  readonly kind: DatabaseKind;
  /** Queries waiting for a free connection (PostgreSQL's pool); PGlite has one connection and no pool. */
  waitingClients(): number;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL connection string; without it the embedded PGlite is used. */
  url?: string | undefined;
  /** Where PGlite keeps its files; `memory://` keeps nothing (tests). */
  dataDir: string;
  /** Pool size for PostgreSQL. */
  maxConnections?: number;
  onPoolError?: (error: Error) => void;
  /** How long the database may take (see timeouts.ts); DEFAULT_TIMEOUTS unless given. */
  timeouts?: DatabaseTimeouts;
}

const DATE_OID = 1082;
/** `date` stays a 'YYYY-MM-DD' string: converting it to a JS Date would shift it by the process's zone. */
const keepDateAsText = (value: string): string => value;

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.url ? openPostgres(options.url, options) : openPglite(options.dataDir, options.timeouts ?? DEFAULT_TIMEOUTS);
}

function openPostgres(url: string, options: DatabaseOptions): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    ...poolTimeoutSettings(options.timeouts ?? DEFAULT_TIMEOUTS),
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === DATE_OID ? keepDateAsText : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', (error) => options.onPoolError?.(error));
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: discardingTimedOutClients(pool) }) });
  return { db, kind: 'postgres', waitingClients: () => pool.waitingCount, close: () => db.destroy() };
}

async function openPglite(dataDir: string, timeouts: DatabaseTimeouts): Promise<Database> {
  const inMemory = dataDir.startsWith('memory://');
  const lock = inMemory ? undefined : lockDataDir(dataDir);
  try {
    const client = await PGlite.create(inMemory ? dataDir : join(dataDir, 'pglite'), {
      parsers: { [DATE_OID]: keepDateAsText },
      // Search and related readings need these (PostgreSQL has them in contrib); the migrations create them.
      extensions: { pg_trgm, unaccent },
    });
    const dialect = new PGliteDialect(client);
    const db = new Kysely<DB>({ dialect: timeouts.connectMs > 0 ? boundedAcquire(dialect, timeouts.connectMs) : dialect });
    return {
      db,
      kind: 'pglite',
      waitingClients: () => 0,
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
