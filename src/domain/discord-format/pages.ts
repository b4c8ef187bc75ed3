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

/** A lesson's article or dialogue as pages for a paged embed. */
export function lessonPages(lesson: Pick<Lesson, 'title' | 'article' | 'dialogue'>, kind: LessonKind): LessonPages {
  const heading = HEADINGS[kind];
  const blocks = kind === 'article' ? formatArticle(lesson) : formatDialogue(lesson);
  const pages = paginate(blocks, PAGE_DESCRIPTION_MAX);
  return {
    title: clip(heading.prefix + (safeText(visibleOr(lesson.title.replace(/\s+/gu, ' ').trim(), '')) || 'Lesson'), EMBED_TITLE_MAX),
    pages: pages.length > 0 ? pages : [heading.empty],
  };
}

/** The footer of a paged embed; pages count from 1. */
export function pageFooter(page: number, pageCount: number): string {
  return `Page ${page} of ${pageCount}`;
}
