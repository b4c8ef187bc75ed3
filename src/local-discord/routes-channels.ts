import { ChannelType, GatewayIntentBits, MessageType, PermissionFlagsBits, type APIMessage } from 'discord.js';
import { apiErrors, FormErrors } from './errors.js';
import { applyMessageEdit, isObject, isThread, makeMessage, makeThread, type ChannelObject } from './objects.js';
import { hasPermission } from './permissions.js';
import { noContent, objectBody, ok, param, type RouteContext, type RouteDefinition } from './router.js';
import { isoTimestamp } from './snowflake.js';
import type { GuildRecord } from './state.js';
import { attachmentsFromUpload } from './uploads.js';
import { validateMessageBody } from './validation.js';

const HAS_THREAD = 1 << 5;
const CROSSPOSTED = 1 << 0;
const MESSAGE_CHANNEL_TYPES: readonly ChannelType[] = [
  ChannelType.GuildText,
  ChannelType.GuildAnnouncement,
  ChannelType.GuildVoice,
  ChannelType.PublicThread,
  ChannelType.PrivateThread,
  ChannelType.AnnouncementThread,
];

interface ChannelAccess {
  guild: GuildRecord;
  channel: ChannelObject;
  permissions: bigint;
}

/** The channel, checked to exist (10003) and to be visible to the bot (50001 Missing Access). */
function viewableChannel(ctx: RouteContext): ChannelAccess {
  const { state } = ctx.deps;
  const channelId = param(ctx, 'channelId');
  const found = state.findChannel(channelId);
  if (!found) throw apiErrors.unknownChannel();
  const permissions = state.permissionsIn(channelId, state.botUser.id);
  if (!hasPermission(permissions, PermissionFlagsBits.ViewChannel)) throw apiErrors.missingAccess();
  return { ...found, permissions };
}

function requirePermission(access: ChannelAccess, flag: bigint): void {
  if (!hasPermission(access.permissions, flag)) throw apiErrors.missingPermissions();
}

function existingMessage(ctx: RouteContext, access: ChannelAccess): APIMessage {
  const message = ctx.deps.state.findMessage(access.channel.id, param(ctx, 'messageId'));
  if (!message) throw apiErrors.unknownMessage();
  return message;
}

function createMessage(ctx: RouteContext) {
  const { state, messageEvents, nonceWindowMs } = ctx.deps;
  const access = viewableChannel(ctx);
  const { channel, guild } = access;
  if (!MESSAGE_CHANNEL_TYPES.includes(channel.type)) throw apiErrors.cannotSendInNonTextChannel();
  requirePermission(access, isThread(channel) ? PermissionFlagsBits.SendMessagesInThreads : PermissionFlagsBits.SendMessages);
  if (ctx.files.length > 0) requirePermission(access, PermissionFlagsBits.AttachFiles);
  const sent = objectBody(ctx);
  validateMessageBody(sent, { creating: true, fileCount: ctx.files.length });
  checkReference(ctx, channel.id);
  // As at Discord: without Embed Links the message goes out without its embeds (no error), and one left with nothing
  // else to show is refused as empty.
  const embedsDropped = Array.isArray(sent.embeds) && sent.embeds.length > 0 && !hasPermission(access.permissions, PermissionFlagsBits.EmbedLinks);
  const body = embedsDropped ? { ...sent, embeds: [] } : sent;
  if (embedsDropped) validateMessageBody(body, { creating: true, fileCount: ctx.files.length });
  // AutoMod's keyword rules read a message's content (Discord: trigger type KEYWORD), and refuse it with 200000.
  if (typeof body.content === 'string' && state.autoModBlocks(guild, channel.id, state.botUser.id, body.content)) throw apiErrors.blockedByAutoMod();

  // enforce_nonce: a repeat of the same nonce by the same author within a few minutes returns the first message.
  const nonce = body.nonce;
  const nonceKey =
    body.enforce_nonce === true && (typeof nonce === 'string' || typeof nonce === 'number')
      ? `${channel.id}:${state.botUser.id}:${nonce}`
      : undefined;
  if (nonceKey) {
    const seen = state.nonces.get(nonceKey);
    const earlier = seen && Date.now() - seen.at <= nonceWindowMs ? state.findMessage(channel.id, seen.messageId) : undefined;
    if (earlier) return ok(earlier);
  }

  const message = makeMessage({
    channelId: channel.id,
    guildId: guild.id,
    author: state.botUser,
    body,
    attachments: attachmentsFromUpload(state, body, ctx.files),
    type: isObject(body.message_reference) ? MessageType.Reply : MessageType.Default,
  });
  state.insertMessage(message);
  if (nonceKey) state.nonces.set(nonceKey, { messageId: message.id, at: Date.now() });
  if (isThread(channel)) {
    channel.message_count = (channel.message_count ?? 0) + 1;
    channel.total_message_sent = (channel.total_message_sent ?? 0) + 1;
  }
  messageEvents.created(message);
  return ok(message);
}

