import { ApplicationCommandOptionType, ApplicationCommandType, ApplicationIntegrationType, InteractionContextType, PermissionFlagsBits } from 'discord.js';
import { POSTABLE_CHANNEL_TYPES, requirePostPermissions, requireServerHeld, textChannelOption } from '../src/discord/channels.js';
import { keepModeratorRole } from '../src/discord/kept-roles.js';
import { requireMayPing, requireServerManager } from '../src/discord/permissions.js';
import type { CommandDefinition, SubcommandDefinition } from '../src/discord/command-definition.js';
import { defineCommand } from '../src/discord/command-module.js';
import { nextPostLine, renderPlanned, retriedElsewhere, renderPreview, renderUnplanned, renderUpcoming, scheduleEmbed } from '../src/delivery/schedule-view.js';
import { messageLink } from '../src/delivery/service.js';
import { isEveryoneRole, roleMention } from '../src/domain/discord-format/index.js';
import { searchTimeZones } from '../src/domain/schedule/index.js';

/** Why the chosen ping may notify nobody: @everyone needs Mention Everyone; another role, that or being mentionable. */
function pingWarning(role: { id: string; mentionable: boolean }, guildId: string, canMentionEveryone: boolean): string | null {
  if (canMentionEveryone) return null;
  if (isEveryoneRole(role.id, guildId)) {
    return '⚠️ I lack **Mention @everyone, @here and All Roles** in that channel, so the @everyone ping will not notify anyone.';
  }
  return role.mentionable ? null : `⚠️ <@&${role.id}> is not mentionable and I lack **Mention @everyone, @here and All Roles**, so the ping will not notify anyone.`;
}

const dateOption = (description: string) =>
  ({ type: ApplicationCommandOptionType.String, name: 'date', description, max_length: 40, autocomplete: true }) as const;

const scheduleSet = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'set',
  description: 'Where and when the daily lesson is posted',
  options: [
    { type: ApplicationCommandOptionType.Channel, name: 'channel', description: 'Channel for the daily lesson card', required: true, channel_types: POSTABLE_CHANNEL_TYPES },
    { type: ApplicationCommandOptionType.String, name: 'time', description: 'Local time: 07:30, 18:05, or 6:05 pm', required: true, min_length: 3, max_length: 12 },
    { type: ApplicationCommandOptionType.String, name: 'timezone', description: 'Time zone, e.g. Asia/Tokyo (type to search)', required: true, autocomplete: true, max_length: 64 },
    { type: ApplicationCommandOptionType.Role, name: 'role', description: 'A role to ping with each post (only this role is pinged)' },
    { type: ApplicationCommandOptionType.Boolean, name: 'thread', description: 'Open a discussion thread on each post' },
  ],
} as const satisfies SubcommandDefinition;

const scheduleShow = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'show',
  description: 'The schedule, the next post time and its health',
} as const satisfies SubcommandDefinition;

const schedulePause = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'pause',
  description: 'Stop posting daily lessons until resumed',
} as const satisfies SubcommandDefinition;

const scheduleResume = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'resume',
  description: 'Start posting daily lessons again',
} as const satisfies SubcommandDefinition;

const schedulePlan = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'plan',
  description: 'Pin a lesson to a day',
  options: [
    { type: ApplicationCommandOptionType.String, name: 'lesson', description: 'Which lesson (type to search titles)', required: true, autocomplete: true, max_length: 100 },
    { ...dateOption('Day in the server’s time zone: type to pick, or YYYY-MM-DD, today, tomorrow'), required: true },
  ],
} as const satisfies SubcommandDefinition;

const scheduleUnplan = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'unplan',
  description: 'Remove the lesson pinned to a day',
  options: [{ ...dateOption('Day: type to pick, or YYYY-MM-DD'), required: true }],
} as const satisfies SubcommandDefinition;

