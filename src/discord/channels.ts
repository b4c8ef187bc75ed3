import {
  ChannelType,
  DiscordAPIError,
  Events,
  HTTPError,
  RESTJSONErrorCodes,
  type Client,
  type GuildBasedChannel,
  type GuildTextBasedChannel,
  type MessageCreateOptions,
  type TextChannel,
} from 'discord.js';
import { UserError } from '../user-error.js';
import { missingPostPermissions } from './permissions.js';
import { channelNotRead, fetchPostingChannel } from './posting-channels.js';

/** A message the bot posted, as delivery needs it: its id, a thread opened on it, and its publication. */
export interface PostedMessage {
  readonly id: string;
  startThread(options: { name: string; autoArchiveDuration: 1440 }): Promise<{ readonly id: string }>;
  /**
   * discord.js: true in an announcement channel where the message is not yet published and the bot may publish it
   * (its own message: Send Messages). Publishing sends it to the servers that follow the channel.
   */
  readonly crosspostable?: boolean;
  crosspost?(): Promise<unknown>;
  /**
   * The embeds Discord kept. Discord posts a message whose author lacks Embed Links without its embeds, and says
   * nothing else: a card sent and none kept is a post without its card.
   */
  readonly embeds?: readonly unknown[];
}

/** A channel the bot may post in (checked): what delivery's poster and the alerts send through. */
export interface PostChannel {
  readonly id: string;
  send(options: MessageCreateOptions): Promise<PostedMessage>;
}

/** The bot's view of server channels; tests use a double that records what is sent. */
export interface Channels {
  /**
   * The channel, ready to post in, or a PostFailure moderators can act on (deleted, missing permissions). With its
   * server: a channel this process holds no data for is posted in without reading it first (channelNotRead).
   */
  postable(channelId: string, options: { guildId?: string; embeds?: boolean }): Promise<PostChannel>;
}

/** A post that cannot go out for a reason moderators can act on. */
export class PostFailure extends Error {
  override readonly name = 'PostFailure';
}

/** The channel was deleted (Discord's CHANNEL_DELETE, or its 404 Unknown Channel): no try will ever reach it. */
export class ChannelGone extends PostFailure {
  constructor() {
    super('the channel no longer exists');
  }
}

/**
 * Discord's 403 with code 50001 Missing Access to a channel's read or a post in it: the bot cannot see the channel (made
 * private, the bot's role not added), which is not a deleted channel (404, 10003).
 */
export const CHANNEL_HIDDEN = 'I can’t see that channel: give my role **View Channel** there';

/** Whether a post or an alert failed because its channel was deleted (not for want of a permission, nor an outage). */
export function channelGone(error: unknown): boolean {
  return error instanceof ChannelGone || (error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.UnknownChannel);
}

interface GatewayPacket {
  readonly t?: string | null;
  readonly d?: unknown;
}

/**
 * Channels Discord deleted in the servers this process holds (CHANNEL_DELETE), from the gateway's packets: discord.js's
 * `channelDelete` fires only for the channels it keeps, and it keeps few (cache-limits.ts). Returns the unsubscriber.
 */
export function followChannelDeletes(client: Client, deleted: (guildId: string, channelId: string) => void): () => void {
  const listener = (packet: GatewayPacket) => {
    if (packet.t !== 'CHANNEL_DELETE' || typeof packet.d !== 'object' || packet.d === null) return;
    const { guild_id: guildId, id } = packet.d as { guild_id?: unknown; id?: unknown };
    if (typeof guildId === 'string' && typeof id === 'string') deleted(guildId, id);
  };
  client.on('raw', listener);
  return () => client.off('raw', listener);
}

/** Failures that are the server's to fix (permissions, a deleted channel), as opposed to Discord being down. */
const SERVER_SIDE_ERRORS = new Set<number>([
  RESTJSONErrorCodes.MissingPermissions,
  RESTJSONErrorCodes.MissingAccess,
  RESTJSONErrorCodes.UnknownChannel,
  RESTJSONErrorCodes.UnknownGuild,
  RESTJSONErrorCodes.CannotSendMessagesInNonTextChannel,
]);

/**
 * Channels through the discord.js client. A channel it holds is checked from the cache first, so a broken one costs no
 * invalid request; one it does not hold is read first, or, given its server, posted in without reading (a fan-out's
 * posts, one request each: Discord decides).
 */
