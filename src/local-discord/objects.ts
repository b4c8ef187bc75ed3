import {
  ChannelType,
  OverwriteType,
  type APIAttachment,
  type APIEmbed,
  type APIGuildMember,
  type APIMessage,
  type APIOverwrite,
  type APIRole,
  type APIUser,
  type GuildMemberFlags,
  type MessageType,
  type RoleFlags,
  type UserFlags,
} from 'discord.js';
import { permissionBits, type PermissionInput } from './permissions.js';
import { isoTimestamp, snowflake } from './snowflake.js';

export type JsonObject = { [key: string]: unknown };

/** A guild channel or thread as Discord sends it (the fields discord.js reads). */
export interface ChannelObject {
  id: string;
  type: ChannelType;
  guild_id: string;
  name: string;
  position: number;
  permission_overwrites: APIOverwrite[];
  parent_id: string | null;
  nsfw: boolean;
  topic: string | null;
  last_message_id: string | null;
  rate_limit_per_user: number;
  flags: number;
  owner_id?: string;
  message_count?: number;
  member_count?: number;
  total_message_sent?: number;
  thread_metadata?: {
    archived: boolean;
    auto_archive_duration: number;
    archive_timestamp: string;
    locked: boolean;
    create_timestamp: string;
  };
}

// ---- users -----------------------------------------------------------------------------------

export interface UserInit {
  id?: string;
  username?: string;
  globalName?: string | null;
  bot?: boolean;
}

export function makeUser(init: UserInit = {}): APIUser {
  return {
    id: init.id ?? snowflake(),
    username: init.username ?? 'learner',
    discriminator: '0',
    global_name: init.globalName === undefined ? (init.username ?? 'Learner') : init.globalName,
    avatar: null,
    ...(init.bot ? { bot: true } : {}),
    system: false,
    banner: null,
    accent_color: null,
    flags: 0 as UserFlags,
    public_flags: 0 as UserFlags,
  };
}

// ---- roles -----------------------------------------------------------------------------------

export interface RoleInit {
  id?: string;
  name?: string;
  permissions?: PermissionInput;
  position?: number;
  color?: number;
  hoist?: boolean;
  mentionable?: boolean;
  /** Makes this the managed role of a bot (as Discord creates when a bot joins with permissions). */
  botId?: string;
}

/** A role description for `addGuild({ roles })`; permissions may be flag names: `role({ permissions: ['ManageGuild'] })`. */
export function role(init: RoleInit): RoleInit {
  return init;
}

export function makeRole(init: RoleInit, fallbackPosition: number): APIRole {
  return {
    id: init.id ?? snowflake(),
    name: init.name ?? 'role',
    color: init.color ?? 0,
    colors: { primary_color: init.color ?? 0, secondary_color: null, tertiary_color: null },
    hoist: init.hoist ?? false,
    icon: null,
    unicode_emoji: null,
    position: init.position ?? fallbackPosition,
    permissions: permissionBits(init.permissions).toString(),
    managed: init.botId !== undefined,
    mentionable: init.mentionable ?? false,
    ...(init.botId !== undefined ? { tags: { bot_id: init.botId } } : {}),
    flags: 0 as RoleFlags,
  };
}

// ---- channels --------------------------------------------------------------------------------

/**
 * A permission overwrite. `id` may be `'@everyone'` (the guild's @everyone role) or `'@bot'` (the bot
 * user, a member overwrite); any other id is a role unless `type: 'member'`.
 */
export interface OverwriteInit {
  id: string;
  type?: 'role' | 'member';
  allow?: PermissionInput;
  deny?: PermissionInput;
}

export function deny(id: string, permissions: PermissionInput, type?: 'role' | 'member'): OverwriteInit {
  return { id, deny: permissions, ...(type ? { type } : {}) };
}

export function allow(id: string, permissions: PermissionInput, type?: 'role' | 'member'): OverwriteInit {
  return { id, allow: permissions, ...(type ? { type } : {}) };
}

export interface ChannelInit {
  id?: string;
  name?: string;
  type?: ChannelType;
  topic?: string | null;
  parentId?: string | null;
  position?: number;
  nsfw?: boolean;
  permissionOverwrites?: OverwriteInit[];
}

/** A text channel description for `addGuild({ channels })` or `addChannel()`. */
export function textChannel(init: ChannelInit = {}): ChannelInit {
  return { type: ChannelType.GuildText, ...init };
}

export function makeOverwrite(init: OverwriteInit, guildId: string, botId: string): APIOverwrite {
  const id = init.id === '@everyone' ? guildId : init.id === '@bot' ? botId : init.id;
  const isMember = init.type === 'member' || init.id === '@bot';
  return {
    id,
    type: isMember ? OverwriteType.Member : OverwriteType.Role,
    allow: permissionBits(init.allow).toString(),
    deny: permissionBits(init.deny).toString(),
  };
}

export function makeChannel(init: ChannelInit, guildId: string, botId: string, fallbackPosition: number): ChannelObject {
  return {
    id: init.id ?? snowflake(),
    type: init.type ?? ChannelType.GuildText,
    guild_id: guildId,
    name: init.name ?? 'general',
    position: init.position ?? fallbackPosition,
    permission_overwrites: (init.permissionOverwrites ?? []).map((o) => makeOverwrite(o, guildId, botId)),
    parent_id: init.parentId ?? null,
    nsfw: init.nsfw ?? false,
    topic: init.topic ?? null,
    last_message_id: null,
    rate_limit_per_user: 0,
    flags: 0,
  };
}

