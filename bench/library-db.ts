/**
 * Databases holding a generated library, for benchmarks. PostgreSQL: a database named for the library
 * (`newsdesk_bench_<lessons>`, or `--pg-name`), seeded once and reused by later runs (seeding 100,000 lessons takes
 * minutes: every article is parsed for full-text search); `--fresh` seeds it again. PGlite: in memory,
 * seeded every run.
 */
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { openDatabase, type Database } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import type { DB } from '../src/db/schema.js';
import { MIGRATION_TIMEOUTS } from '../src/db/timeouts.js';
import { generateLibrary, insertLibrary, type GeneratedLibrary } from './library-generator.js';

/** Bump when the generator's output changes, so cached databases are seeded again. */
const GENERATOR_VERSION = 1;
const SEED = 42;
export const READERS_PER_LESSON = 2;

export interface BenchLibrary {
  readonly database: Database;
  readonly library: GeneratedLibrary;
  readonly lessons: number;
  /** PostgreSQL: the library database's URL, for a process of its own (the bot, in the commands case). */
  readonly url?: string;
}

export async function openBenchLibrary(
  target: { kind: 'postgres'; url: string } | { kind: 'pglite' },
  lessons: number,
  options: { fresh?: boolean; log?: (message: string) => void; name?: string } = {},
): Promise<BenchLibrary> {
  const log = options.log ?? (() => undefined);
  const library = generateLibrary({ lessons, seed: SEED });
  if (target.kind === 'pglite') {
    const database = await openDatabase({ dataDir: 'memory://' });
    await migrateToLatest(database.db);
    await seed(database.db, library, log);
    return { database, library, lessons };
  }
  const url = new URL(target.url);
  // `--pg-name` gives an engineer a library of their own (the commands case writes reads into it).
  const name = options.name ?? `newsdesk_bench_${lessons}`;
  if (!/^[a-z_][a-z0-9_]*$/u.test(name)) throw new Error(`bench database name ${name}: use lower-case letters, digits and _`);
  if (options.fresh) await dropDatabase(target.url, name);
  await createDatabaseIfMissing(target.url, name);
  url.pathname = `/${name}`;
  // Seeding runs statements far longer than a command's bound (rebuilding GIN indexes over 100,000 lessons):
  // on a connection of its own without one, as migrations do. The cases then get the bot's bounds.
  const seeding = await openDatabase({ url: url.toString(), dataDir: 'unused', maxConnections: 1, timeouts: MIGRATION_TIMEOUTS });
  try {
    await migrateToLatest(seeding.db);
    await sql`create table if not exists bench_library (version int not null, seed int not null, lessons int not null)`.execute(seeding.db);
    // One transaction: a seeding that fails or is stopped leaves the database as it was (insertLibrary drops
    // the GIN indexes while it loads; outside a transaction a failure lost them for every later run), and a
    // second bench starting meanwhile waits for the first instead of seeding the same library over it.
    await seeding.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext('newsdesk bench library'))`.execute(trx);
      const marker = await sql<{ version: number; seed: number; lessons: number }>`select * from bench_library`.execute(trx);
      const current = marker.rows[0];
      if (!current || current.version !== GENERATOR_VERSION || current.seed !== SEED || current.lessons !== lessons) {
        await sql`truncate lessons, similar_readings, lexeme_docs, lesson_readers, reading_events, member_reading_totals, member_window_totals, leaderboard_counts, bench_library cascade`.execute(trx);
        await seed(trx, library, log);
        await sql`insert into bench_library values (${GENERATOR_VERSION}, ${SEED}, ${lessons})`.execute(trx);
      } else {
        log(`reusing ${name} (${lessons} lessons, generator v${GENERATOR_VERSION})`);
      }
    });
  } finally {
    await seeding.close();
  }
  const database = await openDatabase({ url: url.toString(), dataDir: 'unused' });
  return { database, library, lessons, url: url.toString() };
}

async function seed(db: Kysely<DB>, library: GeneratedLibrary, log: (message: string) => void): Promise<void> {
  const started = Date.now();
  const total = library.ids.length;
  await insertLibrary(db, library, {
    readersPerLesson: READERS_PER_LESSON,
    onProgress: (done) => {
      if (done % 5000 === 0 || done === total) log(`seeded ${done}/${total} lessons (${Math.round((Date.now() - started) / 1000)} s)`);
    },
  });
  log(`library of ${total} lessons ready in ${Math.round((Date.now() - started) / 1000)} s`);
}

async function withAdmin<T>(url: string, action: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await action(client);
  } finally {
    await client.end();
  }
}

/** Creates database `name` on the server of `url` unless it exists (the import case's template library uses it too). */
export async function createDatabaseIfMissing(url: string, name: string): Promise<void> {
  await withAdmin(url, async (client) => {
    const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${name}`);
  });
}

async function dropDatabase(url: string, name: string): Promise<void> {
  await withAdmin(url, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}
