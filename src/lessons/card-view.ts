import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponent, type APIEmbed } from 'discord.js';
import type { LibraryLessonHead } from '../db/lessons.js';
import { encodeCustomId, lessonCard, type EmbedData } from '../domain/discord-format/index.js';
import type { ReplyPayload } from '../discord/reply.js';
import { hasWordsIn } from '../domain/lesson.js';
import { describeLevel, isRated } from '../domain/vocabulary/level.js';
import { vocabularyButtons } from '../vocabulary/views.js';

export type ButtonRow = APIActionRowComponent<APIButtonComponent>;

/** Domain embeds are already Discord's embed JSON, checked against every limit. */
export function toApiEmbed(embed: EmbedData): APIEmbed {
  return embed as APIEmbed;
}

type ClickStyle = ButtonStyle.Primary | ButtonStyle.Secondary | ButtonStyle.Success;

function button(label: string, emoji: string, customId: string, style: ClickStyle = ButtonStyle.Secondary): APIButtonComponent {
  return { type: ComponentType.Button, style, label, emoji: { name: emoji }, custom_id: customId };
}

/** What a lesson's buttons need of it: its id, and whether it has a dialogue and an article to open. */
export interface ButtonsLesson {
  readonly lesson: { readonly id: string };
  readonly dialogueWords: number;
  readonly articleWords: number;
}

/**
 * Dialogue, Article, Related, Mark as read: they work for everyone, on any message that carries them. A text the
 * lesson lacks (hasWordsIn: a JSON lesson's `"dialogue": []`) has no button.
 */
export function lessonButtons(stored: ButtonsLesson): ButtonRow {
  const lessonId = stored.lesson.id;
  return {
    type: ComponentType.ActionRow,
    components: [
      ...(hasWordsIn(stored, 'dialogue') ? [button('Dialogue', '💬', encodeCustomId({ action: 'dialogue', lessonId }), ButtonStyle.Primary)] : []),
      ...(hasWordsIn(stored, 'article') ? [button('Article', '📰', encodeCustomId({ action: 'article', lessonId }), ButtonStyle.Primary)] : []),
      button('Related', '🔗', encodeCustomId({ action: 'related', lessonId })),
      button('Mark as read', '✅', encodeCustomId({ action: 'read', lessonId }), ButtonStyle.Success),
    ],
  };
}

/** The lesson card: summary and facts in an embed, with the lesson's buttons. */
export function renderLessonCard(stored: LibraryLessonHead, readers: number, lastReadAt: Date | null = null): ReplyPayload {
  const embed = lessonCard(stored.lesson, {
    readers,
    lastReadAt,
    articleWords: stored.articleWords,
    dialogueWords: stored.dialogueWords,
    ...(stored.level && isRated(stored.level) ? { level: describeLevel(stored.level) } : {}),
  });
  return { embeds: [toApiEmbed(embed)], components: [lessonButtons(stored), vocabularyButtons(stored.lesson.id)] };
}

/** What the daily post sends: the card with a short greeting. */
export function renderLessonPost(stored: LibraryLessonHead, readers: number): ReplyPayload {
  return { content: '📰 **Today’s lesson** is here!', ...renderLessonCard(stored, readers) };
}
