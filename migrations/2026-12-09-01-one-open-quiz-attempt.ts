import { sql, type Kysely } from 'kysely';

// Frozen in time: this file describes the schema as it was on its date and never imports src/.

/*
 * One unfinished quiz attempt per member and lesson. The start's "resume an open attempt, else insert number n+1"
 * ran its check outside the insert's transaction, so two starts at once (a double click) could both insert: the
 * unique (member, lesson, number) key refused only two inserts that read the same n. Of an earlier pair, the one
 * kept is the one the member answered most of (the concurrent starts' replies could show either, and the member
 * went on with the one shown), the newest when they answered as many; the others, never reachable again until the
 * kept one was finished (then "Try again" reopened a stale one), are removed with their questions (cascade).
 * Until 2026-12-07 the newest was kept whatever was answered: an upgrade dropped a member's answers to the older one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    delete from quiz_attempts dropped
    using (
      select candidate.id, row_number() over (
          partition by candidate.guild_id, candidate.user_id, candidate.lesson_id
          order by (select count(*) from quiz_questions q where q.attempt_id = candidate.id and q.answered_at is not null) desc,
            candidate.attempt_number desc
        ) as place
      from quiz_attempts candidate
      where candidate.finished_at is null
    ) ranked
    where dropped.id = ranked.id and ranked.place > 1`.execute(db);
  await sql`
    create unique index quiz_attempts_one_open_idx on quiz_attempts (guild_id, user_id, lesson_id)
    where finished_at is null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists quiz_attempts_one_open_idx`.execute(db);
}
