import type { AutocompleteInteraction, ChatInputCommandInteraction } from 'discord.js';
import { lessonArticle, lessonCommand, lessonDialogue, lessonRelated, lessonShow, lessonToday } from '../../../../commands/lesson.js';
import { requestedLesson, todaysLesson } from '../../../library/lesson-lookup.js';
import { readOptions } from '../../command-options.js';
import type { Reply } from '../../reply.js';
import type { CommandHandler } from '../../router.js';
import type { HandlerDeps } from '../deps.js';
import { lessonChoices } from '../lesson-choices.js';
import { importLessonFile } from './import.js';
import { cardFor, openPart, relatedFor, requireGuild } from './reading.js';

/** `/lesson`: replies are private unless the member asks to share them. */
export function lessonHandler(deps: HandlerDeps): CommandHandler {
  return {
    definition: lessonCommand,
    async execute(interaction: ChatInputCommandInteraction, reply: Reply) {
      const subcommand = interaction.options.getSubcommand();
      reply.ephemeral = interaction.options.getBoolean('share') !== true;
      const guildId = requireGuild(interaction);
      const member = { guildId, userId: interaction.user.id };
      switch (subcommand) {
        case 'today': {
          readOptions(interaction, lessonToday);
          const stored = await todaysLesson(deps, guildId);
          return reply.send(await cardFor(deps, stored, guildId));
        }
        case 'show': {
          const { lesson } = readOptions(interaction, lessonShow);
          return reply.send(await cardFor(deps, await requestedLesson(deps, guildId, lesson), guildId));
        }
        case 'dialogue':
        case 'article': {
          const { lesson, share = false } = readOptions(interaction, subcommand === 'dialogue' ? lessonDialogue : lessonArticle);
          const stored = await requestedLesson(deps, guildId, lesson);
          return reply.send(await openPart(deps, stored, subcommand, member, share));
        }
        case 'related': {
          const { lesson } = readOptions(interaction, lessonRelated);
          return reply.send(await relatedFor(deps, await requestedLesson(deps, guildId, lesson)));
        }
        case 'import':
          reply.ephemeral = true;
          return importLessonFile(deps, interaction, reply);
      }
    },
    async autocomplete(interaction: AutocompleteInteraction) {
      const focused = interaction.options.getFocused(true);
      await interaction.respond(focused.name === 'lesson' ? await lessonChoices(deps.db, focused.value) : []);
    },
  };
}
