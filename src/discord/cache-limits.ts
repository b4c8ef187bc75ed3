import {
  Collection,
  LimitedCollection,
  Options,
  type CacheFactory,
  type CacheWithLimitsOptions,
  type ClientOptions,
  type SweeperOptions,
} from 'discord.js';
import { isKeptRole } from './kept-roles.js';
import { isPostingChannel } from './posting-channels.js';

/**
 * What discord.js keeps in memory. The bot needs guilds (which servers this process serves), the roles its checks
 * read, the channels it posts in, and its own member (permission checks before posting); everything a command needs comes
 * in the interaction. Messages, other members, users, presences, voice states, threads, emojis, stickers, soundboard
 * sounds, events, invites, bans and the rest are not kept, so memory stays flat with thousands of servers and members.
 */
const LIMITS = {
  ApplicationCommandManager: 0,
  ApplicationEmojiManager: 0,
  AutoModerationRuleManager: 0,
  BaseGuildEmojiManager: 0,
  DMMessageManager: 0,
  EntitlementManager: 0,
  GuildBanManager: 0,
  GuildEmojiManager: 0,
  GuildForumThreadManager: 0,
  GuildInviteManager: 0,
  GuildMemberManager: { maxSize: 0, keepOverLimit: (member) => member.id === member.client.user.id },
  GuildMessageManager: 0,
  GuildScheduledEventManager: 0,
  GuildStickerManager: 0,
  GuildTextThreadManager: 0,
  MessageManager: 0,
  PresenceManager: 0,
  ReactionManager: 0,
  ReactionUserManager: 0,
  StageInstanceManager: 0,
  ThreadManager: 0,
  ThreadMemberManager: 0,
  UserManager: { maxSize: 0, keepOverLimit: (user) => user.id === user.client.user.id },
  VoiceStateManager: 0,
} satisfies CacheWithLimitsOptions;

const limitedCache = Options.cacheWithLimits(LIMITS);

/**
 * Managers that discord.js's typed settings do not list yet but that do cache: each server's soundboard sounds
 * (GUILD_CREATE sends them), voters of poll answers, the application's subscriptions. Kept empty as well.
 */
const UNLISTED_LIMITS: Readonly<Record<string, number>> = {
  GuildSoundboardSoundManager: 0,
  PollAnswerVoterManager: 0,
  SubscriptionManager: 0,
};

const limitOf: Readonly<Record<string, unknown>> = { ...LIMITS, ...UNLISTED_LIMITS };

/**
 * One collection for every manager limited to 0: it holds nothing (a LimitedCollection of size 0 drops every
 * `set`), so one instance serves them all. discord.js would make one per manager, and every channel has two
 * (its messages and threads) and every server a dozen: ~400 bytes a channel and ~2.6 KB a server of empty maps
 * (1,000 servers of 40 channels: 54 → 37 MB of heap; BENCHMARKS.md, "Servers with many channels").
 */
const NEVER_STORES = new LimitedCollection({ maxSize: 0 });

/**
 * Channels: only those the process posts in (posting-channels.ts); roles: @everyone, the bot's own and the
 * moderator role (kept-roles.ts). discord.js documents overriding these caches as unsupported: what it breaks is
 * its lookups by id (`Interaction#channel`, a message's `channel`, a member's `roles.cache`), which the bot uses
 * only for what it keeps.
 */
const CHANNEL_MANAGERS = new Set(['ChannelManager', 'GuildChannelManager']);

/**
 * The notice discord.js prints once per process for a channel or role cache that is not its own (it cannot tell a
 * limit made on purpose from a mistake): expected for the managers above, whose lookups the bot does not rely on.
 */
export function isExpectedCacheWarning(warning: Error): boolean {
  const manager = /^Overriding the cache handling for (\w+) /u.exec(warning.message)?.[1];
  return warning.name === 'UnsupportedCacheOverwriteWarning' && manager !== undefined && (CHANNEL_MANAGERS.has(manager) || manager === 'RoleManager');
}

/**
 * A cache that stores only what `keeps` accepts and drops the rest as it arrives. (discord.js's LimitedCollection
 * of size 0 with a keep rule does the same but walks every kept entry on each new one; this costs one call.)
 */
class KeepingCollection<V> extends Collection<string, V> {
  constructor(private readonly keeps: (value: V) => boolean) {
    super();
  }

  override set(key: string, value: V): this {
    return this.keeps(value) ? super.set(key, value) : this;
  }

  static override get [Symbol.species](): typeof Collection {
    return Collection;
  }
}

/** discord.js's own lookup (the manager's name, then the type it holds), with the shared empty collection for a 0. */
export const leanCache: CacheFactory = ((managerType, holds, manager) => {
  const name: string = manager.name;
  if (CHANNEL_MANAGERS.has(name)) return new KeepingCollection(isPostingChannel);
  if (name === 'RoleManager') return new KeepingCollection(isKeptRole);
  const limit = limitOf[manager.name] ?? limitOf[managerType.name];
  return limit === 0 ? NEVER_STORES : limitedCache(managerType, holds, manager);
}) as CacheFactory;

/**
 * Sweepers for what the limits above cannot stop: thread channels land in the client-wide channel cache
 * (GUILD_CREATE lists active threads), and users are swept in case a manager created outside the limits keeps one.
 */
export const leanSweepers: SweeperOptions = {
  threads: { interval: 3600, lifetime: 3600 },
  users: { interval: 3600, filter: () => (user) => user.id !== user.client.user.id },
};

export const leanCacheOptions = { makeCache: leanCache, sweepers: leanSweepers } satisfies Partial<ClientOptions>;
