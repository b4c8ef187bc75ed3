/**
 * What the category lookups cost with many categories: `npm run bench:categories [-- lessons]`.
 * A library of `lessons` (100,000) small lessons spread over 10 to 100,000 distinct categories; for each, the
 * category autocomplete (`categoryChoices`), a search's category filter (`categoriesNamed`) and the list a refusal
 * shows (`libraryCategories`). Uses a scratch PostgreSQL database when TEST_DATABASE_URL is set, else an in-memory
 * PGlite (statements may take up to BATCH_TIMEOUTS' 120 s). Prints the median and slowest of repeated runs, in ms; compare within one run.
 */
import { performance } from 'node:perf_hooks';
import { sql, type Kysely } from 'kysely';
import { openDatabase, type Database } from '../src/db/database.js';
import { categoriesNamed, libraryCategories } from '../src/db/lesson-search.js';
import { migrateToLatest } from '../src/db/migrate.js';
import type { DB } from '../src/db/schema.js';
import { BATCH_TIMEOUTS } from '../src/db/timeouts.js';
import { createDiscoveryService } from '../src/discovery/service.js';
import { createScratchPostgres } from '../test/support/databases.js';

const lessons = Number(process.argv[2] ?? 100_000);
const RUNS = 7;
/** Category names: these, then each again with a number (`World 17`). */
const NAMES = ['nhk', 'easy-news', 'World', 'Business', 'Sports', 'Science', 'Culture', 'ΕΙΔΗΣΕΙΣ', 'ニュース', 'Politics'];

async function open(): Promise<{ database: Database; kind: string; cleanup: () => Promise<void> }> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    const database = await openDatabase({ dataDir: 'memory://', timeouts: BATCH_TIMEOUTS });
    return { database, kind: 'PGlite (in memory)', cleanup: () => database.close() };
  }
  const scratch = await createScratchPostgres(url);
  const database = await openDatabase({ url: scratch.url, dataDir: 'unused', timeouts: BATCH_TIMEOUTS });
  return { database, kind: 'PostgreSQL', cleanup: async () => { await database.close(); await scratch.drop(); } };
}

async function fill(db: Kysely<DB>, categories: number): Promise<void> {
  const names = sql.val(NAMES);
  await db.transaction().execute(async (trx) => {
    await sql`truncate lessons cascade`.execute(trx);
    await sql`
    insert into lessons (id, category, url, article_date, title, summary, article, dialogue, similar_readings,
      source_words, source_read_count, source_created_at, source_updated_at, article_words, dialogue_words, content_hash)
    select md5('lesson-' || i)::uuid,
      (${names}::text[])[1 + (i % ${categories}) % ${NAMES.length}]
        || case when i % ${categories} < ${NAMES.length} then '' else ' ' || ((i % ${categories}) / ${NAMES.length}) end,
      'https://example.org/' || i, date '2020-01-01' + i % 2000, 'Lesson ' || i, 'A summary.', '["An article."]'::jsonb,
      '[]'::jsonb, '[]'::jsonb, 3, 0, now(), now(), 3, 0, md5('content-' || i)
    from generate_series(0, ${lessons - 1}) as i`.execute(trx);
  });
  await sql`vacuum analyze`.execute(db);
}

async function time(run: () => Promise<unknown>): Promise<string> {
  const timings: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await run();
    timings.push(performance.now() - started);
  }
  timings.sort((a, b) => a - b);
  return `${timings[Math.floor(RUNS / 2)]!.toFixed(1)} (max ${timings.at(-1)!.toFixed(1)})`;
}

const { database, kind, cleanup } = await open();
try {
  const { db } = database;
  await migrateToLatest(db);
  const discovery = createDiscoveryService({ db });
  console.log(`${kind}, ${lessons.toLocaleString('en')} lessons; median (max) of ${RUNS} runs, ms`);
  for (const categories of [10, 1_000, 10_000, 50_000, 100_000]) {
    if (categories > lessons) continue;
    const started = performance.now();
    await fill(db, categories);
    const filled = ((performance.now() - started) / 1000).toFixed(1);
    const rows = [
      ['autocomplete, nothing typed', () => discovery.categoryChoices('')],
      ['autocomplete "n"', () => discovery.categoryChoices('n')],
      ['autocomplete "news"', () => discovery.categoryChoices('news')],
      ['autocomplete "ειδήσεις"', () => discovery.categoryChoices('ειδησεις')],
      ['autocomplete "World 7" (a name in full)', () => discovery.categoryChoices('World 7')],
      ['autocomplete "qqq" (no match)', () => discovery.categoryChoices('qqq')],
      ['search filter (categoriesNamed "world")', () => categoriesNamed(db, 'world')],
      ['refusal list (libraryCategories, 100)', () => libraryCategories(db, 100)],
    ] as const;
    console.log(`\n${categories.toLocaleString('en')} categories (filled in ${filled} s)`);
    for (const [name, run] of rows) console.log(`  ${name.padEnd(44)} ${await time(run)}`);
  }
} finally {
  await cleanup();
}
