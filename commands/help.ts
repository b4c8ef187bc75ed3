import { ApplicationCommandType, ApplicationIntegrationType, InteractionContextType } from 'discord.js';
import type { CommandDefinition } from '../src/discord/command-definition.js';
import { commandIdDirectory } from '../src/discord/command-ids.js';
import { defineCommand, type CommandModule } from '../src/discord/command-module.js';
import { renderHelp, type HelpCommand } from '../src/discord/help-view.js';
import { isModerator } from '../src/discord/permissions.js';

const helpCommand = {
  type: ApplicationCommandType.ChatInput,
  name: 'help',
  description: 'What this bot does, and every command you can use',
  contexts: [InteractionContextType.Guild],
  integration_types: [ApplicationIntegrationType.GuildInstall],
} as const satisfies CommandDefinition;

/**
 * `/help`: always private. It lists the commands from their modules (`commands` is read when asked: this
 * module is itself one of them), as links when Discord's ids for them are known.
 */
export function helpModule(commands: () => readonly HelpCommand[]): CommandModule {
  const directory = commandIdDirectory();
  return defineCommand(helpCommand, {
    subcommands: {
      help: async ({ interaction, services, guildId, reply }) => {
        const [ids, moderator, daily] = await Promise.all([
          directory.idsFor(interaction),
          isModerator(interaction, (id) => services.delivery.moderatorRoleId(id)),
          services.delivery.dailyPost(guildId),
        ]);
        await reply.send(renderHelp(commands(), ids, { moderator }, daily));
      },
    },
  });
}