export function discordChannels(client: Client): Channels {
  // Kept channels Discord said were deleted (CHANNEL_DELETE; ids are never reused): their posts fail at once, where
  // a channel no longer held would otherwise be posted in without reading it (one refused request a try).
  const deleted = new Set<string>();
  client.on(Events.ChannelDelete, (channel) => deleted.add(channel.id));
  return {
    async postable(channelId, options) {
      if (deleted.has(channelId)) throw new ChannelGone();
      const guild = options.guildId === undefined || client.channels.cache.has(channelId) ? undefined : client.guilds.cache.get(options.guildId);
      const notRead = guild?.available ? channelNotRead(client, guild, channelId) : undefined;
      if (notRead) return postingWithoutReading(notRead);
      const channel = await fetchPostingChannel(client, channelId).catch((error: unknown) => {
        if (channelGone(error)) throw new ChannelGone();
        if (error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.MissingAccess) throw new PostFailure(CHANNEL_HIDDEN);
        if (error instanceof DiscordAPIError && SERVER_SIDE_ERRORS.has(Number(error.code))) return null;
        throw error;
      });
      if (!channel || channel.isDMBased() || !channel.isTextBased()) throw new PostFailure('the channel no longer exists');
      // The message's own permissions: a thread opened on it is asked for, and refused, apart (poster.ts).
      const missing = missingPostPermissions(channel, client, { thread: false, embeds: options.embeds });
      if (missing.length > 0) throw new PostFailure(`missing permission: ${missing.join(', ')}`);
      return channel;
    },
  };
}

/**
 * A channel built without reading it (channelNotRead) as delivery posts in it. Not in discord.js's cache, so the
 * message discord.js returns cannot find its channel (its startThread and crosspost need it): the thread is opened
 * through the channel itself, and nothing is published (taken as a text channel).
 */
function postingWithoutReading(channel: TextChannel): PostChannel {
  return {
    id: channel.id,
    async send(options) {
      const message = await channel.send(options);
      return {
        id: message.id,
        startThread: (thread) => channel.threads.create({ ...thread, startMessage: message.id }),
        crosspostable: false,
        embeds: message.embeds,
      };
    },
  };
}

/**
 * Whether a failed post may have reached Discord all the same: no answer came (a refused or cut connection, a
 * timeout), or a server error (5xx: Discord's, or the REST proxy's 502/504 when Discord did not answer it), as
 * opposed to Discord's refusal (4xx) or a check made before sending.
 */
export function postUnanswered(error: unknown): boolean {
  if (error instanceof PostFailure) return false;
  if (error instanceof DiscordAPIError || error instanceof HTTPError) return error.status >= 500;
  return true;
}

/**
 * What the server's AutoMod blocked of what the bot sent, if it did: a message (200000: its content), or a title
 * (200001: a thread's name). Discord refuses it the same way at every try until a moderator changes the rule.
 */
export function autoModBlocked(error: unknown): 'message' | 'title' | undefined {
  if (!(error instanceof DiscordAPIError)) return undefined;
  if (error.code === RESTJSONErrorCodes.MessageWasBlockedByAutomaticModeration) return 'message';
  return error.code === RESTJSONErrorCodes.TitleWasBlockedByAutomaticModeration ? 'title' : undefined;
}

/** What moderators can do about an AutoMod block: the rule is theirs (Discord exempts roles, channels and Manage Server). */
const AUTOMOD_ADVICE = 'exempt my role from that AutoMod rule';

/** Why a post failed, in words for moderators, and whether it is theirs to fix (else: Discord is down). */
export function describePostFailure(error: unknown): { reason: string; moderatorsCanFix: boolean } {
  if (error instanceof PostFailure) return { reason: error.message, moderatorsCanFix: true };
  // Refused at every try alike (as a missing permission is): the moderators' to fix, with the lesson to pin instead.
  if (autoModBlocked(error)) {
    return { reason: `this server’s AutoMod blocked it (${AUTOMOD_ADVICE}, or pin another lesson to today with \`/schedule plan\`)`, moderatorsCanFix: true };
  }
  if (error instanceof DiscordAPIError) {
    if (error.code === RESTJSONErrorCodes.UnknownChannel) return { reason: 'the channel no longer exists', moderatorsCanFix: true };
    if (error.code === RESTJSONErrorCodes.CannotSendMessagesInNonTextChannel) {
      return { reason: 'the channel is not a text channel I can post lessons in', moderatorsCanFix: true };
    }
    if (error.code === RESTJSONErrorCodes.MissingAccess) return { reason: CHANNEL_HIDDEN, moderatorsCanFix: true };
    // A post's 50013 lacks Send Messages: without View Channel it is 50001, and without Embed Links the embeds are dropped.
    if (error.code === RESTJSONErrorCodes.MissingPermissions) {
      return { reason: 'I am missing a permission in that channel: give my role **Send Messages** there', moderatorsCanFix: true };
    }
    if (SERVER_SIDE_ERRORS.has(Number(error.code))) {
      return { reason: 'I am missing a permission in that channel (View Channel, Send Messages or Embed Links)', moderatorsCanFix: true };
    }
    return { reason: `Discord refused the post (${error.status})`, moderatorsCanFix: false };
  }
  // An answer without Discord's error body (a 5xx on every try): Discord answered, but could not take the post.
  if (error instanceof HTTPError) return { reason: `Discord could not take the post (${error.status})`, moderatorsCanFix: false };
  return { reason: 'Discord could not be reached', moderatorsCanFix: false };
}

/**
 * Discord refused to open a thread on a message because one is open on it already (160004): a retry of a request
 * whose answer was lost (discord.js tries again after 15 s), or a claim taken over after a crash. That thread's id
 * is the message's (Discord: a thread started from a message has the message's id).
 */
