import { sql, type Kysely } from 'kysely';

// Frozen in time: this file describes the schema as it was on its date and never imports src/.

/*
 * The two small search vectors of a lesson, `word_vector` (title and summary words: the lesson autocomplete) and
 * `head_vector` (title and summary lexemes: search ranking, related readings, the import's title matching), are
 * kept in the lesson's row rather than in its TOAST table. A lesson's row is ~7 KB before TOAST (article,
 * dialogue and the article's search vector are most of it), so PostgreSQL moved every wide column out, these
 * two included (~0.6 and ~0.5 KB), and each candidate the autocomplete checked cost a TOAST index lookup and
 * its pages twice over: ~870 buffers for a two-letter word start at 100,000 lessons, ~60 with the vectors in
 * the row (EXPLAIN ANALYZE, BENCHMARKS.md). `main` storage still compresses them and moves them out only if
 * the row cannot fit otherwise.
 *
 * The storage applies to rows written from now on (every lesson of a library built after this migration). Rows
 * of an existing library keep their layout until rewritten: `VACUUM FULL lessons` (an exclusive lock for the
 * time it takes; about a minute at 100,000 lessons) or a re-import applies it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table lessons alter column word_vector set storage main, alter column head_vector set storage main`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table lessons alter column word_vector set storage extended, alter column head_vector set storage extended`.execute(db);
}
