import {
  distinctiveLexemes,
  lessonsSimilarByContent,
  similarReadingsOf,
  type FoundLesson,
  type Member,
} from '../db/discovery.js';
import type { Executor } from '../db/schema.js';

/** A learner wants a handful of next readings (and Discord's select menus hold 25). */
export const MAX_RELATED = 5;

export type RelatedReason = 'similar-reading' | 'content';

export interface RelatedLesson extends FoundLesson {
  readonly reason: RelatedReason;
  /** Whether the member asking has read it (opened its dialogue or article, or marked it read). */
  readonly read: boolean;
}

export interface RelatedReadings {
  /** Library lessons, best first: the ones the export's similar readings name, then similar by content. */
  readonly lessons: readonly RelatedLesson[];
  /** Similar-reading titles that name no lesson of the library (listed, without a link). */
  readonly notInLibrary: readonly string[];
}

/** Rare words are picked until they are found in about this many lessons, so ranking them stays cheap. */
const CONTENT_CANDIDATE_BUDGET = 200;
const CONTENT_WORDS = 8;
/** A word in more than this share of the library says little about what a lesson is about. */
const COMMON_SHARE = 0.2;

/**
 * Related readings of a lesson: the lessons its similar-reading titles name (matched at import), then
 * lessons most similar by content. Never the lesson itself, never one twice, at most MAX_RELATED.
 * Two round trips: the stored titles and the lesson's distinctive words (together), then similar lessons.
 */
export async function relatedReadings(db: Executor, lessonId: string, member?: Member): Promise<RelatedReadings> {
  const [titles, distinctive] = await Promise.all([
    similarReadingsOf(db, lessonId, member),
    distinctiveLexemes(db, lessonId, { maxShare: COMMON_SHARE, minCap: 3, limit: CONTENT_WORDS * 3 }),
  ]);
  const seen = new Set<string>([lessonId.toLowerCase()]);
  const lessons: RelatedLesson[] = [];
  const notInLibrary: string[] = [];
  for (const title of titles) {
    if (!title.lesson) notInLibrary.push(title.title);
    else if (!seen.has(title.lesson.id) && lessons.length < MAX_RELATED) {
      seen.add(title.lesson.id);
      lessons.push({ ...title.lesson, reason: 'similar-reading' });
    }
  }

  if (lessons.length < MAX_RELATED) {
    const size = distinctive.librarySize;
    const words = pickWithinBudget(distinctive.words).map((w) => ({
      lexeme: w.lexeme,
      weight: Math.log(1 + (size + 1) / (1 + w.docs)),
    }));
    // Same topic = sharing at least two of the lesson's distinctive words (one, if it has only one).
    const similar = await lessonsSimilarByContent(db, words, {
      minShared: Math.min(2, words.length),
      exceptLessonIds: [...seen],
      limit: MAX_RELATED - lessons.length,
      member,
    });
    lessons.push(...similar.map((lesson) => ({ ...lesson, reason: 'content' as const })));
  }
  return { lessons, notInLibrary };
}

/** The rarest words first, as long as the lessons containing them stay within the budget. */
function pickWithinBudget(words: readonly { lexeme: string; docs: number }[]): { lexeme: string; docs: number }[] {
  const picked: { lexeme: string; docs: number }[] = [];
  let budget = CONTENT_CANDIDATE_BUDGET;
  for (const word of words) {
    if (picked.length === CONTENT_WORDS || (picked.length > 0 && word.docs > budget)) break;
    picked.push(word);
    budget -= word.docs;
  }
  return picked;
}

/** The CLI's JSON entries (`npm run lessons -- related <id> --json`), best first. */
export function relatedToJson(
  related: RelatedReadings,
): { id: string | null; title: string; date: string | null; reason: RelatedReason }[] {
  return [
    ...related.lessons.map((lesson) => ({ id: lesson.id, title: lesson.title, date: lesson.date, reason: lesson.reason })),
    ...related.notInLibrary.map((title) => ({ id: null, title, date: null, reason: 'similar-reading' as const })),
  ];
}
