import { sql, type Kysely } from 'kysely';

// Frozen in time: this file describes the schema as it was on its date and never imports src/.

/*
 * Change notices for the bot's in-process caches (issue 13, commands at scale). Any write to what a cached
 * answer is made of (a lesson, its vocabulary level, a server's schedule, posts and pinned lessons), from any
 * process (the bot, the lessons CLI, another shard, an operator's SQL), sends NOTIFY on the channel
 * `newsdesk_library` with the table's name as the payload. PostgreSQL delivers it when the writing
 * transaction commits, to every connection that LISTENs. Statement-level: one notice per statement (and
 * PostgreSQL folds equal notices of one transaction into one), whatever the number of rows.
 */
const TABLES = ['lessons', 'lesson_vocabularies', 'schedules', 'deliveries', 'lesson_plans'] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function newsdesk_library_changed() returns trigger language plpgsql as $$
    begin
      perform pg_notify('newsdesk_library', tg_table_name);
      return null;
    end $$`.execute(db);
  for (const table of TABLES) {
    await sql`
      create trigger ${sql.id(`${table}_change_notice`)}
      after insert or update or delete on ${sql.id(table)}
      for each statement execute function newsdesk_library_changed()`.execute(db);
    await sql`
      create trigger ${sql.id(`${table}_truncate_notice`)}
      after truncate on ${sql.id(table)}
      for each statement execute function newsdesk_library_changed()`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of TABLES) {
    await sql`drop trigger ${sql.id(`${table}_change_notice`)} on ${sql.id(table)}`.execute(db);
    await sql`drop trigger ${sql.id(`${table}_truncate_notice`)} on ${sql.id(table)}`.execute(db);
  }
  await sql`drop function newsdesk_library_changed()`.execute(db);
}
