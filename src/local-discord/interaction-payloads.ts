import { randomBytes } from 'node:crypto';
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ChannelType,
  ComponentType,
  InteractionType,
  type APIMessage,
  type APIUser,
} from 'discord.js';
import type { InteractionRecord, InteractionStore } from './interactions.js';
import { isObject, isThread, makeMember, makeUser, type ChannelObject, type JsonObject, type UserInit } from './objects.js';
import { permissionBits, type PermissionInput } from './permissions.js';
import { snowflake } from './snowflake.js';
import { ATTACHMENT_SIZE_LIMIT } from './uploads.js';
import type { GuildRecord, StandInState } from './state.js';

/** The learner who sends interactions unless a test names someone else. */
export const DEFAULT_LEARNER: UserInit = { id: '200000000000000001', username: 'learner', globalName: 'Learner' };

export interface MemberInit {
  /** Role ids the member holds in the guild. */
  roles?: string[];
  /**
   * The member's permissions as the interaction reports them (e.g. `['ManageGuild']` or `'32'`).
   * Defaults to what the guild's roles and the channel's overwrites give the member.
   */
  permissions?: PermissionInput;
  nick?: string | null;
}

export interface InteractionBaseInit {
  /** Defaults to the first guild added. */
  guildId?: string;
  /** Defaults to the guild's first text channel. */
  channelId?: string;
  /** Defaults to the learner (`DEFAULT_LEARNER`). A user given by username alone is reused across calls. */
  user?: UserInit;
  member?: MemberInit;
  /** The user's client locale; defaults to `en-US`. */
  locale?: string;
  /** Payload fields left out, as a stand-in that follows the documentation only in part would (tests). */
  omit?: readonly string[];
}

export interface CommandOptionInit {
  name: string;
  /** Inferred from `value` when omitted: string 3, integer 4, other number 10, boolean 5. */
  type?: ApplicationCommandOptionType;
  value?: string | number | boolean;
  focused?: boolean;
}

export interface AttachmentInit {
  id?: string;
  filename: string;
  content: Buffer | string;
  contentType?: string;
  description?: string;
  /** When given, an attachment option (type 11) with this name and the attachment's id is added. */
  optionName?: string;
}

export interface CommandInteractionInit extends InteractionBaseInit {
  name: string;
  subcommandGroup?: string;
  subcommand?: string;
  options?: CommandOptionInit[];
  /** Merged over what the stand-in resolves itself (users, members, roles, channels, attachments). */
  resolved?: JsonObject;
  attachments?: AttachmentInit[];
  /** Defaults to the id of the registered command of that name (guild first, then global). */
  commandId?: string;
}

export type AutocompleteInteractionInit = Omit<CommandInteractionInit, 'attachments'>;

export interface ComponentInteractionInit extends InteractionBaseInit {
  customId: string;
  /** The message the component is on: a message object or the id of a message the stand-in holds. */
  message: APIMessage | string;
  /** Defaults to a button (2). */
  componentType?: ComponentType;
  /** For select menus. */
  values?: string[];
}

/** Builds INTERACTION_CREATE payloads with every field discord.js 14 reads. */
export class InteractionFactory {
  private readonly unregisteredCommandIds = new Map<string, string>();

  constructor(
    private readonly state: StandInState,
    private readonly store: InteractionStore,
  ) {}

  command(init: CommandInteractionInit): InteractionRecord {
    return this.commandLike(InteractionType.ApplicationCommand, init, init.attachments ?? []);
  }

  autocomplete(init: AutocompleteInteractionInit): InteractionRecord {
    if (!(init.options ?? []).some((o) => o.focused)) throw new Error('sendAutocomplete: one option needs `focused: true`');
    return this.commandLike(InteractionType.ApplicationCommandAutocomplete, init, []);
  }

  component(init: ComponentInteractionInit): InteractionRecord {
    const place = this.place(init);
    const message = this.componentMessage(init.message, place.channel.id);
    if (!findCustomId(message.components ?? [], init.customId)) {
      throw new Error(`sendButton: no component with custom_id "${init.customId}" on message ${message.id}`);
    }
    const componentType = init.componentType ?? ComponentType.Button;
    const data = {
      custom_id: init.customId,
      component_type: componentType,
      ...(init.values || componentType !== ComponentType.Button ? { values: init.values ?? [] } : {}),
    };
    const record = this.build(InteractionType.MessageComponent, init, place, data, { message });
    record.componentMessage = message;
    return record;
  }

