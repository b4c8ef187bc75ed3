import { PermissionFlagsBits, PermissionsBitField, type Client, type GuildTextBasedChannel, type Interaction } from 'discord.js';
import { UserError } from '../user-error.js';
import { readModeratorRole } from './kept-roles.js';

const NAMES: Record<string, string> = {
  ViewChannel: 'View Channel',
  SendMessages: 'Send Messages',
  SendMessagesInThreads: 'Send Messages in Threads',
  EmbedLinks: 'Embed Links',
  CreatePublicThreads: 'Create Public Threads',
};

/**
 * The permissions the bot lacks to post a lesson card in a channel (`embeds: false`: a text message, as alerts are),
 * by their names in Discord's UI. Empty when it has them all, or when its permissions cannot be known from the cache
 * (Discord decides then).
 */
export function missingPostPermissions(channel: GuildTextBasedChannel, client: Client, options: { thread: boolean; embeds?: boolean }): string[] {
  const me = client.user;
  if (!me) return [];
  const granted = channel.permissionsFor(me);
  if (!granted) return [];
  const needed = new PermissionsBitField([
    PermissionFlagsBits.ViewChannel,
    channel.isThread() ? PermissionFlagsBits.SendMessagesInThreads : PermissionFlagsBits.SendMessages,
    ...(options.embeds === false ? [] : [PermissionFlagsBits.EmbedLinks]),
    ...(options.thread && !channel.isThread() ? [PermissionFlagsBits.CreatePublicThreads] : []),
  ]);
  return granted.missing(needed).map((flag) => NAMES[flag] ?? flag);
}

export const OUTSIDE_SERVER = 'This command works in a server, not in direct messages.';

/** The server an interaction came from; commands and buttons work in servers only. */
export function requireGuild(interaction: Interaction, message: string = OUTSIDE_SERVER): string {
  if (!interaction.inGuild()) throw new UserError(message);
  return interaction.guildId;
}

/**
 * Moderator-only subcommands and buttons are checked here, by the bot, on every use: Discord's default
 * permissions only hide a command, and server admins can change who sees it. Manage Server, or the
 * server's moderator role (looked up only when the member lacks Manage Server).
 */
export async function requireModerator(
  interaction: Interaction,
  moderatorRoleId: (guildId: string) => Promise<string | null>,
): Promise<string> {
  if (!interaction.inGuild()) throw new UserError(OUTSIDE_SERVER);
  if (interaction.memberPermissions.has(PermissionFlagsBits.ManageGuild)) return interaction.guildId;
  const roleId = await moderatorRoleId(interaction.guildId);
  if (await hasRole(interaction, roleId)) return interaction.guildId;
  throw new UserError(
    `Only moderators can do this: it needs the **Manage Server** permission${roleId ? ` or the <@&${roleId}> role` : ''}.`,
  );
}

/**
 * Who moderates is the server managers' choice: a member who moderates by the moderator role may not name another
 * role (a broader one would hand moderator rights to its members), nor clear it.
 */
export function requireServerManager(interaction: Interaction): string {
  if (!interaction.inGuild()) throw new UserError(OUTSIDE_SERVER);
  if (interaction.memberPermissions.has(PermissionFlagsBits.ManageGuild)) return interaction.guildId;
  throw new UserError('Only members with the **Manage Server** permission choose who moderates: the moderator role cannot change itself.');
}

/**
 * A daily post that pings @everyone, or a role that is not mentionable, pings with the bot's own Mention Everyone
 * every day: Discord lets a member do that only with that permission, so a moderator by the moderator role (or by
 * Manage Server alone) may not make the bot do it for them. Read from the member's permissions where they ran the
 * command (Discord's interaction payload; the permission is nearly always the server's, not a channel's).
 */
export function requireMayPing(interaction: Interaction, role: { id: string; mentionable: boolean }): void {
  if (!interaction.inGuild()) throw new UserError(OUTSIDE_SERVER);
  const everyone = role.id === interaction.guildId;
  if (!everyone && role.mentionable) return;
  if (interaction.memberPermissions.has(PermissionFlagsBits.MentionEveryone)) return;
  throw new UserError(
    everyone
      ? 'Only members with **Mention @everyone, @here and All Roles** may have the daily post ping @everyone. Pick a mentionable role, or leave `role` empty.'
      : `<@&${role.id}> is not mentionable: only members with **Mention @everyone, @here and All Roles** may have the daily post ping it. Pick a mentionable role, or leave \`role\` empty.`,
  );
}

/** Whether the member may use moderator commands (the same rule as `requireModerator`), for what to show them. */
export async function isModerator(interaction: Interaction, moderatorRoleId: (guildId: string) => Promise<string | null>): Promise<boolean> {
  if (!interaction.inGuild()) return false;
  if (interaction.memberPermissions.has(PermissionFlagsBits.ManageGuild)) return true;
  return hasRole(interaction, await moderatorRoleId(interaction.guildId));
}

/**
 * In a server discord.js holds, the member's roles are looked up in its role cache, which keeps the moderator role
 * (kept-roles.ts); one named elsewhere since the start is read into it first, once.
 */
async function hasRole(interaction: Interaction<'cached' | 'raw'>, roleId: string | null): Promise<boolean> {
  if (roleId === null) return false;
  const roles = interaction.member.roles;
  if (Array.isArray(roles)) return roles.includes(roleId);
  await readModeratorRole(roles.member.guild, roleId);
  return roles.cache.has(roleId);
}
