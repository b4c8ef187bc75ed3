/**
 * Databases holding a generated library, for benchmarks. PostgreSQL: a database named for the library
 * (`newsdesk_bench_<lessons>`), seeded once and reused by later runs (seeding 100,000 lessons takes
 * minutes: every article is parsed for full-text search); `--fresh` seeds it again. PGlite: in memory,
 * seeded every run.
 */
import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase, type Database } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { generateLibrary, insertLibrary, type GeneratedLibrary } from './library-generator.js';

/** Bump when the generator's output changes, so cached databases are seeded again. */
const GENERATOR_VERSION = 1;
const SEED = 42;
export const READERS_PER_LESSON = 2;

export interface BenchLibrary {
  readonly database: Database;
  readonly library: GeneratedLibrary;
  readonly lessons: number;
}

export async function openBenchLibrary(
  target: { kind: 'postgres'; url: string } | { kind: 'pglite' },
  lessons: number,
  options: { fresh?: boolean; log?: (message: string) => void } = {},
): Promise<BenchLibrary> {
  const log = options.log ?? (() => undefined);
  const library = generateLibrary({ lessons, seed: SEED });
  if (target.kind === 'pglite') {
    const database = await openDatabase({ dataDir: 'memory://' });
    await migrateToLatest(database.db);
    await seed(database, library, log);
    return { database, library, lessons };
  }
  const url = new URL(target.url);
  const name = `newsdesk_bench_${lessons}`;
  if (options.fresh) await dropDatabase(target.url, name);
  await createDatabaseIfMissing(target.url, name);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), dataDir: 'unused' });
  await migrateToLatest(database.db);
  await sql`create table if not exists bench_library (version int not null, seed int not null, lessons int not null)`.execute(database.db);
  const marker = await sql<{ version: number; seed: number; lessons: number }>`select * from bench_library`.execute(database.db);
  const current = marker.rows[0];
  if (!current || current.version !== GENERATOR_VERSION || current.seed !== SEED || current.lessons !== lessons) {
    await sql`truncate lessons, similar_readings, lexeme_docs, lesson_readers, reading_events, bench_library cascade`.execute(database.db);
    await seed(database, library, log);
    await sql`insert into bench_library values (${GENERATOR_VERSION}, ${SEED}, ${lessons})`.execute(database.db);
  } else {
    log(`reusing ${name} (${lessons} lessons, generator v${GENERATOR_VERSION})`);
  }
  return { database, library, lessons };
}

async function seed(database: Database, library: GeneratedLibrary, log: (message: string) => void): Promise<void> {
  const started = Date.now();
  const total = library.ids.length;
  await insertLibrary(database.db, library, {
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

async function createDatabaseIfMissing(url: string, name: string): Promise<void> {
  await withAdmin(url, async (client) => {
    const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${name}`);
  });
}

async function dropDatabase(url: string, name: string): Promise<void> {
  await withAdmin(url, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}
