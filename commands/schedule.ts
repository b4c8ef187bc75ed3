import { ApplicationCommandOptionType, ApplicationCommandType, ChannelType, InteractionContextType, PermissionFlagsBits } from 'discord.js';
import type { CommandDefinition, SubcommandDefinition } from '../src/discord/command-definition.js';

const postableChannelTypes = [ChannelType.GuildText, ChannelType.GuildAnnouncement] as const;

const dateOption = (description: string) =>
  ({ type: ApplicationCommandOptionType.String, name: 'date', description, min_length: 10, max_length: 10 }) as const;

export const scheduleSet = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'set',
  description: 'Where and when the daily lesson is posted',
  options: [
    { type: ApplicationCommandOptionType.Channel, name: 'channel', description: 'Channel for the daily lesson card', required: true, channel_types: postableChannelTypes },
    { type: ApplicationCommandOptionType.String, name: 'time', description: 'Local time, 24-hour HH:MM (e.g. 07:30)', required: true, min_length: 3, max_length: 5 },
    { type: ApplicationCommandOptionType.String, name: 'timezone', description: 'Time zone, e.g. Asia/Tokyo (type to search)', required: true, autocomplete: true, max_length: 64 },
    { type: ApplicationCommandOptionType.Role, name: 'role', description: 'A role to ping with each post (only this role is pinged)' },
    { type: ApplicationCommandOptionType.Boolean, name: 'thread', description: 'Open a discussion thread on each post' },
  ],
} as const satisfies SubcommandDefinition;

export const scheduleShow = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'show',
  description: 'The schedule, the next post time and its health',
} as const satisfies SubcommandDefinition;

export const schedulePause = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'pause',
  description: 'Stop posting daily lessons until resumed',
} as const satisfies SubcommandDefinition;

export const scheduleResume = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'resume',
  description: 'Start posting daily lessons again',
} as const satisfies SubcommandDefinition;

export const schedulePlan = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'plan',
  description: 'Pin a lesson to a day',
  options: [
    { type: ApplicationCommandOptionType.String, name: 'lesson', description: 'Which lesson (type to search titles)', required: true, autocomplete: true, max_length: 100 },
    { ...dateOption('Day in the server’s time zone, YYYY-MM-DD'), required: true },
  ],
} as const satisfies SubcommandDefinition;

export const scheduleUnplan = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'unplan',
  description: 'Remove the lesson pinned to a day',
  options: [{ ...dateOption('Day, YYYY-MM-DD'), required: true }],
} as const satisfies SubcommandDefinition;

export const scheduleUpcoming = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'upcoming',
  description: 'The next days and the lesson each will get',
  options: [{ type: ApplicationCommandOptionType.Integer, name: 'days', description: 'How many days (1–25, default 7)', min_value: 1, max_value: 25 }],
} as const satisfies SubcommandDefinition;

export const schedulePreview = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'preview',
  description: 'Exactly what will be posted (only you see it)',
  options: [dateOption('Day, YYYY-MM-DD (default: the next post)')],
} as const satisfies SubcommandDefinition;

export const schedulePostNow = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'post-now',
  description: 'Post today’s lesson now',
  options: [{ type: ApplicationCommandOptionType.Boolean, name: 'force', description: 'Post again even if today’s lesson was already posted' }],
} as const satisfies SubcommandDefinition;

export const scheduleAlerts = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'alerts',
  description: 'Where the bot tells moderators about problems',
  options: [{ type: ApplicationCommandOptionType.Channel, name: 'channel', description: 'Channel for alerts', required: true, channel_types: postableChannelTypes }],
} as const satisfies SubcommandDefinition;

export const scheduleModerators = {
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
export const scheduleCommand = {
  type: ApplicationCommandType.ChatInput,
  name: 'schedule',
  description: 'Moderators: when and where daily lessons are posted',
  contexts: [InteractionContextType.Guild],
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
