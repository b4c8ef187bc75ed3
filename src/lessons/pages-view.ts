import { ButtonStyle, ComponentType, type APIButtonComponent } from 'discord.js';
import type { LibraryLesson } from '../db/lessons.js';
import { encodeCustomId, lessonPages, pageFooter, safeUrl, type LessonKind } from '../domain/discord-format/index.js';
import type { ReplyPayload } from '../discord/reply.js';
import { type ButtonRow, toApiEmbed } from './card-view.js';

/**
 * One page (from 1) of a lesson's dialogue or article. Longer texts get Previous / Next buttons; a page
 * number past the end (the lesson was re-imported shorter) shows the last page.
 */
export function renderLessonPage(stored: LibraryLesson, kind: LessonKind, page: number, shared: boolean): ReplyPayload {
  const { title, pages } = lessonPages(stored.lesson, kind);
  const count = pages.length;
  const current = Math.min(Math.max(1, page), count);
  const url = safeUrl(stored.lesson.url);
  const embed = toApiEmbed({
    title,
    ...(url ? { url } : {}),
    description: pages[current - 1] ?? '',
    footer: { text: count > 1 ? pageFooter(current, count) : kind === 'dialogue' ? 'Dialogue' : 'Article' },
  });
  const lessonId = stored.lesson.id;
  const other: LessonKind = kind === 'dialogue' ? 'article' : 'dialogue';
  const row: ButtonRow = {
    type: ComponentType.ActionRow,
    components: [
      ...(count > 1
        ? [
            pageButton('Previous', '◀️', lessonId, kind, Math.max(1, current - 1), shared, current === 1),
            pageButton('Next', '▶️', lessonId, kind, Math.min(count, current + 1), shared, current === count),
          ]
        : []),
      {
        type: ComponentType.Button,
        style: ButtonStyle.Secondary,
        label: other === 'dialogue' ? 'Dialogue' : 'Article',
        emoji: { name: other === 'dialogue' ? '💬' : '📰' },
        custom_id: encodeCustomId({ action: other, lessonId }),
      },
      {
        type: ComponentType.Button,
        style: ButtonStyle.Success,
        label: 'Mark as read',
        emoji: { name: '✅' },
        custom_id: encodeCustomId({ action: 'read', lessonId }),
      },
    ],
  };
  return { embeds: [embed], components: [row] };
}

function pageButton(
  label: string,
  emoji: string,
  lessonId: string,
  kind: LessonKind,
  page: number,
  shared: boolean,
  disabled: boolean,
): APIButtonComponent {
  // With two or more pages, Previous and Next always target different pages: their ids stay unique.
  return {
    type: ComponentType.Button,
    style: ButtonStyle.Secondary,
    label,
    emoji: { name: emoji },
    custom_id: encodeCustomId({ action: 'page', lessonId, kind, page, shared }),
    disabled,
  };
}
