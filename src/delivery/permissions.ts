import { PermissionFlagsBits, PermissionsBitField, type Client, type GuildTextBasedChannel } from 'discord.js';

const NAMES: Record<string, string> = {
  ViewChannel: 'View Channel',
  SendMessages: 'Send Messages',
  SendMessagesInThreads: 'Send Messages in Threads',
  EmbedLinks: 'Embed Links',
  CreatePublicThreads: 'Create Public Threads',
};

/**
 * The permissions the bot lacks to post a lesson card in a channel, by their names in Discord's UI.
 * Empty when it has them all, or when its permissions cannot be known from the cache (Discord decides then).
 */
export function missingPostPermissions(channel: GuildTextBasedChannel, client: Client, options: { thread: boolean }): string[] {
  const me = client.user;
  if (!me) return [];
  const granted = channel.permissionsFor(me);
  if (!granted) return [];
  const needed = new PermissionsBitField([
    PermissionFlagsBits.ViewChannel,
    channel.isThread() ? PermissionFlagsBits.SendMessagesInThreads : PermissionFlagsBits.SendMessages,
    PermissionFlagsBits.EmbedLinks,
    ...(options.thread && !channel.isThread() ? [PermissionFlagsBits.CreatePublicThreads] : []),
  ]);
  return granted.missing(needed).map((flag) => NAMES[flag] ?? flag);
}
