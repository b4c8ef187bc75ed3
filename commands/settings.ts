import { ApplicationCommandOptionType, ApplicationCommandType, ApplicationIntegrationType, InteractionContextType } from 'discord.js';
import type { CommandDefinition, SubcommandDefinition } from '../src/discord/command-definition.js';
import { defineCommand } from '../src/discord/command-module.js';

const settingsTimezone = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'timezone',
  description: 'Your time zone, for your reading days and streaks',
  options: [
    {
      type: ApplicationCommandOptionType.String,
      name: 'zone',
      description: 'An IANA time zone such as Europe/Paris (type to search)',
      required: true,
      autocomplete: true,
      max_length: 64,
    },
  ],
} as const satisfies SubcommandDefinition;

const settingsLeaderboard = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'leaderboard',
  description: 'Show or hide yourself on leaderboards (and your progress to others)',
  options: [{ type: ApplicationCommandOptionType.Boolean, name: 'visible', description: 'false hides you', required: true }],
} as const satisfies SubcommandDefinition;

const settingsCommand = {
  type: ApplicationCommandType.ChatInput,
  name: 'settings',
  description: 'Your own settings (the same in every server)',
  contexts: [InteractionContextType.Guild],
  integration_types: [ApplicationIntegrationType.GuildInstall],
  options: [settingsTimezone, settingsLeaderboard],
} as const satisfies CommandDefinition;

/** `/settings`: a member's own choices; always private. */
export const settingsModule = defineCommand(settingsCommand, {
  subcommands: {
    timezone: async ({ options, services, userId, reply }) => {
      const zone = await services.reading.setTimeZone(userId, options.zone);
      await reply.send({
        content:
          zone === null
            ? '🕒 Your own time zone is cleared: your reading days follow this server’s schedule zone (or UTC).'
            : `🕒 Your time zone is now **${zone}**. Reading days and streaks are counted in it, in every server.`,
      });
    },
    leaderboard: async ({ options, services, userId, reply }) => {
      await services.reading.setLeaderboardVisible(userId, options.visible);
      await reply.send({
        content: options.visible
          ? // Said alike to a member who was hidden and one who never was ("again" read oddly to the latter).
            '👀 You are on leaderboards, and others can see your counts and streaks with `/progress`.'
          : '🙈 You are hidden: left out of leaderboards, and `/progress` shows others nothing about you.',
      });
    },
  },
  autocomplete: {
    zone: async ({ value, services }) => services.reading.timeZoneChoices(value),
  },
});
