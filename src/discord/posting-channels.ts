import { ChannelType, type Channel, type Client, type Guild, type TextChannel } from 'discord.js';

/**
 * The channels this process posts in (schedules' and alerts' channels), the only ones discord.js keeps.
 *
 * A server's GUILD_CREATE lists every channel, and discord.js would keep each one (~1 KB with its permission
 * overwrites): 1,000 servers of 40 channels were ~37 MB the bot never reads (BENCHMARKS.md, "Only the channels
 * it posts in"). The bot reads a channel only to post in it, or to check a channel a moderator picks, so the
 * channel caches keep the channels named here and drop the rest as they arrive. A channel named later (a new
 * schedule) is fetched once over REST, and kept from then on; one not read yet (or whose read failed) when its post
 * goes is posted in without reading it (channelNotRead).
 */
const postingChannelsOf = new WeakMap<Client, Set<string>>();

/** A client's set of channel ids in `sets`, made on first use. */
function channelIdsOf(sets: WeakMap<Client, Set<string>>, client: Client): Set<string> {
  let ids = sets.get(client);
  if (!ids) {
    ids = new Set();
    sets.set(client, ids);
  }
  return ids;
}

const postingChannels = (client: Client) => channelIdsOf(postingChannelsOf, client);

/** Marks channels as ones this process posts in: kept when their data arrives (GUILD_CREATE, a fetch, an update). */
export function keepPostingChannels(client: Client, channelIds: Iterable<string>): void {
  const ids = postingChannels(client);
  for (const id of channelIds) ids.add(id);
}

/** Whether discord.js should keep this channel (its channel caches ask: cache-limits.ts). */
export function isPostingChannel(channel: Channel): boolean {
  return postingChannelsOf.get(channel.client)?.has(channel.id) ?? false;
}

/**
 * Channels being read, or whose last read failed (an outage, a 5xx, a 404 without a code, a refusal). What the caches
 * hold of one can only be an interaction option's data (discord.js keeps an option's channel when it is one the bot
 * posts in: id, name, type, no permission overwrites), not the channel: it is read again, not taken from the cache,
 * until a read works. Until 2026-12-07 a failed read kept the option's channel as the truth, never read again; and a
 * command naming the channel while its first read was under way (a slow Discord, or one failing until discord.js
 * gives up: tries of 15 s) took the option's data its own interaction had just put in the cache.
 */
const unreadOf = new WeakMap<Client, Set<string>>();

const unreadChannels = (client: Client) => channelIdsOf(unreadOf, client);

/**
 * A channel to post in, from the cache, or fetched once (and kept from then on). A thread's parent is kept too:
 * a thread's permissions are its parent's. Where the read fails, nothing is kept of the channel (what the caches
 * held was not read from Discord), and the next call reads it again.
 */
export async function fetchPostingChannel(client: Client, channelId: string): Promise<Channel | null> {
  keepPostingChannels(client, [channelId]);
  const unread = unreadChannels(client);
  // Not held: read, and unread until the read answers (the channel is kept from now on, so an interaction meanwhile
  // caches its option's data of it).
  const reading = unread.has(channelId) || !client.channels.cache.has(channelId);
  if (reading) unread.add(channelId);
  let channel: Channel | null;
  try {
    channel = await client.channels.fetch(channelId, { force: reading });
  } catch (error) {
    unread.add(channelId);
    const held = client.channels.cache.get(channelId);
    if (held && 'guild' in held) held.guild.channels.cache.delete(channelId);
    client.channels.cache.delete(channelId);
    throw error;
  }
  unread.delete(channelId);
  if (channel?.isThread() && channel.parentId) {
    keepPostingChannels(client, [channel.parentId]);
    await client.channels.fetch(channel.parentId).catch(() => null);
  }
  return channel;
}

/** What discord.js's channel manager does with a channel's data (its `_add`: private in its types, stable in 14.x). */
interface ChannelAdder {
  _add(data: Record<string, unknown>, guild: Guild, options: { cache: boolean; allowUnknownGuild: boolean }): Channel | null;
}

/**
 * A channel of an available server that this process holds no data for (its schedule was written elsewhere, and
 * not read ahead yet: posting-channels-ahead.ts), as a text channel discord.js can post in, built without reading
 * it: at a fan-out's minute each read would take one of the 50 requests a second the posts share (1,000 such
 * channels: 2,000 requests, ~40 s instead of 20). Not kept: the read ahead reads the channel itself when no post
 * waits. Without its permission overwrites nothing is checked before the post; Discord decides, and a refusal
 * (deleted, no access, a channel that takes no messages) is the post's failure as for any channel. Taken as a text
 * channel: were it an announcement channel, that post is not published to the servers following it.
 */
export function channelNotRead(client: Client, guild: Guild, channelId: string): TextChannel | undefined {
  const channels = client.channels as unknown as Partial<ChannelAdder>;
  if (typeof channels._add !== 'function') return undefined;
  const data = { id: channelId, type: ChannelType.GuildText, guild_id: guild.id, name: '', position: 0, permission_overwrites: [], parent_id: null };
  // In no cache, the server's either (`allowUnknownGuild` is what keeps discord.js from putting it in the server's).
  const channel = channels._add(data, guild, { cache: false, allowUnknownGuild: true });
  return channel?.type === ChannelType.GuildText ? channel : undefined;
}
