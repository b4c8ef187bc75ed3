import { sql, type Kysely } from 'kysely';

// Frozen in time: this file describes the schema as it was on its date and never imports src/.
//
// Related readings and search. Both PostgreSQL (contrib) and PGlite ship pg_trgm and unaccent; both are
// "trusted" extensions, so a database owner may create them without being a superuser.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db);
  await sql`create extension if not exists unaccent`.execute(db);

  // English stemming with accents folded first ("Zürich" = "zurich", "résumé" = "resume").
  await sql`create text search configuration newsdesk_english (copy = english)`.execute(db);
  await sql`alter text search configuration newsdesk_english
    alter mapping for hword, hword_part, word with unaccent, english_stem`.execute(db);
  // Whole words, accents folded, no stemming and no stop words: for prefix matching as a member types.
  await sql`create text search configuration newsdesk_words (copy = simple)`.execute(db);
  await sql`alter text search configuration newsdesk_words
    alter mapping for hword, hword_part, word with unaccent, simple`.execute(db);

  // unaccent() is only STABLE (its rules file could change); a generated column needs an IMMUTABLE
  // function, and the rules are fixed for this database's lifetime.
  await sql`create function newsdesk_fold(text) returns text
    language sql immutable strict parallel safe
    return lower(unaccent('unaccent'::regdictionary, $1))`.execute(db);

  await sql`alter table lessons
    add column search_vector tsvector generated always as (
      setweight(to_tsvector('newsdesk_english'::regconfig, title), 'A') ||
      setweight(to_tsvector('newsdesk_english'::regconfig, summary), 'B') ||
      setweight(to_tsvector('newsdesk_english'::regconfig, article), 'C')
    ) stored,
    add column head_vector tsvector generated always as (
      setweight(to_tsvector('newsdesk_english'::regconfig, title), 'A') ||
      setweight(to_tsvector('newsdesk_english'::regconfig, summary), 'B')
    ) stored,
    add column word_vector tsvector generated always as (
      setweight(to_tsvector('newsdesk_words'::regconfig, title), 'A') ||
      setweight(to_tsvector('newsdesk_words'::regconfig, summary), 'B')
    ) stored,
    add column title_fold text generated always as (newsdesk_fold(title)) stored`.execute(db);

  await sql`create index lessons_search_vector_idx on lessons using gin (search_vector)`.execute(db);
  await sql`create index lessons_head_vector_idx on lessons using gin (head_vector)`.execute(db);
  await sql`create index lessons_word_vector_idx on lessons using gin (word_vector)`.execute(db);
  await sql`create index lessons_title_trgm_idx on lessons using gin (title_fold gin_trgm_ops)`.execute(db);
  await sql`create index lessons_category_date_idx on lessons (category, article_date desc, id)`.execute(db);

  // Each similar-reading title of each lesson, and the library lesson it names (computed at import).
  await db.schema
    .createTable('similar_readings')
    .addColumn('lesson_id', 'uuid', (col) => col.notNull().references('lessons.id').onDelete('cascade'))
    .addColumn('position', 'integer', (col) => col.notNull())
    .addColumn('title', 'text', (col) => col.notNull())
    // The title's English lexemes (its "Summary:" prefix dropped), to find it again when a lesson arrives.
    .addColumn('lexemes', sql`text[]`, (col) => col.notNull())
    .addColumn('matched_lesson_id', 'uuid', (col) => col.references('lessons.id').onDelete('set null'))
    .addColumn('score', 'real')
    .addPrimaryKeyConstraint('similar_readings_pk', ['lesson_id', 'position'])
    .execute();
  await sql`create index similar_readings_matched_idx on similar_readings (matched_lesson_id)`.execute(db);
  await sql`create index similar_readings_unmatched_idx on similar_readings using gin (lexemes)
    where matched_lesson_id is null`.execute(db);

  // In how many lessons' title or summary each English lexeme occurs: rare words say what a lesson is about.
  await db.schema
    .createTable('lexeme_docs')
    .addColumn('lexeme', 'text', (col) => col.primaryKey())
    .addColumn('docs', 'integer', (col) => col.notNull())
    .execute();
  // Lessons imported before this migration: their counts now ('' holds the number of lessons). Their
  // similar-reading titles are matched the next time they are imported.
  await sql`insert into lexeme_docs (lexeme, docs)
    select '', count(*)::int from lessons having count(*) > 0
    union all
    select lexeme, count(*)::int from lessons, unnest(tsvector_to_array(head_vector)) as lexeme group by lexeme`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('lexeme_docs').execute();
  await db.schema.dropTable('similar_readings').execute();
  await sql`drop index lessons_category_date_idx`.execute(db);
  await sql`alter table lessons
    drop column search_vector, drop column head_vector, drop column word_vector, drop column title_fold`.execute(db);
  await sql`drop function newsdesk_fold(text)`.execute(db);
  await sql`drop text search configuration newsdesk_words`.execute(db);
  await sql`drop text search configuration newsdesk_english`.execute(db);
}
