import { sql, type Kysely } from 'kysely';

// Frozen in time: this file describes the schema as it was on its date and never imports src/.

/*
 * One unfinished quiz attempt per member and lesson. The start's "resume an open attempt, else insert number n+1"
 * ran its check outside the insert's transaction, so two starts at once (a double click) could both insert: the
 * unique (member, lesson, number) key refused only two inserts that read the same n. Of an earlier pair, the
 * newest is the one a member was shown and resumed; the older ones, never reachable again until the newest was
 * finished (then "Try again" reopened a stale one), are removed with their questions (cascade).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    delete from quiz_attempts older using quiz_attempts newer
    where older.finished_at is null and newer.finished_at is null
      and older.guild_id = newer.guild_id and older.user_id = newer.user_id and older.lesson_id = newer.lesson_id
      and older.attempt_number < newer.attempt_number`.execute(db);
  await sql`
    create unique index quiz_attempts_one_open_idx on quiz_attempts (guild_id, user_id, lesson_id)
    where finished_at is null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists quiz_attempts_one_open_idx`.execute(db);
}