export function makeThread(args: {
  id: string;
  parent: ChannelObject;
  name: string;
  ownerId: string;
  autoArchiveDuration?: number;
  rateLimitPerUser?: number;
}): ChannelObject {
  const now = isoTimestamp();
  return {
    id: args.id,
    type: args.parent.type === ChannelType.GuildAnnouncement ? ChannelType.AnnouncementThread : ChannelType.PublicThread,
    guild_id: args.parent.guild_id,
    name: args.name,
    position: 0,
    permission_overwrites: [],
    parent_id: args.parent.id,
    nsfw: args.parent.nsfw,
    topic: null,
    last_message_id: null,
    rate_limit_per_user: args.rateLimitPerUser ?? 0,
    flags: 0,
    owner_id: args.ownerId,
    message_count: 0,
    member_count: 1,
    total_message_sent: 0,
    thread_metadata: {
      archived: false,
      auto_archive_duration: args.autoArchiveDuration ?? 4320,
      archive_timestamp: now,
      locked: false,
      create_timestamp: now,
    },
  };
}

export function isThread(channel: ChannelObject): boolean {
  return (
    channel.type === ChannelType.PublicThread ||
    channel.type === ChannelType.PrivateThread ||
    channel.type === ChannelType.AnnouncementThread
  );
}

// ---- members ---------------------------------------------------------------------------------

export function makeMember(user: APIUser, roles: readonly string[] = [], nick: string | null = null): APIGuildMember {
  return {
    user,
    nick,
    avatar: null,
    banner: null,
    roles: [...roles],
    joined_at: isoTimestamp(),
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0 as GuildMemberFlags,
    pending: false,
    communication_disabled_until: null,
  };
}

// ---- messages --------------------------------------------------------------------------------

/** A file uploaded in a multipart body (`files[n]`). */
export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

/** Flags a sender may set on a new message; Discord ignores the others. */
const SETTABLE_FLAGS = 4 | 64 | 4096 | 32768; // SuppressEmbeds | Ephemeral | SuppressNotifications | IsComponentsV2

export interface MessageInit {
  id?: string;
  channelId: string;
  guildId?: string;
  author: APIUser;
  body: JsonObject;
  attachments?: APIAttachment[];
  type: MessageType;
  webhookId?: string;
  applicationId?: string;
  interactionMetadata?: APIMessage['interaction_metadata'];
  extraFlags?: number;
}

export function makeMessage(init: MessageInit): APIMessage & { guild_id?: string } {
  const body = init.body;
  const flags = ((typeof body.flags === 'number' ? body.flags : 0) & SETTABLE_FLAGS) | (init.extraFlags ?? 0);
  return {
    id: init.id ?? snowflake(),
    channel_id: init.channelId,
    ...(init.guildId ? { guild_id: init.guildId } : {}),
    author: init.author,
    content: typeof body.content === 'string' ? body.content : '',
    timestamp: isoTimestamp(),
    edited_timestamp: null,
    tts: body.tts === true,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: init.attachments ?? [],
    embeds: normalizeEmbeds(body.embeds),
    components: Array.isArray(body.components) ? (body.components as APIMessage['components']) : [],
    pinned: false,
    type: init.type,
    flags,
    ...(body.nonce !== undefined ? { nonce: body.nonce as string | number } : {}),
    ...(isObject(body.message_reference)
      ? { message_reference: { channel_id: init.channelId, ...body.message_reference } }
      : {}),
    ...(init.webhookId ? { webhook_id: init.webhookId } : {}),
    ...(init.applicationId ? { application_id: init.applicationId } : {}),
    ...(init.interactionMetadata ? { interaction_metadata: init.interactionMetadata } : {}),
  };
}

/** Applies an edit body in place; returns the same message. Only fields present in the body change. */
export function applyMessageEdit(message: APIMessage, body: JsonObject, uploaded: APIAttachment[]): APIMessage {
  if ('content' in body) message.content = typeof body.content === 'string' ? body.content : '';
  if ('embeds' in body) message.embeds = normalizeEmbeds(body.embeds);
  if ('components' in body) message.components = Array.isArray(body.components) ? (body.components as APIMessage['components']) : [];
  if (typeof body.flags === 'number') {
    // Only SuppressEmbeds (and turning on IsComponentsV2) can change on edit.
    const keep = (message.flags ?? 0) & ~4;
    message.flags = keep | (body.flags & 4) | (body.flags & 32768);
  }
  if (Array.isArray(body.attachments)) {
    const keepIds = new Set(body.attachments.filter(isObject).map((a) => String(a.id)));
    message.attachments = [...message.attachments.filter((a) => keepIds.has(a.id)), ...uploaded];
  } else if (uploaded.length > 0) {
    message.attachments = [...message.attachments, ...uploaded];
  }
  return message;
}

function normalizeEmbeds(value: unknown): APIEmbed[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isObject).map((embed) => ({ type: 'rich', ...embed }) as APIEmbed);
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
