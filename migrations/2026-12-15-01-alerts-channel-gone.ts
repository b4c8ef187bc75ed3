import { sql, type Kysely } from 'kysely';

// Frozen in time: this file describes the schema as it was on its date and never imports src/.

/*
 * When the bot found the server's alerts channel deleted (Discord's 404 Unknown Channel, or its CHANNEL_DELETE): no
 * alert is sent there any more, and `/schedule show` says so, until a moderator picks another with `/schedule alerts`
 * (which clears it). The channel's id stays, so the setting is not lost silently. Until 2026-12-08 every later alert
 * tried the deleted channel again.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table guild_settings add column alerts_channel_gone_at timestamptz`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table guild_settings drop column alerts_channel_gone_at`.execute(db);
}
