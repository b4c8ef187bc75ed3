import { sql, type Kysely } from 'kysely';

// Frozen in time: this file describes the schema as it was on its date and never imports src/.

/*
 * A lesson deleted (by SQL: the bot deletes none) took its lesson_readers rows with it through the foreign key's
 * cascade, which runs after the lesson's row is gone: lesson_reader_changed then found no word counts for it, and
 * took the lesson out of its readers' "lessons read" but left its words in their "words read" (1 lesson, 70 words
 * where a count from the rows said 27). Its readers' rows are now deleted first, while the lesson is still there.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create or replace function lesson_deleted_readers_first() returns trigger language plpgsql as $$
    begin
      delete from lesson_readers where lesson_id = old.id;
      return old;
    end $$`.execute(db);
  await sql`
    create trigger lessons_delete_readers_first before delete on lessons
    for each row execute function lesson_deleted_readers_first()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger if exists lessons_delete_readers_first on lessons`.execute(db);
  await sql`drop function if exists lesson_deleted_readers_first()`.execute(db);
}
