import type { Executor } from './schema.js';

export interface GuildSettings {
  readonly alertsChannelId: string | null;
  /** When the alerts channel was found deleted (its id kept, for `/schedule show`); null while it stands. */
  readonly alertsChannelGoneAt: Date | null;
  readonly moderatorRoleId: string | null;
}

export async function guildSettings(db: Executor, guildId: string): Promise<GuildSettings> {
  const row = await db
    .selectFrom('guild_settings')
    .select(['alerts_channel_id', 'alerts_channel_gone_at', 'moderator_role_id'])
    .where('guild_id', '=', guildId)
    .executeTakeFirst();
  return { alertsChannelId: row?.alerts_channel_id ?? null, alertsChannelGoneAt: row?.alerts_channel_gone_at ?? null, moderatorRoleId: row?.moderator_role_id ?? null };
}

/** A new alerts channel (or none) stands until found deleted. */
export async function updateGuildSettings(db: Executor, guildId: string, change: Partial<Omit<GuildSettings, 'alertsChannelGoneAt'>>): Promise<void> {
  const values = {
    ...(change.alertsChannelId !== undefined ? { alerts_channel_id: change.alertsChannelId, alerts_channel_gone_at: null } : {}),
    ...(change.moderatorRoleId !== undefined ? { moderator_role_id: change.moderatorRoleId } : {}),
  };
  await db
    .insertInto('guild_settings')
    .values({ guild_id: guildId, ...values })
    .onConflict((oc) => oc.column('guild_id').doUpdateSet({ ...values, updated_at: new Date() }))
    .execute();
}

/**
 * The server's alerts channel was found deleted, if `channelId` is it: marked (the id kept) so no alert tries it again.
 * True when this marked it.
 */
export async function markAlertsChannelGone(db: Executor, guildId: string, channelId: string, at: Date): Promise<boolean> {
  const row = await db
    .updateTable('guild_settings')
    .set({ alerts_channel_gone_at: at, updated_at: at })
    .where('guild_id', '=', guildId)
    .where('alerts_channel_id', '=', channelId)
    .where('alerts_channel_gone_at', 'is', null)
    .returning('guild_id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Records that moderators were told about a problem; false if they already were (tell once). */
export async function claimAlert(db: Executor, guildId: string, kind: string, key: string): Promise<boolean> {
  const row = await db
    .insertInto('alerts_sent')
    .values({ guild_id: guildId, kind, key })
    .onConflict((oc) => oc.columns(['guild_id', 'kind', 'key']).doNothing())
    .returning('kind')
    .executeTakeFirst();
  return row !== undefined;
}

/** Forgets that moderators were told (the alert could not be sent): the next occurrence tells them again. */
export async function releaseAlert(db: Executor, guildId: string, kind: string, key: string): Promise<void> {
  await db.deleteFrom('alerts_sent').where('guild_id', '=', guildId).where('kind', '=', kind).where('key', '=', key).execute();
}

/** Forgets every alert the server's moderators were told (a new alerts channel: problems still standing are told there). */
export async function forgetAlerts(db: Executor, guildId: string): Promise<void> {
  await db.deleteFrom('alerts_sent').where('guild_id', '=', guildId).execute();
}

/** Every server's moderator role (start-up, once: roles the bot keeps to check members against). */
export async function moderatorRoleIds(db: Executor): Promise<{ guildId: string; roleId: string }[]> {
  const rows = await db
    .selectFrom('guild_settings')
    .select(['guild_id', 'moderator_role_id'])
    .where('moderator_role_id', 'is not', null)
    .$narrowType<{ moderator_role_id: string }>()
    .execute();
  return rows.map((row) => ({ guildId: row.guild_id, roleId: row.moderator_role_id }));
}
