import { sql, type Kysely } from 'kysely';

// Frozen in time: this file describes the schema as it was on its date and never imports src/.

/*
 * Related readings by content compare whole lessons (title, summary and article), not only titles and
 * summaries: two reports on one earthquake may share a single word in their headlines and summaries and a
 * dozen in their articles. `text_docs` counts in how many lessons' whole text (search_vector) each lexeme
 * occurs, beside `docs` (title and summary only, for matching similar-reading titles); the row '' holds the
 * number of lessons in both. Lexemes found only in articles get rows with `docs` 0.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table lexeme_docs add column text_docs integer not null default 0`.execute(db);
  await sql`insert into lexeme_docs (lexeme, docs, text_docs)
    select lexeme, 0, count(*)::int from lessons, unnest(tsvector_to_array(search_vector)) as lexeme group by lexeme
    on conflict (lexeme) do update set text_docs = excluded.text_docs`.execute(db);
  await sql`update lexeme_docs set text_docs = docs where lexeme = ''`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from lexeme_docs where docs = 0 and lexeme <> ''`.execute(db);
  await sql`alter table lexeme_docs drop column text_docs`.execute(db);
}
