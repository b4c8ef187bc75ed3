import type { APIApplicationCommand, APIAttachment, APIGuildMember, APIMessage, APIRole, APIUser } from 'discord.js';
import { PermissionFlagsBits } from 'discord.js';
import {
  isThread,
  makeChannel,
  makeMember,
  makeOverwrite,
  makeRole,
  makeUser,
  type ChannelInit,
  type ChannelObject,
  type JsonObject,
  type OverwriteInit,
  type RoleInit,
} from './objects.js';
import {
  basePermissions,
  channelPermissions,
  permissionBits,
  PLAIN_MEMBER_PERMISSIONS,
  type PermissionGuild,
  type PermissionInput,
  type PermissionSubject,
} from './permissions.js';
import { autoModMatch, type AutoModRuleInit } from './automod.js';
import { EventHub } from './events.js';
import { isoTimestamp, snowflake } from './snowflake.js';

export interface GuildInit {
  id?: string;
  name?: string;
  /** Defaults to a user who is neither the bot nor the default learner. */
  ownerId?: string;
  /** Defaults to one text channel named `general`. */
  channels?: ChannelInit[];
  roles?: RoleInit[];
  /** Permissions of the @everyone role (id = guild id). Defaults to a plain member's. */
  everyonePermissions?: PermissionInput;
  /** When given, the bot gets a managed role with these permissions (as when invited with permissions). */
  botPermissions?: PermissionInput;
  /** Further role ids the bot member holds. */
  botRoleIds?: string[];
  preferredLocale?: string;
}

export class GuildRecord implements PermissionGuild {
  readonly roles = new Map<string, APIRole>();
  readonly channels = new Map<string, ChannelObject>();
  readonly threads = new Map<string, ChannelObject>();
  readonly members = new Map<string, APIGuildMember>();
  /** AutoMod keyword rules that block (`DiscordStandIn.addAutoModRule`). */
  readonly autoModRules: AutoModRuleInit[] = [];
  readonly joinedAt = isoTimestamp();

  constructor(
    readonly id: string,
    readonly name: string,
    readonly ownerId: string,
    readonly preferredLocale: string,
  ) {}

  subject(userId: string): PermissionSubject {
    return { userId, roleIds: this.members.get(userId)?.roles ?? [] };
  }

  /** The guild object of `GET /guilds/{id}`. */
  restObject(): JsonObject {
    return {
      id: this.id,
      name: this.name,
      icon: null,
      icon_hash: null,
      splash: null,
      discovery_splash: null,
      owner_id: this.ownerId,
      afk_channel_id: null,
      afk_timeout: 300,
      widget_enabled: false,
      widget_channel_id: null,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      roles: [...this.roles.values()],
      emojis: [],
      features: [],
      mfa_level: 0,
      application_id: null,
      system_channel_id: null,
      system_channel_flags: 0,
      rules_channel_id: null,
      max_presences: null,
      max_members: 500000,
      vanity_url_code: null,
      description: null,
      banner: null,
      premium_tier: 0,
      premium_subscription_count: 0,
      preferred_locale: this.preferredLocale,
      public_updates_channel_id: null,
      max_video_channel_users: 25,
      max_stage_video_channel_users: 50,
      nsfw_level: 0,
      stickers: [],
      premium_progress_bar_enabled: false,
      safety_alerts_channel_id: null,
      incidents_data: null,
    };
  }

  /** The full guild of a gateway GUILD_CREATE. */
  gatewayObject(): JsonObject {
    return {
      ...this.restObject(),
      joined_at: this.joinedAt,
      large: false,
      unavailable: false,
      member_count: this.members.size,
      voice_states: [],
      members: [...this.members.values()],
      channels: [...this.channels.values()],
      threads: [...this.threads.values()],
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }
}

export interface StoredAttachment {
  data: Buffer;
  contentType: string;
}

/** Everything the stand-in knows: guilds, channels, messages, commands, attachments. */
export class StandInState {
  baseUrl = '';
  readonly guilds = new Map<string, GuildRecord>();
  readonly users = new Map<string, APIUser>();
  readonly attachments = new Map<string, StoredAttachment>();
  readonly deniedChannels = new Set<string>();
  readonly nonces = new Map<string, { messageId: string; at: number }>();
  readonly globalCommands: APIApplicationCommand[] = [];
  readonly guildCommands = new Map<string, APIApplicationCommand[]>();
  /** Observers of every change (the playground's page). */
  readonly events = new EventHub();
  private readonly channelGuild = new Map<string, string>();
  private readonly messages = new Map<string, APIMessage[]>();
  /** The same messages by id: a button press finds its message without walking the channel's history. */
  private readonly messageById = new Map<string, APIMessage>();

