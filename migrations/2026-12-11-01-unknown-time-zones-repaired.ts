import { sql, type Kysely } from 'kysely';

// Frozen in time: this file describes the schema as it was on its date and never imports src/.

/*
 * Rows written before 2026-12-10-02 may still hold a time zone PostgreSQL does not know (written by SQL or another
 * tool): a member's made their /progress answer with an apology, a schedule's made the timer's due query fail for
 * every server. Each such zone is repaired once: spaces around it are dropped when that makes it known (as the bot
 * reads what a moderator types); otherwise a member's becomes unset (the server's zone is used, as for anyone who
 * set none) and a schedule is paused in UTC, `/schedule show` saying why, until a moderator sets its zone again.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    do $$
    declare
      zone text;
      trimmed text;
    begin
      for zone in select distinct timezone from member_settings where timezone is not null
        union select distinct timezone from schedules loop
        begin
          perform now() at time zone zone;
          continue;
        exception when others then
          null;
        end;
        trimmed := btrim(zone);
        begin
          perform now() at time zone trimmed;
        exception when others then
          trimmed := null;
        end;
        update member_settings set timezone = trimmed, updated_at = now() where timezone = zone;
        if trimmed is not null then
          update schedules set timezone = trimmed, updated_at = now() where timezone = zone;
        else
          update schedules set timezone = 'UTC', paused = true, last_failure_at = now(),
            last_failure_reason = 'its time zone was not one the database knows, so it was paused in UTC: set the time zone again with /schedule set, then /schedule resume',
            updated_at = now()
          where timezone = zone;
        end if;
      end loop;
    end $$`.execute(db);
}

export async function down(): Promise<void> {
  // A repaired zone is not put back: it stopped every server's posts.
}
