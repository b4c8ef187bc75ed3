import { ButtonStyle, ComponentType, type APIButtonComponent } from 'discord.js';
import { hasWordsIn, type DialogueLine, type Lesson } from '../domain/lesson.js';
import { encodeCustomId, lessonPages, pageFooter, safeUrl, type LessonKind, type LessonPages } from '../domain/discord-format/index.js';
import type { ReplyPayload } from '../discord/reply.js';
import { type ButtonRow, toApiEmbed } from './card-view.js';

/**
 * One page (from 1) of a lesson's dialogue or article. Longer texts get Previous / Next buttons; a page
 * number past the end (the lesson was re-imported shorter) shows the last page.
 */
export function renderLessonPage(
  stored: {
    readonly lesson: Pick<Lesson, 'id' | 'title' | 'url'> & Partial<Pick<Lesson, LessonKind>>;
    /** Without them the other text's button is shown; with them, only when that text has a word (hasWordsIn). */
    readonly dialogueWords?: number;
    readonly articleWords?: number;
  },
  kind: LessonKind,
  page: number,
  shared: boolean,
): ReplyPayload {
  const { title, pages } = keptLessonPages(stored.lesson, kind);
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
  const { dialogueWords, articleWords } = stored;
  const otherHasWords = dialogueWords === undefined || articleWords === undefined || hasWordsIn({ dialogueWords, articleWords }, other);
  const row: ButtonRow = {
    type: ComponentType.ActionRow,
    components: [
      ...(count > 1
        ? [
            pageButton('Previous', '◀️', lessonId, kind, Math.max(1, current - 1), shared, current === 1),
            pageButton('Next', '▶️', lessonId, kind, Math.min(count, current + 1), shared, current === count),
          ]
        : []),
      ...(otherHasWords
        ? [
            {
              type: ComponentType.Button,
              style: ButtonStyle.Secondary,
              label: other === 'dialogue' ? 'Dialogue' : 'Article',
              emoji: { name: other === 'dialogue' ? '💬' : '📰' },
              custom_id: encodeCustomId({ action: other, lessonId }),
            } as const,
          ]
        : []),
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

/**
 * Texts of at least this many characters keep their pages: each Previous or Next of a 200,000-character paragraph
 * cut all of its 50 pages anew (6–65 ms of the bot's thread), where a news article's are cut in ~0.05 ms.
 */
export const KEEP_PAGES_FROM_CHARACTERS = 20_000;
/** Long texts whose pages are kept, the least recently paged dropped first: each at most ~1 MB (its text and pages). */
export const KEPT_PAGED_TEXTS = 8;

type LessonText = readonly string[] | readonly DialogueLine[];

const keptPages = new Map<string, { readonly title: string; readonly text: LessonText; readonly pages: LessonPages }>();

/**
 * lessonPages, kept for long texts: paging reads the lesson again (from the cache or the database) and is answered
 * with the pages cut for the same text (the same object). Kept by lesson and text, used only while the title and text
 * are the same (a lesson imported again is cut anew).
 */
export function keptLessonPages(lesson: Pick<Lesson, 'id' | 'title'> & Partial<Pick<Lesson, LessonKind>>, kind: LessonKind): LessonPages {
  const text = kind === 'article' ? lesson.article : lesson.dialogue;
  if (text === undefined || textLength(text) < KEEP_PAGES_FROM_CHARACTERS) return lessonPages(lesson, kind);
  const key = `${kind}:${lesson.id}`;
  const kept = keptPages.get(key);
  keptPages.delete(key);
  if (kept && kept.title === lesson.title && sameText(kept.text, text)) {
    keptPages.set(key, kept);
    return kept.pages;
  }
  const pages = lessonPages(lesson, kind);
  keptPages.set(key, { title: lesson.title, text, pages });
  for (const oldest of keptPages.keys()) {
    if (keptPages.size <= KEPT_PAGED_TEXTS) break;
    keptPages.delete(oldest);
  }
  return pages;
}

const pieceText = (piece: string | DialogueLine): string => (typeof piece === 'string' ? piece : piece.text);

function textLength(text: LessonText): number {
  let length = 0;
  for (const piece of text) length += pieceText(piece).length;
  return length;
}

/** The same paragraphs, or the same turns (speakers too): compared whole (~0.1 ms for 200,000 characters). */
function sameText(a: LessonText, b: LessonText): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (typeof x === 'string' || typeof y === 'string' ? x !== y : x.speaker !== y.speaker || x.text !== y.text) return false;
  }
  return true;
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
