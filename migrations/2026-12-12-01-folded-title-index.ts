import { sql, type Kysely } from 'kysely';

// Frozen in time: this file describes the schema as it was on its date and never imports src/.

/*
 * A member who types a whole title instead of picking a suggestion gets the lessons whose folded title is that
 * text. They were found through the title's words in `lessons_word_vector_idx`, then compared whole: in a library
 * whose titles share their words ("Lesson 1" … "Lesson 100000", "Daily news: …") every lesson has them, and
 * PostgreSQL read the whole table for it (241 ms at 100,000 lessons; 0.32 ms by this index).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index lessons_title_fold_idx on lessons (title_fold)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index lessons_title_fold_idx`.execute(db);
}
