import { sql, type Kysely } from 'kysely';

// Frozen in time: this file describes the schema as it was on its date and never imports src/.
//
// Indexes for queries on commands' paths that read whole tables (found by test/db/query-plans.test.ts).

export async function up(db: Kysely<unknown>): Promise<void> {
  // An import matches its lessons against the similar-reading titles of every other lesson that shares their
  // words, matched or not (a better match replaces the old one): the partial index (unmatched titles only)
  // could serve no query, so `lexemes &&` read the whole table.
  await sql`drop index similar_readings_unmatched_idx`.execute(db);
  await sql`create index similar_readings_lexemes_idx on similar_readings using gin (lexemes)`.execute(db);
  // A member's quiz attempts in every server (/privacy export and forget-me); the unique key starts with the server.
  await sql`create index quiz_attempts_user_idx on quiz_attempts (user_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index quiz_attempts_user_idx`.execute(db);
  await sql`drop index similar_readings_lexemes_idx`.execute(db);
  await sql`create index similar_readings_unmatched_idx on similar_readings using gin (lexemes)
    where matched_lesson_id is null`.execute(db);
}
