import type { ButtonInteraction } from 'discord.js';
import { findLesson, type LibraryLesson } from '../../../db/lessons.js';
import { clip, decodeCustomId, safeText } from '../../../domain/discord-format/index.js';
import { recordRead } from '../../../library/reading.js';
import { UserError } from '../../../user-error.js';
import type { Reply } from '../../reply.js';
import type { ButtonHandler } from '../../router.js';
import { renderLessonPage } from '../../views/lesson-pages.js';
import type { HandlerDeps } from '../deps.js';
import { openPart, relatedFor, requireGuild } from './reading.js';

/**
 * The lesson buttons, on cards, daily posts and pages, for anyone who clicks them. Everything a click
 * needs is in its custom id, so it works on old posts and after restarts.
 */
export function lessonButtonHandler(deps: HandlerDeps): ButtonHandler {
  return {
    prefix: 'l:',
    async execute(interaction: ButtonInteraction, reply: Reply) {
      const button = decodeCustomId(interaction.customId);
      if (!button) throw new UserError('This button has expired.');
      // Paging edits a private message in place; on a shared message it answers the clicker privately.
      reply.mode = button.action === 'page' && !button.shared ? 'update' : 'reply';
      reply.ephemeral = true;
      const guildId = requireGuild(interaction);
      const stored = await lessonOrGone(deps, button.lessonId);
      const member = { guildId, userId: interaction.user.id };
      switch (button.action) {
        case 'dialogue':
        case 'article':
          return reply.send(await openPart(deps, stored, button.action, member, false));
        case 'related':
          return reply.send(await relatedFor(deps, stored));
        case 'read': {
          const outcome = await recordRead(deps.db, { lessonId: stored.lesson.id, ...member, kind: 'finished', at: deps.now() });
          return reply.send({
            content: outcome.firstFinish
              ? `✅ Marked **${clip(safeText(stored.lesson.title), 200)}** as read. Well done!`
              : '✅ You already marked this lesson as read.',
          });
        }
        case 'page':
          // The answer is always a private message now, so its own buttons page it in place.
          return reply.send(renderLessonPage(stored, button.kind, button.page, false));
      }
    },
  };
}

async function lessonOrGone(deps: HandlerDeps, lessonId: string): Promise<LibraryLesson> {
  const stored = await findLesson(deps.db, lessonId);
  if (!stored) throw new UserError('This lesson is no longer in the library.');
  return stored;
}