  constructor(
    readonly applicationId: string,
    readonly botUser: APIUser,
  ) {
    this.users.set(botUser.id, botUser);
  }

  application(): JsonObject {
    return {
      id: this.applicationId,
      name: this.botUser.username,
      icon: null,
      description: '',
      summary: '',
      type: null,
      bot_public: true,
      bot_require_code_grant: false,
      verify_key: '0'.repeat(64),
      flags: 0,
      owner: makeUser({ id: '100000000000000001', username: 'app-owner' }),
      team: null,
      bot: this.botUser,
      approximate_guild_count: this.guilds.size,
      install_params: { scopes: ['bot', 'applications.commands'], permissions: '0' },
      integration_types_config: { 0: {} },
      redirect_uris: [],
      interactions_endpoint_url: null,
      tags: [],
    };
  }

  addGuild(init: GuildInit = {}): GuildRecord {
    const id = init.id ?? snowflake();
    if (this.guilds.has(id)) throw new Error(`guild ${id} already exists`);
    const guild = new GuildRecord(id, init.name ?? 'Test Guild', init.ownerId ?? '100000000000000002', init.preferredLocale ?? 'en-US');
    const everyone = makeRole(
      { id, name: '@everyone', permissions: permissionBits(init.everyonePermissions, PLAIN_MEMBER_PERMISSIONS) },
      0,
    );
    guild.roles.set(id, everyone);
    (init.roles ?? []).forEach((r, index) => {
      const created = makeRole(r, index + 1);
      guild.roles.set(created.id, created);
    });
    const botRoles = [...(init.botRoleIds ?? [])];
    if (init.botPermissions !== undefined) {
      const botRole = makeRole(
        { name: this.botUser.username, permissions: init.botPermissions, botId: this.botUser.id },
        guild.roles.size,
      );
      guild.roles.set(botRole.id, botRole);
      botRoles.push(botRole.id);
    }
    guild.members.set(this.botUser.id, makeMember(this.botUser, botRoles));
    this.guilds.set(id, guild);
    for (const channel of init.channels ?? [{ name: 'general' }]) this.addChannel(id, channel);
    return guild;
  }

  addChannel(guildId: string, init: ChannelInit): ChannelObject {
    const guild = this.requireGuild(guildId);
    const channel = makeChannel(init, guildId, this.botUser.id, guild.channels.size);
    if (this.channelGuild.has(channel.id)) throw new Error(`channel ${channel.id} already exists`);
    guild.channels.set(channel.id, channel);
    this.channelGuild.set(channel.id, guildId);
    this.events.emit({ type: 'channels', guildId });
    return channel;
  }

  addThread(thread: ChannelObject): void {
    this.requireGuild(thread.guild_id).threads.set(thread.id, thread);
    this.channelGuild.set(thread.id, thread.guild_id);
    this.events.emit({ type: 'channels', guildId: thread.guild_id });
  }

  removeChannel(guildId: string, channelId: string): ChannelObject {
    const guild = this.requireGuild(guildId);
    const channel = guild.channels.get(channelId) ?? guild.threads.get(channelId);
    if (!channel) throw new Error(`channel ${channelId} is not in guild ${guildId}`);
    guild.channels.delete(channelId);
    guild.threads.delete(channelId);
    this.channelGuild.delete(channelId);
    for (const message of this.messages.get(channelId) ?? []) this.messageById.delete(message.id);
    this.messages.delete(channelId);
    this.events.emit({ type: 'channels', guildId });
    return channel;
  }

  /** A new role in a server (after the server was sent). */
  addRole(guildId: string, init: RoleInit): APIRole {
    const guild = this.requireGuild(guildId);
    const created = makeRole(init, guild.roles.size);
    guild.roles.set(created.id, created);
    return created;
  }

  /** Deletes a role: no member holds it any more. */
  deleteRole(guildId: string, roleId: string): void {
    const guild = this.requireGuild(guildId);
    if (roleId === guildId || !guild.roles.delete(roleId)) throw new Error(`no role ${roleId} to delete in guild ${guildId}`);
    for (const member of guild.members.values()) member.roles = member.roles.filter((id) => id !== roleId);
  }

