import { sql } from 'kysely';
import type { Executor } from './schema.js';

/**
 * The library's word statistics: in how many lessons each English lexeme occurs (`lexeme_docs`, kept by imports),
 * which weighs the words of similar-reading titles and related readings (rare words say more).
 */

/** The English lexemes of each text (accents folded, stemmed, stop words dropped), in input order. */
export async function lexemesOf(db: Executor, texts: readonly string[]): Promise<string[][]> {
  if (texts.length === 0) return [];
  const rows = await sql<{ ord: string; lexemes: string[] }>`
    select ord, tsvector_to_array(to_tsvector('newsdesk_english', text)) as lexemes
    from unnest(${sql.val([...texts])}::text[]) with ordinality as input(text, ord)`.execute(db);
  const result: string[][] = texts.map(() => []);
  for (const row of rows.rows) result[Number(row.ord) - 1] = row.lexemes;
  return result;
}

/**
 * In how many lessons' title or summary each lexeme occurs (0 when none). The lexemes go as one array
 * parameter: a batch's similar-reading titles can hold more distinct lexemes than the 65,535 parameters a
 * statement may have (a list `in ($1, …)` of them failed with "bind message has … parameter formats").
 */
export async function lexemeDocCounts(db: Executor, lexemes: readonly string[]): Promise<Map<string, number>> {
  const distinct = [...new Set(lexemes)];
  if (distinct.length === 0) return new Map();
  const rows = await db
    .selectFrom('lexeme_docs')
    .select(['lexeme', 'docs'])
    .where('lexeme', '=', (eb) => eb.fn.any(eb.val(distinct)))
    .execute();
  return new Map(rows.map((row) => [row.lexeme, row.docs]));
}

/** The lexeme_docs row holding the number of lessons (no real lexeme is empty). */
export const LIBRARY_SIZE_KEY = '';

/**
 * An import's changes to the document counts gather in a temporary table of its transaction (dropped at
 * its end) and reach lexeme_docs once, by applyLexemeDocChanges.
 */
export async function startLexemeDocChanges(db: Executor): Promise<void> {
  await sql`
    create temporary table if not exists import_lexeme_changes (lexeme text primary key, docs int not null, text_docs int not null)
    on commit drop`.execute(db);
}

/**
 * Counts the lexemes of the given lessons (title and summary in `docs`, the whole text in `text_docs`), and
 * the library size by the number of them that exist, into the import's changes: −1 before the import
 * changes them, +1 after.
 */
export async function countLexemeDocChanges(db: Executor, lessonIds: readonly string[], delta: 1 | -1): Promise<void> {
  if (lessonIds.length === 0) return;
  const ids = sql.val([...lessonIds]);
  await sql`
    insert into import_lexeme_changes (lexeme, docs, text_docs)
    select lexeme, ${delta}::int * sum(head)::int, ${delta}::int * sum(text)::int from (
      select ${LIBRARY_SIZE_KEY}::text as lexeme, 1 as head, 1 as text from lessons where id = any(${ids}::uuid[])
      union all
      select lexeme, 1, 0 from lessons, unnest(tsvector_to_array(head_vector)) as lexeme where id = any(${ids}::uuid[])
      union all
      select lexeme, 0, 1 from lessons, unnest(tsvector_to_array(search_vector)) as lexeme where id = any(${ids}::uuid[])
    ) counted
    group by lexeme
    on conflict (lexeme) do update set
      docs = import_lexeme_changes.docs + excluded.docs, text_docs = import_lexeme_changes.text_docs + excluded.text_docs`.execute(db);
}

/** Moves lexeme_docs by the import's gathered changes, in one statement. */
export async function applyLexemeDocChanges(db: Executor): Promise<void> {
  // Sorted, so two imports at once lock the same rows in the same order ('' sorts first).
  await sql`
    insert into lexeme_docs (lexeme, docs, text_docs)
    select lexeme, docs, text_docs from import_lexeme_changes where docs <> 0 or text_docs <> 0
    order by lexeme
    on conflict (lexeme) do update set docs = lexeme_docs.docs + excluded.docs, text_docs = lexeme_docs.text_docs + excluded.text_docs`.execute(db);
  await sql`delete from import_lexeme_changes`.execute(db);
}

/**
 * Moves the GIN indexes' pending entries of an import into the indexes proper. GIN collects new entries
 * in a pending list (fast inserts) that every search reads in full until it is merged: an import's
 * matching, run in the same transaction right after thousands of inserts, would scan thousands of
 * pending entries per headline (measured: ~19 ms a match instead of ~0.4 ms on 10,000 lessons).
 */
export async function mergePendingSearchEntries(db: Executor): Promise<void> {
  await sql`
    select gin_clean_pending_list(i.indexrelid::regclass)
    from pg_index i join pg_class c on c.oid = i.indexrelid join pg_am am on am.oid = c.relam
    where am.amname = 'gin' and i.indrelid in ('lessons'::regclass, 'similar_readings'::regclass)`.execute(db);
}

/** How many lessons the library holds, as counted at import (applyLexemeDocChanges; no scan of lessons). */
export async function librarySize(db: Executor): Promise<number> {
  const row = await db.selectFrom('lexeme_docs').select('docs').where('lexeme', '=', LIBRARY_SIZE_KEY).executeTakeFirst();
  return row?.docs ?? 0;
}

export interface WeightedLexeme {
  readonly lexeme: string;
  /** How much finding it says: rare words say more (inverse document frequency). */
  readonly weight: number;
}
