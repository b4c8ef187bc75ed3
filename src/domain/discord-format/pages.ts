import type { Lesson } from '../lesson.js';
import { clip, safeText, visibleOr } from './escape.js';
import { formatArticle, formatDialogue } from './lesson-blocks.js';
import { EMBED_TITLE_MAX } from './limits.js';
import { paginate } from './paginate.js';

export type LessonKind = 'dialogue' | 'article';

/**
 * A page is one embed description. 4000 rather than 4096 leaves slack; with a title of at most
 * 256 and a `Page x of y` footer, a page embed stays far below the 6000 total.
 */
export const PAGE_DESCRIPTION_MAX = 4000;

export interface LessonPages {
  /** Escaped, at most 256 characters. */
  readonly title: string;
  /** Escaped embed descriptions, each at most PAGE_DESCRIPTION_MAX; never empty, at least one. */
  readonly pages: readonly string[];
}

const HEADINGS: Readonly<Record<LessonKind, { prefix: string; empty: string }>> = {
  article: { prefix: '📰 ', empty: '*This lesson has no article text.*' },
  dialogue: { prefix: '💬 ', empty: '*This lesson has no dialogue.*' },
};

/** A lesson's article or dialogue as pages for a paged embed (the lesson may hold only that text: the other is not read). */
export function lessonPages(lesson: Pick<Lesson, 'title'> & Partial<Pick<Lesson, LessonKind>>, kind: LessonKind): LessonPages {
  const heading = HEADINGS[kind];
  const blocks = kind === 'article' ? formatArticle({ article: readText(lesson.article, kind) }) : formatDialogue({ dialogue: readText(lesson.dialogue, kind) });
  const pages = paginate(blocks, PAGE_DESCRIPTION_MAX);
  return {
    title: clip(heading.prefix + (safeText(visibleOr(lesson.title.replace(/\s+/gu, ' ').trim(), '')) || 'Lesson'), EMBED_TITLE_MAX),
    pages: pages.length > 0 ? pages : [heading.empty],
  };
}

/** A text the caller must have read with the lesson (a lesson read without it is a mistake of ours, not an empty text). */
function readText<T>(text: T | undefined, kind: LessonKind): T {
  if (text === undefined) throw new Error(`the lesson's ${kind} was not read`);
  return text;
}

/** The footer of a paged embed; pages count from 1. */
export function pageFooter(page: number, pageCount: number): string {
  return `Page ${page} of ${pageCount}`;
}