  private commandLike(type: InteractionType, init: CommandInteractionInit, attachments: AttachmentInit[]): InteractionRecord {
    const place = this.place(init);
    const resolved: Record<string, JsonObject> = {};
    const leafOptions: JsonObject[] = (init.options ?? []).map(toOption);
    for (const attachment of attachments) {
      const data = typeof attachment.content === 'string' ? Buffer.from(attachment.content) : attachment.content;
      const stored = this.state.storeAttachment({
        ...(attachment.id ? { id: attachment.id } : {}),
        filename: attachment.filename,
        data,
        contentType: attachment.contentType ?? 'application/octet-stream',
        ...(attachment.description ? { description: attachment.description } : {}),
      });
      (resolved.attachments ??= {})[stored.id] = stored;
      if (attachment.optionName) {
        leafOptions.push({ name: attachment.optionName, type: ApplicationCommandOptionType.Attachment, value: stored.id });
      }
    }
    this.resolveReferences(leafOptions, place.guild, resolved);
    for (const [key, value] of Object.entries(init.resolved ?? {})) {
      resolved[key] = { ...resolved[key], ...(isObject(value) ? value : {}) };
    }

    let options = leafOptions;
    if (init.subcommand) options = [{ type: ApplicationCommandOptionType.Subcommand, name: init.subcommand, options }];
    if (init.subcommandGroup) options = [{ type: ApplicationCommandOptionType.SubcommandGroup, name: init.subcommandGroup, options }];

    const command = this.commandIdentity(init.name, place.guild.id, init.commandId);
    const data = {
      id: command.id,
      name: init.name,
      type: ApplicationCommandType.ChatInput,
      ...(options.length > 0 ? { options } : {}),
      ...(Object.keys(resolved).length > 0 ? { resolved } : {}),
      ...(command.guildId ? { guild_id: command.guildId } : {}),
    };
    return this.build(type, init, place, data, {});
  }

  private build(
    type: InteractionType,
    init: InteractionBaseInit,
    place: { guild: GuildRecord; channel: ChannelObject },
    data: JsonObject,
    extra: JsonObject,
  ): InteractionRecord {
    const { guild, channel } = place;
    const user = this.user(init.user);
    const member = guild.members.get(user.id) ?? makeMember(user);
    if (init.member?.roles) member.roles = [...init.member.roles];
    if (init.member?.nick !== undefined) member.nick = init.member.nick;
    guild.members.set(user.id, member);

    const memberPermissions =
      init.member?.permissions !== undefined
        ? permissionBits(init.member.permissions)
        : this.state.permissionsIn(channel.id, user.id);
    const id = snowflake();
    const token = `aW50ZXJhY3Rpb24${randomBytes(48).toString('base64url')}`;
    const payload: JsonObject = {
      id,
      application_id: this.state.applicationId,
      type,
      data,
      guild_id: guild.id,
      channel: partialChannel(channel, memberPermissions),
      channel_id: channel.id,
      member: { ...member, permissions: memberPermissions.toString() },
      token,
      version: 1,
      app_permissions: this.state.permissionsIn(channel.id, this.state.botUser.id).toString(),
      locale: init.locale ?? 'en-US',
      guild_locale: guild.preferredLocale,
      entitlements: [],
      authorizing_integration_owners: { 0: guild.id },
      context: 0,
      attachment_size_limit: ATTACHMENT_SIZE_LIMIT,
      ...extra,
    };
    for (const field of init.omit ?? []) delete payload[field];
    const record: InteractionRecord = {
      id,
      token,
      type,
      payload,
      guildId: guild.id,
      channelId: channel.id,
      user,
      dispatchedAt: Date.now(),
      followUps: [],
      events: [],
    };
    this.store.register(record);
    return record;
  }

  private place(init: InteractionBaseInit): { guild: GuildRecord; channel: ChannelObject } {
    const guild = init.guildId ? this.state.requireGuild(init.guildId) : this.state.guilds.values().next().value;
    if (!guild) throw new Error('discord stand-in: add a guild before sending interactions');
    const channel = init.channelId
      ? (guild.channels.get(init.channelId) ?? guild.threads.get(init.channelId))
      : [...guild.channels.values()].find((c) => c.type === ChannelType.GuildText);
    if (!channel) throw new Error(`discord stand-in: no channel ${init.channelId ?? '(text)'} in guild ${guild.id}`);
    return { guild, channel };
  }