const scheduleUpcoming = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'upcoming',
  description: 'The next days and the lesson each will get',
  options: [{ type: ApplicationCommandOptionType.Integer, name: 'days', description: 'How many days (1–25, default 7)', min_value: 1, max_value: 25 }],
} as const satisfies SubcommandDefinition;

const schedulePreview = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'preview',
  description: 'Exactly what will be posted (only you see it)',
  options: [dateOption('Day: type to pick, or YYYY-MM-DD (default: the next post)')],
} as const satisfies SubcommandDefinition;

const schedulePostNow = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'post-now',
  description: 'Post today’s lesson now',
  options: [{ type: ApplicationCommandOptionType.Boolean, name: 'force', description: 'Post again even if today’s lesson was already posted' }],
} as const satisfies SubcommandDefinition;

const scheduleAlerts = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'alerts',
  description: 'Where the bot tells moderators about problems',
  options: [{ type: ApplicationCommandOptionType.Channel, name: 'channel', description: 'Channel for alerts', required: true, channel_types: POSTABLE_CHANNEL_TYPES }],
} as const satisfies SubcommandDefinition;

const scheduleModerators = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'moderators',
  description: 'A role that may manage lessons besides Manage Server (leave empty to clear)',
  options: [{ type: ApplicationCommandOptionType.Role, name: 'role', description: 'Moderator role' }],
} as const satisfies SubcommandDefinition;

/**
 * `/schedule`: moderators only. Hidden by default from members without Manage Server; the bot checks
 * again on every use (Manage Server or the configured moderator role), since server admins can change
 * who sees a command.
 */
const scheduleCommand = {
  type: ApplicationCommandType.ChatInput,
  name: 'schedule',
  description: 'Moderators: when and where daily lessons are posted',
  contexts: [InteractionContextType.Guild],
  integration_types: [ApplicationIntegrationType.GuildInstall],
  default_member_permissions: String(PermissionFlagsBits.ManageGuild),
  options: [
    scheduleSet,
    scheduleShow,
    schedulePause,
    scheduleResume,
    schedulePlan,
    scheduleUnplan,
    scheduleUpcoming,
    schedulePreview,
    schedulePostNow,
    scheduleAlerts,
    scheduleModerators,
  ],
} as const satisfies CommandDefinition;

