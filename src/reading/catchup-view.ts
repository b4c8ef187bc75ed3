import { ButtonStyle, ComponentType, type APIActionRowComponent, type APIButtonComponent, type APIEmbed } from 'discord.js';
import { BUTTON_LABEL_MAX, clip, neutralizeMentions, plainText, safeText, visibleOr } from '../domain/discord-format/index.js';
import { truncateAtWord } from '../domain/text.js';
import { encodeCatchupId } from '../domain/progress/catchup-ids.js';
import type { ReplyPayload } from '../discord/reply.js';
import type { CatchupPage } from './catchup.js';

const TITLE_IN_LIST = 200;

function postedOn(date: string): string {
  const parsed = new Date(`${date}T00:00:00Z`);
  return Number.isNaN(parsed.getTime()) ? date : parsed.toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
}

/**
 * Button labels are plain text (no markdown, no mentions): one line, mentions broken as everywhere else
 * (as related and search labels are), cut at a word to Discord's 80 characters.
 */
function label(text: string): string {
  return truncateAtWord(neutralizeMentions(plainText(text).replace(/\s+/gu, ' ').trim()), BUTTON_LABEL_MAX);
}

/**
 * `/lesson catchup`: one page of posted lessons the member has not read, newest first. Each has a
 * button opening its card; Previous / Next page through the list (editing this private message).
 */
export function renderCatchup(page: CatchupPage): ReplyPayload {
  if (page.total === 0) {
    return { content: '🎉 You are all caught up: you have read every lesson posted in this server.' };
  }
  const first = (page.page - 1) * 5;
  const lines = page.lessons.map(
    (lesson, i) => `**${first + i + 1}.** ${clip(safeText(visibleOr(lesson.title.replace(/\s+/gu, ' '), '(untitled)')), TITLE_IN_LIST)}\n\u3000posted ${postedOn(lesson.localDate)}`,
  );
  const embed: APIEmbed = {
    title: `📬 Lessons you have not read yet (${page.total})`,
    description: lines.join('\n'),
    footer: { text: `Page ${page.page} of ${page.pages} · newest first · press a lesson to open its card` },
  };
  const open: APIButtonComponent[] = page.lessons.map((lesson, i) => ({
    type: ComponentType.Button,
    style: ButtonStyle.Primary,
    label: label(`${first + i + 1}. ${lesson.title}`),
    custom_id: encodeCatchupId({ action: 'card', lessonId: lesson.lessonId }),
  }));
  const rows: APIActionRowComponent<APIButtonComponent>[] = [{ type: ComponentType.ActionRow, components: open }];
  if (page.pages > 1) {
    rows.push({
      type: ComponentType.ActionRow,
      components: [
        {
          type: ComponentType.Button,
          style: ButtonStyle.Secondary,
          label: 'Previous',
          custom_id: encodeCatchupId({ action: 'catchup', page: Math.max(1, page.page - 1) }),
          disabled: page.page <= 1,
        },
        {
          type: ComponentType.Button,
          style: ButtonStyle.Secondary,
          label: 'Next',
          custom_id: encodeCatchupId({ action: 'catchup', page: Math.min(page.pages, page.page + 1) }),
          disabled: page.page >= page.pages,
        },
      ],
    });
  }
  return { embeds: [embed], components: rows };
}
