import type { Interaction } from 'discord.js';
import { lessonIdsByTitle, type LibraryLesson } from '../../../db/lessons.js';
import { countReadersInGuild } from '../../../db/reading.js';
import type { LessonKind } from '../../../domain/discord-format/index.js';
import { recordRead } from '../../../library/reading.js';
import { UserError } from '../../../user-error.js';
import type { ReplyPayload } from '../../reply.js';
import { renderLessonCard } from '../../views/lesson-card.js';
import { renderLessonPage } from '../../views/lesson-pages.js';
import { renderRelated } from '../../views/related.js';
import type { HandlerDeps } from '../deps.js';

/** Lessons are read in servers: reads are counted per server member. */
export function requireGuild(interaction: Interaction): string {
  if (!interaction.inGuild()) throw new UserError('Lessons are read in a server: use this command there.');
  return interaction.guildId;
}

export async function cardFor(deps: HandlerDeps, stored: LibraryLesson, guildId: string): Promise<ReplyPayload> {
  return renderLessonCard(stored, await countReadersInGuild(deps.db, stored.lesson.id, guildId));
}

/** Opening the dialogue or the article counts as reading the lesson. */
export async function openPart(
  deps: HandlerDeps,
  stored: LibraryLesson,
  kind: LessonKind,
  member: { guildId: string; userId: string },
  shared: boolean,
): Promise<ReplyPayload> {
  await recordRead(deps.db, { lessonId: stored.lesson.id, guildId: member.guildId, userId: member.userId, kind, at: deps.now() });
  return renderLessonPage(stored, kind, 1, shared);
}

export async function relatedFor(deps: HandlerDeps, stored: LibraryLesson): Promise<ReplyPayload> {
  return renderRelated(stored, await lessonIdsByTitle(deps.db, stored.lesson.similarReadings));
}
