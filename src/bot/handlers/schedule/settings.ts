import type { ChatInputCommandInteraction, GuildBasedChannel, GuildTextBasedChannel } from 'discord.js';
import { scheduleAlerts, scheduleModerators, scheduleSet } from '../../../../commands/schedule.js';
import { updateGuildSettings } from '../../../db/guild-settings.js';
import { lastPostedLocalDate } from '../../../db/deliveries.js';
import { saveSchedule } from '../../../db/schedules.js';
import { canonicalTimeZone, formatPostTime, InvalidPostTimeError, parsePostTime } from '../../../domain/schedule/index.js';
import { missingPostPermissions } from '../../../discord/permissions.js';
import { UserError } from '../../../user-error.js';
import { readOptions } from '../../../discord/command-options.js';
import type { Reply } from '../../../discord/reply.js';
import { discordTime, nextPostFor } from '../../views/schedule-views.js';
import type { HandlerDeps } from '../deps.js';

export async function setSchedule(deps: HandlerDeps, interaction: ChatInputCommandInteraction, guildId: string, reply: Reply): Promise<void> {
  const options = readOptions(interaction, scheduleSet);
  const postTime = parseTimeOption(options.time);
  const timeZone = canonicalTimeZone(options.timezone);
  if (!timeZone) {
    throw new UserError(`"${options.timezone}" is not a time zone I know. Pick one from the list, e.g. Europe/Berlin or Asia/Tokyo.`);
  }
  const channel = postableChannel(deps, options.channel);
  const thread = options.thread ?? false;
  const missing = missingPostPermissions(channel, deps.client, { thread });
  if (missing.length > 0) {
    throw new UserError(`I can’t post in <#${channel.id}>: I’m missing ${missing.map((p) => `**${p}**`).join(', ')} there. Give me ${missing.length === 1 ? 'it' : 'them'}, or pick another channel.`);
  }
  const schedule = await saveSchedule(
    deps.db,
    { guildId, channelId: channel.id, postTime: formatPostTime(postTime), timeZone, roleId: options.role?.id ?? null, createThread: thread },
    deps.now(),
  );
  const next = nextPostFor(schedule, deps.now(), await lastPostedLocalDate(deps.db, guildId));
  const notes = [
    options.role ? `Each post pings <@&${options.role.id}> (and no one else).` : null,
    options.role && !options.role.mentionable && !channel.permissionsFor(deps.client.user!)?.has('MentionEveryone')
      ? `⚠️ <@&${options.role.id}> is not mentionable and I lack **Mention @everyone, @here and All Roles**, so the ping will not notify anyone.`
      : null,
    thread ? 'Each post opens a discussion thread.' : null,
    schedule.paused ? '⏸️ The schedule is paused: `/schedule resume` to start posting.' : null,
  ].filter(Boolean);
  await reply.send({
    content: [
      `✅ Daily lesson: <#${channel.id}> at **${schedule.postTime}** (${timeZone}).`,
      `Next post: ${discordTime(next, 'F')} (${discordTime(next, 'R')}).`,
      ...notes,
    ].join('\n'),
  });
}

export async function setAlertsChannel(deps: HandlerDeps, interaction: ChatInputCommandInteraction, guildId: string, reply: Reply): Promise<void> {
  const { channel: option } = readOptions(interaction, scheduleAlerts);
  const channel = postableChannel(deps, option);
  const missing = missingPostPermissions(channel, deps.client, { thread: false });
  if (missing.length > 0) throw new UserError(`I can’t post in <#${channel.id}>: I’m missing ${missing.map((p) => `**${p}**`).join(', ')} there.`);
  await updateGuildSettings(deps.db, guildId, { alertsChannelId: channel.id });
  await reply.send({ content: `✅ I will tell moderators about problems (no lesson left, missing permissions, a deleted channel) in <#${channel.id}>.` });
}

export async function setModeratorRole(deps: HandlerDeps, interaction: ChatInputCommandInteraction, guildId: string, reply: Reply): Promise<void> {
  const { role } = readOptions(interaction, scheduleModerators);
  await updateGuildSettings(deps.db, guildId, { moderatorRoleId: role?.id ?? null });
  await reply.send({
    content: role
      ? `✅ Members with <@&${role.id}> may now use moderator commands, besides those with **Manage Server**. (Server admins can also show \`/schedule\` to that role in Server Settings → Integrations.)`
      : '✅ Only members with **Manage Server** may use moderator commands now.',
  });
}

function parseTimeOption(input: string) {
  try {
    return parsePostTime(input);
  } catch (error) {
    if (error instanceof InvalidPostTimeError) throw new UserError(error.message);
    throw error;
  }
}

/** The full channel from the cache (the option may carry only partial data). */
function postableChannel(deps: HandlerDeps, option: GuildBasedChannel): GuildTextBasedChannel {
  const channel = deps.client.channels.cache.get(option.id) ?? option;
  if (!('guild' in channel) || !channel.isTextBased() || channel.isVoiceBased()) {
    throw new UserError(`<#${option.id}> is not a text channel I can post lessons in.`);
  }
  return channel;
}