export function threadAlreadyOpened(error: unknown): boolean {
  return error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.ThreadAlreadyCreatedForMessage;
}

/**
 * Why a discussion thread could not be opened on a posted lesson, as the alert's last sentence, with the alert's key
 * (each cause is told once until a thread opens again). Until 2026-12-08 every cause was told as the permission:
 * moderators looked for a missing **Create Public Threads** where the server's AutoMod had blocked the lesson's title
 * (Discord's 200001), the server had as many active threads as Discord allows (160006), or Discord had failed (5xx).
 */
export function describeThreadFailure(error: unknown): { key: string; advice: string } {
  if (error instanceof DiscordAPIError) {
    const code = Number(error.code);
    if (code === RESTJSONErrorCodes.MissingPermissions || code === RESTJSONErrorCodes.MissingAccess) {
      return { key: 'thread', advice: 'Check that I may **Create Public Threads** there.' };
    }
    if (autoModBlocked(error)) {
      return { key: 'thread-automod', advice: `This server’s AutoMod blocked its name (the lesson’s title): ${AUTOMOD_ADVICE}, or turn threads off with \`/schedule set\`.` };
    }
    if (code === RESTJSONErrorCodes.MaximumActiveThreads) {
      return { key: 'thread-limit', advice: 'This server has as many active threads as Discord allows: archive some to make room.' };
    }
    if (error.status < 500) return { key: `thread-refused-${code}`, advice: `Discord refused it (${error.status}, code ${code}).` };
  }
  return { key: 'thread-unanswered', advice: 'Discord did not manage to open it just then (nothing to fix on your side); the next post opens its own.' };
}

/** Channel types a lesson card or an alert is posted in: what the commands' channel options offer. */
export const POSTABLE_CHANNEL_TYPES = [ChannelType.GuildText, ChannelType.GuildAnnouncement] as const;

/**
 * Refuses, for now, a command about a server whose data has not come yet (its GUILD_CREATE, after a start or a new
 * session: interactions are answered from the first READY on): discord.js can build none of its channels, so they
 * can be neither checked nor posted in, and would be told as another server's or as deleted.
 */
export function requireServerHeld(client: Client, guildId: string): void {
  if (!client.guilds.cache.has(guildId)) {
    throw new UserError('I am still connecting to this server (Discord has not sent me its channels yet). Please try again in a minute.');
  }
}

/**
 * A channel option as a postable text channel, with its permission overwrites: the option carries only a partial
 * channel, so the channel comes from the cache, or is fetched once (it is about to be posted in: kept from then on).
 * Where Discord says the bot cannot see it, that is the permission it lacks; where the fetch fails otherwise, the
 * option's own data decides this answer (the server's roles, no overwrites) but is not kept: the posts go out without
 * reading the channel (channelNotRead), Discord has the last word, and the next command naming it reads it again.
 * Until 2026-12-07 the option's channel was kept and never read again: where Send Messages came from the channel's
 * overwrite, every later `/schedule set` and every post said it was missing.
 */
export async function textChannelOption(client: Client, option: GuildBasedChannel, guildId: string): Promise<GuildTextBasedChannel> {
  // discord.js gives the option as Discord's raw data, without its server: until 2026-12-07 the moderator was told the
  // server's own channel was another's.
  requireServerHeld(client, guildId);
  // Discord resolves a channel option within the server; a channel of another server the bot is in is never taken.
  if (option.guildId !== guildId) throw new UserError(`<#${option.id}> is not a channel of this server.`);
  if (!(POSTABLE_CHANNEL_TYPES as readonly ChannelType[]).includes(option.type)) throw new UserError(`<#${option.id}> is not a text channel I can post lessons in.`);
  const fetched = await fetchPostingChannel(client, option.id).catch((error: unknown) => {
    if (error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.MissingAccess) {
      throw new UserError(`I can’t post in <#${option.id}>: I’m missing **View Channel** there.`);
    }
    return null;
  });
  const channel = fetched ?? option;
  if ('guildId' in channel && channel.guildId !== guildId) throw new UserError(`<#${option.id}> is not a channel of this server.`);
  if (!('guild' in channel) || !channel.isTextBased() || channel.isVoiceBased()) {
    throw new UserError(`<#${option.id}> is not a text channel I can post lessons in.`);
  }
  return channel;
}

/** Refuses a channel the bot cannot post in, naming what it lacks there (and, when asked, what to do). */
export function requirePostPermissions(channel: GuildTextBasedChannel, client: Client, options: { thread: boolean; advise: boolean; embeds?: boolean }): void {
  const missing = missingPostPermissions(channel, client, { thread: options.thread, ...(options.embeds === undefined ? {} : { embeds: options.embeds }) });
  if (missing.length === 0) return;
  const lacking = missing.map((p) => `**${p}**`).join(', ');
  const advice = options.advise ? ` Give me ${missing.length === 1 ? 'it' : 'them'}, or pick another channel.` : '';
  throw new UserError(`I can’t post in <#${channel.id}>: I’m missing ${lacking} there.${advice}`);
}
