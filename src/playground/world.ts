import { ChannelType, type APIUser } from 'discord.js';
import type { DiscordStandIn, MemberInit, StandInGuild } from '../local-discord/index.js';

/** Someone the page can act as: the moderator or one of the two members. */
export interface PlaygroundPerson {
  readonly key: 'moderator' | 'ana' | 'ben';
  readonly label: string;
  readonly user: { id: string; username: string; globalName: string };
  readonly member: MemberInit;
}

// Fixed IDs: the database keeps schedules, reads and posts across restarts, so the server must stay the same.
export const PLAYGROUND_IDS = {
  guild: '900000000000000001',
  moderatorRole: '900000000000000010',
  lessons: '900000000000000101',
  general: '900000000000000102',
} as const;

export const PEOPLE: readonly PlaygroundPerson[] = [
  {
    key: 'moderator',
    label: 'Mina (moderator)',
    user: { id: '900000000000001001', username: 'mina', globalName: 'Mina' },
    member: { roles: [PLAYGROUND_IDS.moderatorRole] },
  },
  { key: 'ana', label: 'Ana (member)', user: { id: '900000000000001002', username: 'ana', globalName: 'Ana' }, member: { roles: [] } },
  { key: 'ben', label: 'Ben (member)', user: { id: '900000000000001003', username: 'ben', globalName: 'Ben' }, member: { roles: [] } },
];

export function person(key: string): PlaygroundPerson | undefined {
  return PEOPLE.find((p) => p.key === key);
}

/**
 * The playground's server: #lessons and #general, a Moderators role with Manage Server, and the bot invited
 * with the permissions the README asks for (so everything works as on a well-set-up server).
 */
export function createPlaygroundServer(discord: DiscordStandIn): StandInGuild {
  return discord.addGuild({
    id: PLAYGROUND_IDS.guild,
    name: 'Newsdesk Playground',
    ownerId: '900000000000001099',
    roles: [{ id: PLAYGROUND_IDS.moderatorRole, name: 'Moderators', permissions: ['ManageGuild', 'MentionEveryone'], color: 0x3ba55d, hoist: true }],
    botPermissions: [
      'ViewChannel',
      'SendMessages',
      'SendMessagesInThreads',
      'EmbedLinks',
      'AttachFiles',
      'ReadMessageHistory',
      'CreatePublicThreads',
    ],
    channels: [
      { id: PLAYGROUND_IDS.lessons, name: 'lessons', type: ChannelType.GuildText, topic: 'The daily lesson card arrives here' },
      { id: PLAYGROUND_IDS.general, name: 'general', type: ChannelType.GuildText, topic: 'Try the commands here' },
    ],
  });
}

export type PlaygroundUser = Pick<APIUser, 'id' | 'username' | 'global_name'>;
