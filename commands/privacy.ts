import { ApplicationCommandOptionType, ApplicationCommandType, ApplicationIntegrationType, AttachmentBuilder, InteractionContextType } from 'discord.js';
import type { CommandDefinition, SubcommandDefinition } from '../src/discord/command-definition.js';
import { defineCommand } from '../src/discord/command-module.js';
import { decodePrivacyId, type PrivacyButton } from '../src/domain/progress/privacy-ids.js';
import { renderForgetConfirm, renderForgetDecision } from '../src/reading/privacy-view.js';
import { UserError } from '../src/user-error.js';

const privacyExport = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'export',
  description: 'Everything this bot stores about you, in every server, as a JSON file (only you see it)',
} as const satisfies SubcommandDefinition;

const privacyForget = {
  type: ApplicationCommandOptionType.Subcommand,
  name: 'forget-me',
  description: 'Delete everything this bot stores about you, in every server (asks to confirm)',
} as const satisfies SubcommandDefinition;

const privacyCommand = {
  type: ApplicationCommandType.ChatInput,
  name: 'privacy',
  description: 'Your data: take a copy, or erase it',
  contexts: [InteractionContextType.Guild],
  integration_types: [ApplicationIntegrationType.GuildInstall],
  options: [privacyExport, privacyForget],
} as const satisfies CommandDefinition;

/** Discord's upload limit for a server without boosts, for an interaction that does not say (10 MiB). */
const DEFAULT_ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024;

function ownButton(button: PrivacyButton, userId: string): void {
  if (button.userId !== userId) throw new UserError('This button is for the member who asked. Use `/privacy forget-me` yourself.');
}

/** `/privacy export` and `/privacy forget-me` (with its confirm and cancel buttons); always private. */
export const privacyModule = defineCommand(privacyCommand, {
  // Who asked to be forgotten is never logged: not by a failure's log line either (its button id names them).
  logsWithoutMember: true,
  subcommands: {
    export: async ({ services, interaction, userId, reply }) => {
      await reply.defer();
      // Discord says how big a file this interaction's answer may attach (by the server's boosts).
      const limit = interaction.attachmentSizeLimit || DEFAULT_ATTACHMENT_SIZE_LIMIT;
      const { name, data, form, rows } = await services.reading.exportFile(userId, limit);
      const note = form === 'gzip' ? ' Compressed to fit Discord’s upload limit: any unzip tool opens it (`gunzip` on Linux and macOS).' : '';
      await reply.send({
        content: `📦 Everything this bot stores about you, in every server: ${rows} record${rows === 1 ? '' : 's'}.${note}`,
        files: [new AttachmentBuilder(data, { name })],
      });
    },
    'forget-me': async ({ services, userId, reply }) => {
      await reply.send(renderForgetConfirm(userId, services.reading.forgetConfirmationExpiry()));
    },
  },
  buttons: {
    prefix: 'pv',
    decode: decodePrivacyId,
    handlers: {
      forget: {
        update: true,
        run: async ({ button, services, interaction, userId, reply }) => {
          ownButton(button, userId);
          const decision = await services.reading.confirmForget(userId, button.expiresAt, interaction.message.id);
          // No user id in the log: they asked to be forgotten.
          if (!decision.cancelled) services.logger.info({ deleted: decision.outcome.deleted }, 'member data forgotten');
          await reply.send(renderForgetDecision(decision));
        },
      },
      cancel: {
        update: true,
        run: async ({ button, services, interaction, userId, reply }) => {
          ownButton(button, userId);
          await reply.send(renderForgetDecision(await services.reading.cancelForget(userId, button.expiresAt, interaction.message.id)));
        },
      },
    },
  },
});
