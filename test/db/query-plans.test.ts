import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLibrary, insertLibrary, BENCH_GUILD } from '../../bench/library-generator.js';
import { relatedReadings } from '../../src/discovery/related.js';
import { searchLibrary, suggestLessons } from '../../src/discovery/search.js';
import { BATCH_TIMEOUTS } from '../../src/db/timeouts.js';
import { testDatabaseTargets, type TestDatabase } from '../support/databases.js';
import { recordQueries, seqScans } from '../support/query-plans.js';

/**
 * Every query on a command's path uses an index: EXPLAIN of each query the services send, over a
 * realistic library of 10,000 lessons (the generator of `npm run bench`, short articles to seed fast),
 * must show no sequential scan of lessons, readers, events or discovery's tables. Add other command paths
 * below (or in another file) with the same two helpers.
 */
const LESSONS = 10_000;

describe.each(testDatabaseTargets())('command queries use indexes on $kind', (target) => {
  const library = generateLibrary({ lessons: LESSONS, articleParagraphs: 2 });
  let seeded: TestDatabase;

  // One library for the whole file (seeding takes a while); the tests only read it. Seeding rebuilds the
  // GIN indexes over the whole table, a batch job's statement, so the database gets a batch job's bounds.
  beforeAll(async () => {
    seeded = await target.open({ timeouts: BATCH_TIMEOUTS });
    await insertLibrary(seeded.db, library, { readersPerLesson: 2 });
  }, 600_000);
  afterAll(async () => {
    await seeded?.close();
  });

  async function expectIndexed(action: (db: TestDatabase['db']) => Promise<unknown>): Promise<void> {
    const recorder = recordQueries(seeded.db);
    await action(recorder.db);
    const queries = recorder.take();
    expect(queries.length).toBeGreaterThan(0);
    expect(await seqScans(seeded.db, queries)).toEqual([]);
  }

  it('seeded a realistic library', async () => {
    const count = await sql<{ n: number }>`select count(*)::int as n from lessons`.execute(seeded.db);
    expect(count.rows[0]?.n).toBe(LESSONS);
  });

  it('the check finds a sequential scan (the old title LIKE autocomplete)', async () => {
    const recorder = recordQueries(seeded.db);
    await recorder.db.selectFrom('lessons').select('id').where(sql<string>`lower(title)`, 'like', '%rice%').limit(25).execute();
    expect(await seqScans(seeded.db, recorder.take())).toEqual([expect.objectContaining({ table: 'lessons' })]);
  });

  it('related readings', async () => {
    for (const index of [0, 1, 4321, LESSONS - 1]) {
      await expectIndexed((db) => relatedReadings(db, library.ids[index] as string, { guildId: BENCH_GUILD, userId: 'u1' }));
    }
  });

  it('search: first page, a page past the title and summary matches, a category', async () => {
    for (const query of library.searchQueries.slice(0, 5)) await expectIndexed((db) => searchLibrary(db, query));
    const word = (library.searchQueries[0] as string).split(' ')[1] as string;
    await expectIndexed((db) => searchLibrary(db, word, { page: 40 }));
    await expectIndexed((db) => searchLibrary(db, word, { category: 'easy-news' }));
  });

  it('lesson autocomplete: words, word starts, an ID start, nothing typed', async () => {
    for (const typed of library.autocompleteInputs.slice(0, 5)) await expectIndexed((db) => suggestLessons(db, typed));
    await expectIndexed((db) => suggestLessons(db, (library.ids[7] as string).slice(0, 8)));
    await expectIndexed((db) => suggestLessons(db, ''));
  });
});
