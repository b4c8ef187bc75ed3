import type { AutocompleteInteraction, ChatInputCommandInteraction } from 'discord.js';
import { scheduleCommand } from '../../../../commands/schedule.js';
import { searchTimeZones } from '../../../domain/schedule/index.js';
import { guildSettings } from '../../../db/guild-settings.js';
import { requireModerator } from '../../../discord/permissions.js';
import type { Reply } from '../../../discord/reply.js';
import type { CommandHandler } from '../../../discord/router.js';
import type { HandlerDeps } from '../deps.js';
import { lessonChoices } from '../lesson-choices.js';
import { listUpcoming, planDay, previewDay, unplanDay } from './planning.js';
import { postNow } from './post-now.js';
import { setAlertsChannel, setModeratorRole, setSchedule } from './settings.js';
import { pauseSchedule, showSchedule } from './status.js';

/** `/schedule`: every reply is private to the moderator. */
export function scheduleHandler(deps: HandlerDeps): CommandHandler {
  return {
    definition: scheduleCommand,
    async execute(interaction: ChatInputCommandInteraction, reply: Reply) {
      reply.ephemeral = true;
      const guildId = await requireModerator(interaction, async (id) => (await guildSettings(deps.db, id)).moderatorRoleId);
      switch (interaction.options.getSubcommand()) {
        case 'set':
          return setSchedule(deps, interaction, guildId, reply);
        case 'show':
          return showSchedule(deps, guildId, reply);
        case 'pause':
          return pauseSchedule(deps, guildId, true, reply);
        case 'resume':
          return pauseSchedule(deps, guildId, false, reply);
        case 'plan':
          return planDay(deps, interaction, guildId, reply);
        case 'unplan':
          return unplanDay(deps, interaction, guildId, reply);
        case 'upcoming':
          return listUpcoming(deps, interaction, guildId, reply);
        case 'preview':
          return previewDay(deps, interaction, guildId, reply);
        case 'post-now':
          return postNow(deps, interaction, guildId, reply);
        case 'alerts':
          return setAlertsChannel(deps, interaction, guildId, reply);
        case 'moderators':
          return setModeratorRole(deps, interaction, guildId, reply);
      }
    },
    async autocomplete(interaction: AutocompleteInteraction) {
      const focused = interaction.options.getFocused(true);
      if (focused.name === 'timezone') {
        await interaction.respond(searchTimeZones(focused.value).map((zone) => ({ name: zone, value: zone })));
      } else if (focused.name === 'lesson') {
        await interaction.respond(await lessonChoices(deps.db, focused.value));
      } else {
        await interaction.respond([]);
      }
    },
  };
}
