import { sql, type Kysely } from 'kysely';

// Frozen in time: this file describes the schema as it was on its date and never imports src/.

/*
 * A schedule's or a member's time zone is one PostgreSQL knows. The bot writes only zones it checked; a row written
 * otherwise (by SQL, another tool) with a zone PostgreSQL does not know ('America/Sao_Paulo ', 'Mars/Olympus') made
 * every statement that reads it fail: the timer's due query stopped every server's daily post, and that member's
 * /progress answered with an apology. Such a write is now refused, naming the zone.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create or replace function newsdesk_time_zone_known() returns trigger language plpgsql as $$
    begin
      if new.timezone is not null then
        -- Raises "time zone ... not recognized" for a zone PostgreSQL does not know.
        perform now() at time zone new.timezone;
      end if;
      return new;
    end $$`.execute(db);
  await sql`
    create trigger schedules_time_zone_known before insert or update of timezone on schedules
    for each row execute function newsdesk_time_zone_known()`.execute(db);
  await sql`
    create trigger member_settings_time_zone_known before insert or update of timezone on member_settings
    for each row execute function newsdesk_time_zone_known()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger if exists schedules_time_zone_known on schedules`.execute(db);
  await sql`drop trigger if exists member_settings_time_zone_known on member_settings`.execute(db);
  await sql`drop function if exists newsdesk_time_zone_known()`.execute(db);
}