/** `/schedule`: every subcommand is for moderators, and every reply is private to them. */
export const scheduleModule = defineCommand(scheduleCommand, {
  moderatorOnly: true,
  subcommands: {
    set: async ({ options, services, interaction, guildId, reply }) => {
      const when = services.delivery.postingTime(options.time, options.timezone);
      const { client } = interaction;
      const channel = await textChannelOption(client, options.channel, guildId);
      const thread = options.thread ?? false;
      requirePostPermissions(channel, client, { thread, advise: true });
      if (options.role) requireMayPing(interaction, options.role);
      const { schedule, next, noLessonOn, retried, dropped } = await services.delivery.setSchedule({
        guildId,
        channelId: channel.id,
        when,
        roleId: options.role?.id ?? null,
        createThread: thread,
      });
      const notes = [
        retried ? retriedElsewhere(retried, channel.id) : null,
        options.role ? `Each post pings ${roleMention(options.role.id, guildId)} (and no one else).` : null,
        options.role ? pingWarning(options.role, guildId, channel.permissionsFor(client.user)?.has('MentionEveryone') ?? false) : null,
        thread ? 'Each post opens a discussion thread.' : null,
        // `set` replaces the schedule: what the moderator left out of it is said, so a change of time keeps nothing by surprise.
        dropped.roleId ? `Posts no longer ping ${roleMention(dropped.roleId, guildId)}: \`role\` was left out (add it to ping again).` : null,
        dropped.thread ? 'Posts no longer open a discussion thread: `thread` was left out (add `thread:true` to open them again).' : null,
      ].filter(Boolean);
      await reply.send({
        content: [
          `✅ Daily lesson: <#${channel.id}> at **${schedule.postTime}** (${when.timeZone}).`,
          // Paused, nothing goes out at that time (until 2026-12-07 the reply named it, then said the schedule was paused).
          schedule.paused
            ? '⏸️ The schedule is paused, so nothing is posted: `/schedule resume` to start posting.'
            : nextPostLine(next, noLessonOn),
          ...notes,
        ].join('\n'),
      });
    },
    show: async ({ services, guildId, reply }) => {
      const { schedule, next, lastSent, noLessonOn, alerts } = await services.delivery.status(guildId);
      await reply.send({ embeds: [scheduleEmbed(schedule, next, lastSent, noLessonOn, alerts)] });
    },
    pause: async ({ services, guildId, reply }) => {
      await services.delivery.pause(guildId);
      await reply.send({ content: '⏸️ Daily lessons are paused. `/schedule resume` starts them again.' });
    },
    resume: async ({ services, guildId, reply }) => {
      const { next, noLessonOn } = await services.delivery.resume(guildId);
      await reply.send({ content: `▶️ Daily lessons resumed.${noLessonOn === undefined ? ' ' : '\n'}${nextPostLine(next, noLessonOn)}` });
    },
    plan: async ({ options, services, guildId, userId, reply }) => {
      const planned = await services.delivery.plan(guildId, { date: options.date, lesson: options.lesson, plannedBy: userId });
      await reply.send(renderPlanned(planned.day, planned.stored, planned.nextPostDay, planned));
    },
    unplan: async ({ options, services, guildId, reply }) => {
      const { day, removed, posted, ...unposted } = await services.delivery.unplan(guildId, options.date);
      await reply.send(renderUnplanned(day, removed, posted, guildId, unposted));
    },
    upcoming: async ({ options, services, guildId, reply }) => {
      const { zone, days, state } = await services.delivery.upcoming(guildId, options.days ?? 7);
      await reply.send(renderUpcoming(zone, days, state));
    },
    preview: async ({ options, services, guildId, reply }) => {
      const { day, stored, readers, roleId, state } = await services.delivery.preview(guildId, options.date);
      await reply.send(renderPreview(day, stored, readers, { roleId, guildId }, state));
    },
    'post-now': async ({ options, services, interaction, guildId, reply }) => {
      // Posted in a server whose data has not come yet, the post failed as if its channel had been deleted.
      requireServerHeld(interaction.client, guildId);
      const schedule = await services.delivery.requireSchedule(guildId);
      await reply.defer();
      const posted = await services.delivery.postNow(schedule, options.force ?? false);
      await reply.send({ content: `✅ Posted: ${messageLink(guildId, posted.channelId, posted.messageId)}` });
    },
    alerts: async ({ options, services, interaction, guildId, reply }) => {
      const channel = await textChannelOption(interaction.client, options.channel, guildId);
      // Alerts are text: Embed Links is not needed there.
      requirePostPermissions(channel, interaction.client, { thread: false, advise: false, embeds: false });
      await services.delivery.setAlertsChannel(guildId, channel.id);
      await reply.send({ content: `✅ I will tell moderators about problems (no lesson left, missing permissions, a deleted channel) in <#${channel.id}>.` });
    },
    moderators: async ({ options: { role }, services, interaction, guildId, reply }) => {
      requireServerManager(interaction);
      await services.delivery.setModeratorRole(guildId, role?.id ?? null);
      // The moderator check reads the role from discord.js's cache, which keeps only the roles it is told of.
      if (role) keepModeratorRole(role);
      await reply.send({
        content: role
          ? `✅ Members with <@&${role.id}> may now use moderator commands, besides those with **Manage Server**. (Server admins can also show \`/schedule\` to that role in Server Settings → Integrations.)`
          : '✅ Only members with **Manage Server** may use moderator commands now.',
      });
    },
  },
  autocomplete: {
    timezone: async ({ value }) => searchTimeZones(value).map((zone) => ({ name: zone, value: zone })),
    lesson: ({ value, services }) => services.lessons.choices(value),
    date: ({ value, services, guildId }) => services.delivery.dayChoices(guildId, value),
  },
});
