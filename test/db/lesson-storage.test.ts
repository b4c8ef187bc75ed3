import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { upsertLesson } from '../../src/db/lessons.js';
import { makeLesson } from '../support/lessons.js';
import { testDatabaseTargets, useTestDatabase } from '../support/databases.js';

/** Distinct made-up words (as a news article has hundreds): base-26 spellings of `from`, `from + 1`, … */
function words(from: number, count: number): string {
  return Array.from({ length: count }, (_, i) => {
    let n = from + i;
    let word = '';
    for (let k = 0; k < 4; k++) {
      word += String.fromCharCode(97 + (n % 26));
      n = Math.floor(n / 26);
    }
    return `${word}tion`;
  }).join(' ');
}

/**
 * A lesson as wide as a real one: a summary of ~60 words and an article and dialogue of hundreds of different
 * words, so its row is several kilobytes before TOAST and PostgreSQL moves columns out of it.
 */
function wideLesson(title: string, seed: number) {
  return makeLesson({
    title: `${title} ${words(seed, 8)}`,
    summary: `${words(seed + 10, 60)}.`,
    article: Array.from({ length: 30 }, (_, i) => `${words(seed + 100 + i * 15, 15)}.`),
    dialogue: Array.from({ length: 16 }, (_, i) => ({ speaker: i % 2 === 0 ? 'A' : 'B', text: `${words(seed + 600 + i * 12, 12)}?` })),
  });
}

describe.each(testDatabaseTargets())('lesson rows on $kind', (target) => {
  const db = useTestDatabase(target);

  /** Buffers read to evaluate both title vectors of one lesson found by its id. */
  async function buffersToReadTitleVectors(id: string): Promise<number> {
    const plan = await sql<{ 'QUERY PLAN': unknown }>`
      explain (analyze, buffers, format json)
      select length(word_vector::text) + length(head_vector::text) from lessons where id = ${id}::uuid`.execute(db().db);
    const raw = plan.rows[0]!['QUERY PLAN'];
    const root = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: { 'Shared Hit Blocks': number; 'Shared Read Blocks': number } }[];
    return root[0]!.Plan['Shared Hit Blocks'] + root[0]!.Plan['Shared Read Blocks'];
  }

  it('stores the article’s search vector out of line and uncompressed, without trying to compress it first', async () => {
    // pglz never compresses a text-search vector by the quarter it asks for (positions are not repeated bytes): every
    // row written tried and threw the try away. `external`: out of line, never compressed.
    const storage = await sql<{ storage: string }>`
      select attstorage as storage from pg_attribute where attrelid = 'lessons'::regclass and attname = 'search_vector'`.execute(db().db);
    expect(storage.rows[0]?.storage).toBe('e');
    const lesson = wideLesson('Harbour town rebuilds after the storm', 9_000);
    await upsertLesson(db().db, lesson);
    const sizes = await sql<{ stored: number; whole: number; found: boolean }>`
      select pg_column_size(search_vector) as stored, pg_column_size(search_vector || ''::tsvector) as whole,
        search_vector @@ to_tsquery('newsdesk_english', 'harbour') as found
      from lessons where id = ${lesson.id}::uuid`.execute(db().db);
    expect(sizes.rows[0]).toMatchObject({ found: true });
    // Its bytes as in memory, less the 4-byte header an out-of-line value does not count.
    expect(Number(sizes.rows[0]?.stored)).toBe(Number(sizes.rows[0]?.whole) - 4);
  });

  it('keeps the title vectors that autocomplete and related readings check in the row, not in TOAST, however wide the lesson', async () => {
    const inRow = wideLesson('Harbour town rebuilds after the storm', 1_000);
    await upsertLesson(db().db, inRow);
    // The primary key's one page and the row's page: no TOAST index or chunk.
    expect(await buffersToReadTitleVectors(inRow.id)).toBeLessThanOrEqual(2);

    // The storage before the migration, for contrast: the same kind of lesson then costs TOAST lookups.
    await sql`alter table lessons alter column word_vector set storage extended, alter column head_vector set storage extended`.execute(db().db);
    try {
      const toasted = wideLesson('Mountain village rebuilds after the flood', 5_000);
      await upsertLesson(db().db, toasted);
      expect(await buffersToReadTitleVectors(toasted.id)).toBeGreaterThan(2);
    } finally {
      await sql`alter table lessons alter column word_vector set storage main, alter column head_vector set storage main`.execute(db().db);
    }
  });
});
