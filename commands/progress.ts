import { ApplicationCommandOptionType, ApplicationCommandType, ApplicationIntegrationType, InteractionContextType } from 'discord.js';
import type { CommandDefinition } from '../src/discord/command-definition.js';
import { defineCommand } from '../src/discord/command-module.js';
import type { ProgressSectionSource } from '../src/reading/progress.js';
import { renderProgress } from '../src/reading/progress-view.js';
import type { Services } from '../src/services.js';
import { UserError } from '../src/user-error.js';
import { quizProgressSection } from '../src/vocabulary/progress-section.js';

const progressCommand = {
  type: ApplicationCommandType.ChatInput,
  name: 'progress',
  description: 'Your reading: lessons and words read, streaks, recent lessons',
  contexts: [InteractionContextType.Guild],
  integration_types: [ApplicationIntegrationType.GuildInstall],
  options: [
    {
      type: ApplicationCommandOptionType.User,
      name: 'member',
      description: 'Another member (only their counts and streaks)',
    },
  ],
} as const satisfies CommandDefinition;

/**
 * Sections other features add to `/progress` (vocabulary, quizzes): each returns a titled block, or
 * null when it has nothing to show. Add one line here; the service and view need no change.
 */
function progressSections(services: Services): readonly ProgressSectionSource[] {
  return [quizProgressSection(services.vocabulary.progress)];
}

/** `/progress [member]`: always private. */
export const progressModule = defineCommand(progressCommand, {
  outsideServer: 'Progress is kept per server: use this command there.',
  subcommands: {
    progress: async ({ options, services, guildId, userId, reply }) => {
      // A bot (this one, another server's helper) never reads a lesson: its empty progress would read as a member's.
      if (options.member?.bot) throw new UserError('That is a bot: bots do not read lessons, so it has no progress to show.');
      const subject = options.member?.id ?? userId;
      const answer = await services.reading.progress({ guildId, userId: subject, askedBy: userId }, progressSections(services));
      await reply.send(renderProgress(answer, subject));
    },
  },
});