  private user(init: UserInit = DEFAULT_LEARNER): APIUser {
    const known =
      (init.id ? this.state.users.get(init.id) : undefined) ??
      (!init.id && init.username ? [...this.state.users.values()].find((u) => u.username === init.username) : undefined);
    const user = known ?? makeUser(init);
    this.state.users.set(user.id, user);
    return user;
  }

  private commandIdentity(name: string, guildId: string, explicitId?: string): { id: string; guildId?: string } {
    const guildCommand = this.state.guildCommands.get(guildId)?.find((c) => c.name === name);
    if (guildCommand) return { id: explicitId ?? guildCommand.id, guildId };
    const globalCommand = this.state.globalCommands.find((c) => c.name === name);
    if (globalCommand) return { id: explicitId ?? globalCommand.id };
    let id = this.unregisteredCommandIds.get(name);
    if (!id) {
      id = snowflake();
      this.unregisteredCommandIds.set(name, id);
    }
    return { id: explicitId ?? id };
  }

  /** Fills `resolved` for user, channel and role options that name things the stand-in knows. */
  private resolveReferences(options: JsonObject[], guild: GuildRecord, resolved: Record<string, JsonObject>): void {
    for (const option of options) {
      const id = String(option.value);
      const type = option.type;
      if (type === ApplicationCommandOptionType.User || type === ApplicationCommandOptionType.Mentionable) {
        const user = this.state.users.get(id);
        if (user) (resolved.users ??= {})[id] = user;
        const member = guild.members.get(id);
        if (member) {
          const { user: _user, deaf: _deaf, mute: _mute, ...partial } = member;
          (resolved.members ??= {})[id] = { ...partial, permissions: this.state.guildPermissions(guild.id, id).toString() };
        }
      }
      if (type === ApplicationCommandOptionType.Role || type === ApplicationCommandOptionType.Mentionable) {
        const role = guild.roles.get(id);
        if (role) (resolved.roles ??= {})[id] = role;
      }
      if (type === ApplicationCommandOptionType.Channel) {
        const channel = guild.channels.get(id) ?? guild.threads.get(id);
        if (channel) (resolved.channels ??= {})[id] = partialChannel(channel, 0n);
      }
    }
  }

  private componentMessage(message: APIMessage | string, channelId: string): APIMessage {
    const id = typeof message === 'string' ? message : message.id;
    const held = this.state.findMessage(channelId, id) ?? this.store.responseMessage(id);
    if (held) return held;
    if (typeof message === 'string') throw new Error(`sendButton: the stand-in holds no message ${id} in channel ${channelId}`);
    return structuredClone(message);
  }
}

function toOption(init: CommandOptionInit): JsonObject {
  const type = init.type ?? inferOptionType(init.value);
  return {
    name: init.name,
    type,
    ...(init.value !== undefined ? { value: init.value } : {}),
    ...(init.focused ? { focused: true } : {}),
  };
}

function inferOptionType(value: CommandOptionInit['value']): ApplicationCommandOptionType {
  if (typeof value === 'boolean') return ApplicationCommandOptionType.Boolean;
  if (typeof value === 'number') return Number.isInteger(value) ? ApplicationCommandOptionType.Integer : ApplicationCommandOptionType.Number;
  return ApplicationCommandOptionType.String;
}

/** The partial channel of interactions and resolved data (documented field list). */
function partialChannel(channel: ChannelObject, permissions: bigint): JsonObject {
  return {
    id: channel.id,
    name: channel.name,
    type: channel.type,
    permissions: permissions.toString(),
    last_message_id: channel.last_message_id,
    nsfw: channel.nsfw,
    parent_id: channel.parent_id,
    guild_id: channel.guild_id,
    flags: channel.flags,
    rate_limit_per_user: channel.rate_limit_per_user,
    topic: channel.topic,
    position: channel.position,
    ...(isThread(channel) && channel.thread_metadata ? { thread_metadata: channel.thread_metadata } : {}),
  };
}

function findCustomId(components: readonly unknown[], customId: string): boolean {
  return components.some((component) => {
    if (!isObject(component)) return false;
    if (component.custom_id === customId) return true;
    const children = [component.components, isObject(component.accessory) ? [component.accessory] : undefined, component.component];
    return children.some((child) => (Array.isArray(child) ? findCustomId(child, customId) : isObject(child) && findCustomId([child], customId)));
  });
}
