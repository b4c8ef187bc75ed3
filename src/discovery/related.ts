import { atLeastKOf } from '../domain/discovery/headline.js';
import {
  distinctiveLexemes,
  librarySize,
  lessonsReadBy,
  lessonsSimilarByContent,
  similarReadingsOf,
  type FoundLesson,
} from '../db/discovery.js';
import type { Executor } from '../db/schema.js';

/** Discord's select menu holds 25 options; a learner wants a handful of next readings. */
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
const CONTENT_CANDIDATE_BUDGET = 2000;
const CONTENT_WORDS = 10;
/** A word in more than this share of the library says little about what a lesson is about. */
const COMMON_SHARE = 0.2;

/**
 * Related readings of a lesson: the lessons its similar-reading titles name (matched at import), then
 * lessons most similar by content. Never the lesson itself, never one twice, at most MAX_RELATED.
 */
export async function relatedReadings(
  db: Executor,
  lessonId: string,
  member?: { guildId: string; userId: string },
): Promise<RelatedReadings> {
  const titles = await similarReadingsOf(db, lessonId);
  const seen = new Set<string>([lessonId.toLowerCase()]);
  const named: FoundLesson[] = [];
  const notInLibrary: string[] = [];
  for (const title of titles) {
    if (!title.lesson) notInLibrary.push(title.title);
    else if (!seen.has(title.lesson.id) && named.length < MAX_RELATED) {
      seen.add(title.lesson.id);
      named.push(title.lesson);
    }
  }

  let similar: FoundLesson[] = [];
  if (named.length < MAX_RELATED) {
    const size = await librarySize(db);
    const maxDocs = Math.max(3, Math.floor(size * COMMON_SHARE));
    const words = pickWithinBudget(await distinctiveLexemes(db, lessonId, { maxDocs, limit: CONTENT_WORDS * 3 }));
    // Same topic = sharing at least two of the lesson's distinctive words (one, if it has only one).
    const match = atLeastKOf(
      words.map((w) => w.lexeme),
      Math.min(2, words.length),
      words.length,
    );
    if (match) {
      const rankBy = words.map((w) => ({ lexeme: w.lexeme, weight: Math.log(1 + (size + 1) / (1 + w.docs)) }));
      similar = await lessonsSimilarByContent(db, { match, rankBy }, {
        exceptLessonIds: [...seen],
        limit: MAX_RELATED - named.length,
      });
    }
  }

  const read = member ? await lessonsReadBy(db, member, [...named, ...similar].map((l) => l.id)) : new Set<string>();
  return {
    lessons: [
      ...named.map((lesson) => ({ ...lesson, reason: 'similar-reading' as const, read: read.has(lesson.id) })),
      ...similar.map((lesson) => ({ ...lesson, reason: 'content' as const, read: read.has(lesson.id) })),
    ],
    notInLibrary,
  };
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
export function relatedToJson(related: RelatedReadings): { id: string | null; title: string; date: string | null; reason: RelatedReason }[] {
  return [
    ...related.lessons.map((lesson) => ({ id: lesson.id, title: lesson.title, date: lesson.date, reason: lesson.reason })),
    ...related.notInLibrary.map((title) => ({ id: null, title, date: null, reason: 'similar-reading' as const })),
  ];
}
