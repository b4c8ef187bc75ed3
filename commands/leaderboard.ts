import { ApplicationCommandOptionType, ApplicationCommandType, ApplicationIntegrationType, InteractionContextType } from 'discord.js';
import type { CommandDefinition } from '../src/discord/command-definition.js';
import { defineCommand } from '../src/discord/command-module.js';
import type { LeaderboardPeriod } from '../src/reading/leaderboard.js';
import { renderLeaderboard } from '../src/reading/leaderboard-view.js';

const leaderboardCommand = {
  type: ApplicationCommandType.ChatInput,
  name: 'leaderboard',
  description: 'This server’s top readers by lessons read',
  contexts: [InteractionContextType.Guild],
  integration_types: [ApplicationIntegrationType.GuildInstall],
  options: [
    {
      type: ApplicationCommandOptionType.String,
      name: 'period',
      description: 'Which reads count (default: last 7 days)',
      choices: [
        { name: 'Last 7 days', value: 'week' },
        { name: 'Last 30 days', value: 'month' },
        { name: 'All time', value: 'all' },
      ],
    },
    { type: ApplicationCommandOptionType.Boolean, name: 'share', description: 'Post it in the channel for everyone (default: only you see it)' },
  ],
} as const satisfies CommandDefinition;

const PERIODS: readonly LeaderboardPeriod[] = ['week', 'month', 'all'];

/** `/leaderboard [period] [share]`: private unless shared; mentions never ping. */
export const leaderboardModule = defineCommand(leaderboardCommand, {
  outsideServer: 'Leaderboards are per server: use this command there.',
  subcommands: {
    leaderboard: {
      ephemeral: (options) => options.share !== true,
      run: async ({ options, services, guildId, userId, reply }) => {
        // Discord only sends the declared choices; anything else (an old definition) falls back to the week.
        const period = PERIODS.find((p) => p === options.period) ?? 'week';
        const board = await services.reading.leaderboard({ guildId, callerId: userId, period });
        await reply.send(renderLeaderboard(board, userId, { shared: options.share === true }));
      },
    },
  },
});