function checkReference(ctx: RouteContext, channelId: string): void {
  const reference = objectBody(ctx).message_reference;
  if (!isObject(reference) || typeof reference.message_id !== 'string' || reference.fail_if_not_exists === false) return;
  const referencedChannel = typeof reference.channel_id === 'string' ? reference.channel_id : channelId;
  if (ctx.deps.state.findMessage(referencedChannel, reference.message_id)) return;
  const errors = new FormErrors();
  errors.add(['message_reference'], 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', 'Unknown message');
  errors.throwIfAny();
}

function listMessages(ctx: RouteContext) {
  const access = viewableChannel(ctx);
  requirePermission(access, PermissionFlagsBits.ReadMessageHistory);
  const limit = Math.min(100, Math.max(1, Number(ctx.query.get('limit') ?? 50)));
  const before = ctx.query.get('before');
  const after = ctx.query.get('after');
  const messages = ctx.deps.state
    .channelMessages(access.channel.id)
    .filter((m) => (!before || BigInt(m.id) < BigInt(before)) && (!after || BigInt(m.id) > BigInt(after)));
  const newestFirst = [...messages].reverse();
  return ok(after ? newestFirst.slice(-limit) : newestFirst.slice(0, limit));
}

function getMessage(ctx: RouteContext) {
  const access = viewableChannel(ctx);
  requirePermission(access, PermissionFlagsBits.ReadMessageHistory);
  return ok(existingMessage(ctx, access));
}

function editMessage(ctx: RouteContext) {
  const { state, messageEvents } = ctx.deps;
  const access = viewableChannel(ctx);
  const message = existingMessage(ctx, access);
  if (message.author.id !== state.botUser.id) throw apiErrors.cannotEditOthersMessage();
  const body = objectBody(ctx);
  validateMessageBody(body, { creating: false, fileCount: ctx.files.length });
  applyMessageEdit(message, body, attachmentsFromUpload(state, body, ctx.files));
  message.edited_timestamp = isoTimestamp();
  messageEvents.updated(message);
  return ok(message);
}

function deleteMessage(ctx: RouteContext) {
  const { state, messageEvents } = ctx.deps;
  const access = viewableChannel(ctx);
  const message = existingMessage(ctx, access);
  if (message.author.id !== state.botUser.id) requirePermission(access, PermissionFlagsBits.ManageMessages);
  state.deleteMessage(access.channel.id, message.id);
  messageEvents.deleted(access.channel.id, message.id);
  return noContent();
}

/** Publish (announcement channels): the bot's own message needs Send Messages, another's Manage Messages. */
function crosspostMessage(ctx: RouteContext) {
  const { state, messageEvents } = ctx.deps;
  const access = viewableChannel(ctx);
  if (access.channel.type !== ChannelType.GuildAnnouncement) throw apiErrors.invalidChannelType();
  const message = existingMessage(ctx, access);
  requirePermission(access, message.author.id === state.botUser.id ? PermissionFlagsBits.SendMessages : PermissionFlagsBits.ManageMessages);
  if (((message.flags ?? 0) & CROSSPOSTED) !== 0) throw apiErrors.alreadyCrossposted();
  message.flags = (message.flags ?? 0) | CROSSPOSTED;
  messageEvents.updated(message);
  return ok(message);
}

function startThreadFromMessage(ctx: RouteContext) {
  const { state, gateway } = ctx.deps;
  const access = viewableChannel(ctx);
  const { channel } = access;
  if (channel.type !== ChannelType.GuildText && channel.type !== ChannelType.GuildAnnouncement) {
    throw apiErrors.invalidChannelType();
  }
  requirePermission(access, PermissionFlagsBits.CreatePublicThreads);
  const message = existingMessage(ctx, access);
  if (state.findChannel(message.id)) throw apiErrors.threadAlreadyCreated();
  const body = objectBody(ctx);
  const errors = new FormErrors();
  errors.checkLength(['name'], typeof body.name === 'string' ? body.name : '', 100, 1);
  errors.throwIfAny();
  // A thread's name is checked by AutoMod as a title (200001).
  if (state.autoModBlocks(access.guild, channel.id, state.botUser.id, String(body.name))) throw apiErrors.titleBlockedByAutoMod();

  const thread = makeThread({
    id: message.id,
    parent: channel,
    name: String(body.name),
    ownerId: state.botUser.id,
    ...(typeof body.auto_archive_duration === 'number' ? { autoArchiveDuration: body.auto_archive_duration } : {}),
    ...(typeof body.rate_limit_per_user === 'number' ? { rateLimitPerUser: body.rate_limit_per_user } : {}),
  });
  state.addThread(thread);
  message.thread = thread as unknown as APIMessage['thread'];
  message.flags = (message.flags ?? 0) | HAS_THREAD;
  const member = { id: thread.id, user_id: state.botUser.id, join_timestamp: isoTimestamp(), flags: 0 };
  gateway.dispatch(
    'THREAD_CREATE',
    { ...thread, newly_created: true, member },
    { guildId: thread.guild_id, intent: GatewayIntentBits.Guilds },
  );
  return { status: 201, body: thread };
}

export const channelRoutes: RouteDefinition[] = [
  { method: 'GET', pattern: '/channels/:channelId', auth: true, handle: (ctx) => ok(viewableChannel(ctx).channel) },
  { method: 'GET', pattern: '/channels/:channelId/messages', auth: true, handle: listMessages },
  { method: 'POST', pattern: '/channels/:channelId/messages', auth: true, handle: createMessage },
  { method: 'GET', pattern: '/channels/:channelId/messages/:messageId', auth: true, handle: getMessage },
  { method: 'PATCH', pattern: '/channels/:channelId/messages/:messageId', auth: true, handle: editMessage },
  { method: 'DELETE', pattern: '/channels/:channelId/messages/:messageId', auth: true, handle: deleteMessage },
  { method: 'POST', pattern: '/channels/:channelId/messages/:messageId/threads', auth: true, handle: startThreadFromMessage },
  { method: 'POST', pattern: '/channels/:channelId/messages/:messageId/crosspost', auth: true, handle: crosspostMessage },
];