  /** Replaces the roles the bot holds in a server; its member as Discord sends it. */
  setBotRoles(guildId: string, roleIds: readonly string[]): APIGuildMember {
    const guild = this.requireGuild(guildId);
    const member = guild.members.get(this.botUser.id);
    if (!member) throw new Error(`the bot is not in guild ${guildId}`);
    member.roles = [...roleIds];
    return member;
  }

  /** Replaces a channel's permission overwrites (moderators editing the channel's permissions). */
  setChannelOverwrites(channelId: string, overwrites: OverwriteInit[]): ChannelObject {
    const found = this.findChannel(channelId);
    if (!found) throw new Error(`unknown channel ${channelId}`);
    found.channel.permission_overwrites = overwrites.map((o) => makeOverwrite(o, found.guild.id, this.botUser.id));
    this.events.emit({ type: 'channels', guildId: found.guild.id });
    return found.channel;
  }

  requireGuild(guildId: string): GuildRecord {
    const guild = this.guilds.get(guildId);
    if (!guild) throw new Error(`unknown guild ${guildId}`);
    return guild;
  }

  findChannel(channelId: string): { guild: GuildRecord; channel: ChannelObject } | undefined {
    const guild = this.guilds.get(this.channelGuild.get(channelId) ?? '');
    const channel = guild?.channels.get(channelId) ?? guild?.threads.get(channelId);
    return guild && channel ? { guild, channel } : undefined;
  }

  /** Permissions of a user in a channel (threads take their parent's overwrites). */
  permissionsIn(channelId: string, userId: string): bigint {
    const found = this.findChannel(channelId);
    if (!found) return 0n;
    const { guild, channel } = found;
    const source = isThread(channel) ? guild.channels.get(channel.parent_id ?? '') : channel;
    let bits = channelPermissions(guild, source?.permission_overwrites ?? [], guild.subject(userId));
    if (userId === this.botUser.id && this.deniedChannels.has(channelId)) {
      bits &= ~(PermissionFlagsBits.SendMessages | PermissionFlagsBits.SendMessagesInThreads);
    }
    return bits;
  }

  /** Whether the server's AutoMod blocks `text` from the user in that channel (a thread: its parent's rules apply). */
  autoModBlocks(guild: GuildRecord, channelId: string, userId: string, text: string): boolean {
    if (guild.autoModRules.length === 0) return false;
    const { roleIds } = guild.subject(userId);
    return autoModMatch(guild.autoModRules, { channelId, roleIds, guildPermissions: basePermissions(guild, guild.subject(userId)) }, text) !== undefined;
  }

  guildPermissions(guildId: string, userId: string): bigint {
    const guild = this.requireGuild(guildId);
    return basePermissions(guild, guild.subject(userId));
  }

  channelMessages(channelId: string): APIMessage[] {
    return this.messages.get(channelId) ?? [];
  }

  findMessage(channelId: string, messageId: string): APIMessage | undefined {
    const message = this.messageById.get(messageId);
    return message?.channel_id === channelId ? message : undefined;
  }

  insertMessage(message: APIMessage): void {
    const list = this.messages.get(message.channel_id) ?? [];
    list.push(message);
    this.messages.set(message.channel_id, list);
    if (!this.messageById.has(message.id)) this.messageById.set(message.id, message);
    const found = this.findChannel(message.channel_id);
    if (found) found.channel.last_message_id = message.id;
  }

  /** Every channel's messages forgotten (the channels stay, with their last message id). */
  forgetMessages(): void {
    this.messages.clear();
    this.messageById.clear();
  }

  deleteMessage(channelId: string, messageId: string): boolean {
    const list = this.messages.get(channelId) ?? [];
    const index = list.findIndex((m) => m.id === messageId);
    if (index < 0) return false;
    const [deleted] = list.splice(index, 1);
    if (this.messageById.get(messageId) === deleted) {
      this.messageById.delete(messageId);
      const same = list.find((m) => m.id === messageId);
      if (same) this.messageById.set(messageId, same);
    }
    return true;
  }

  storeAttachment(args: { id?: string; filename: string; data: Buffer; contentType: string; description?: string }): APIAttachment {
    const id = args.id ?? snowflake();
    this.attachments.set(`${id}/${args.filename}`, { data: args.data, contentType: args.contentType });
    const url = `${this.baseUrl}/attachments/${id}/${encodeURIComponent(args.filename)}`;
    return {
      id,
      filename: args.filename,
      size: args.data.length,
      url,
      proxy_url: url,
      content_type: args.contentType,
      ...(args.description ? { description: args.description } : {}),
    };
  }
}
