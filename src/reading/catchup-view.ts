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
 * button opening its card; Previous / Next page through the list (editing this private message) from the first and
 * the last lesson shown, so that lessons read meanwhile do not make the next page skip one.
 */
export function renderCatchup(page: CatchupPage): ReplyPayload {
  if (page.total === 0 && page.nothingPosted === true) {
    return { content: '📭 No lesson has been posted in this server yet, so there is nothing to catch up on. Read today’s lesson with `/lesson today`.' };
  }
  if (page.total === 0) {
    return { content: '🎉 You are all caught up: you have read every lesson posted in this server.' };
  }
  const first = page.start;
  const last = first + page.lessons.length;
  const lines = page.lessons.map(
    (lesson, i) => `**${first + i + 1}.** ${clip(safeText(visibleOr(lesson.title.replace(/\s+/gu, ' '), '(untitled)')), TITLE_IN_LIST)}\n\u3000posted ${postedOn(lesson.localDate)}`,
  );
  const embed: APIEmbed = {
    title: `📬 Lessons you have not read yet (${page.total})`,
    description: lines.join('\n'),
    footer: { text: `${page.lessons.length === 1 ? `Lesson ${first + 1}` : `Lessons ${first + 1}–${last}`} of ${page.total} · newest first · press a lesson to open its card` },
  };
  const open: APIButtonComponent[] = page.lessons.map((lesson, i) => ({
    type: ComponentType.Button,
    style: ButtonStyle.Primary,
    label: label(`${first + i + 1}. ${lesson.title}`),
    custom_id: encodeCatchupId({ action: 'card', lessonId: lesson.lessonId }),
  }));
  const rows: APIActionRowComponent<APIButtonComponent>[] = [{ type: ComponentType.ActionRow, components: open }];
  const [top, bottom] = [page.lessons[0], page.lessons.at(-1)];
  if (page.total > page.lessons.length && top && bottom) {
    const place = (direction: 'next' | 'previous', lesson: typeof top) => encodeCatchupId({ action: 'catchup', from: { direction, postedAtMs: lesson.postedAt.getTime(), lessonId: lesson.lessonId } });
    rows.push({
      type: ComponentType.ActionRow,
      components: [
        { type: ComponentType.Button, style: ButtonStyle.Secondary, label: 'Previous', custom_id: place('previous', top), disabled: first <= 0 },
        { type: ComponentType.Button, style: ButtonStyle.Secondary, label: 'Next', custom_id: place('next', bottom), disabled: last >= page.total },
      ],
    });
  }
  return { embeds: [embed], components: rows };
}
