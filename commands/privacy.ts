import { ApplicationCommandOptionType, ApplicationCommandType, AttachmentBuilder, InteractionContextType } from 'discord.js';
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
  options: [privacyExport, privacyForget],
} as const satisfies CommandDefinition;

function ownButton(button: PrivacyButton, userId: string): void {
  if (button.userId !== userId) throw new UserError('This button is for the member who asked. Use `/privacy forget-me` yourself.');
}

/** `/privacy export` and `/privacy forget-me` (with its confirm and cancel buttons); always private. */
export const privacyModule = defineCommand(privacyCommand, {
  subcommands: {
    export: async ({ services, userId, reply }) => {
      await reply.defer();
      const { json, rows } = await services.reading.exportMember(userId);
      const file = new AttachmentBuilder(Buffer.from(json, 'utf8'), { name: `newsdesk-data-${userId}.json` });
      await reply.send({
        content: `📦 Everything this bot stores about you, in every server: ${rows} record${rows === 1 ? '' : 's'}.`,
        files: [file],
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
        run: async ({ button, services, userId, reply }) => {
          ownButton(button, userId);
          const decision = await services.reading.confirmForget(userId, button.expiresAt);
          // No user id in the log: they asked to be forgotten.
          if (!decision.cancelled) services.logger.info({ deleted: decision.outcome.deleted }, 'member data forgotten');
          await reply.send(renderForgetDecision(decision));
        },
      },
      cancel: {
        update: true,
        run: async ({ button, services, userId, reply }) => {
          ownButton(button, userId);
          await reply.send(renderForgetDecision(await services.reading.cancelForget(userId, button.expiresAt)));
        },
      },
    },
  },
});
