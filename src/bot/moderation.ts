import { PermissionFlagsBits, type ChatInputCommandInteraction } from 'discord.js';
import type { Kysely } from 'kysely';
import { guildSettings } from '../db/guild-settings.js';
import type { DB } from '../db/schema.js';
import { UserError } from '../user-error.js';

/**
 * Moderator commands are checked here, by the bot, on every use: Discord's default permissions only hide
 * a command, and server admins can change who sees it. Manage Server, or the server's moderator role.
 */
export async function requireModerator(interaction: ChatInputCommandInteraction, db: Kysely<DB>): Promise<string> {
  if (!interaction.inGuild()) throw new UserError('This command works in a server, not in direct messages.');
  if (interaction.memberPermissions.has(PermissionFlagsBits.ManageGuild)) return interaction.guildId;
  const { moderatorRoleId } = await guildSettings(db, interaction.guildId);
  const roles = interaction.member.roles;
  const hasRole = moderatorRoleId !== null && (Array.isArray(roles) ? roles.includes(moderatorRoleId) : roles.cache.has(moderatorRoleId));
  if (hasRole) return interaction.guildId;
  throw new UserError(
    `Only moderators can do this: it needs the **Manage Server** permission${moderatorRoleId ? ` or the <@&${moderatorRoleId}> role` : ''}.`,
  );
}
