import { Options, type CacheFactory, type ClientOptions, type SweeperOptions } from 'discord.js';

/**
 * What discord.js keeps in memory. The bot needs guilds (which servers this process serves), their channels
 * and roles, and its own member (permission checks before posting); everything a command needs comes in the
 * interaction. Messages, other members, users, presences, voice states, threads, emojis, stickers, events,
 * invites, bans and the rest are not kept, so memory stays flat with thousands of servers and members.
 */
export const leanCache: CacheFactory = Options.cacheWithLimits({
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
});

/**
 * Sweepers for what the limits above cannot stop: thread channels land in the client-wide channel cache
 * (GUILD_CREATE lists active threads), and users are swept in case a manager created outside the limits keeps one.
 */
export const leanSweepers: SweeperOptions = {
  threads: { interval: 3600, lifetime: 3600 },
  users: { interval: 3600, filter: () => (user) => user.id !== user.client.user.id },
};

export const leanCacheOptions = { makeCache: leanCache, sweepers: leanSweepers } satisfies Partial<ClientOptions>;
