import { sql, type Kysely } from 'kysely';

// Frozen in time: this file describes the schema as it was on its date and never imports src/.

/*
 * An import matches each similar-reading title against its candidate lessons, and the trigram similarity of the
 * title and each candidate's folded title was most of that work (~17 µs a candidate, each call making both
 * strings' trigrams again: ~60 % of the matching's time in a 10,000-file import). pg_trgm's similarity is
 * shared / (a + b - shared) over the two strings' distinct trigrams, so it is at most min(a, b) / max(a, b): with
 * each title's count of distinct trigrams stored, a candidate whose count is too far from the headline's cannot
 * reach the score the import looks for by its title alone, and its similarity is not computed.
 *
 * The same expression as `title_fold`'s, then pg_trgm's own trigrams of it (show_trgm: its distinct trigrams,
 * as similarity makes them). Adding a stored column rewrites the table once (~2.6 s at 10,000 lessons).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table lessons add column title_trigrams integer
    generated always as (coalesce(array_length(show_trgm(newsdesk_fold(title)), 1), 0)) stored`.execute(db);
  // The headlines matched in parallel workers carry their own count (written in the import's transaction only).
  await sql`alter table headline_match_queue add column trigrams integer not null default 0`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table headline_match_queue drop column trigrams`.execute(db);
  await sql`alter table lessons drop column title_trigrams`.execute(db);
}
