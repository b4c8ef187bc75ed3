import type { FoundLesson } from '../db/found-lesson.js';
import type { WeightedLexeme } from '../db/lexeme-docs.js';
import {
  lessonsSimilarByText,
  PAIRS_QUERY_UP_TO_WORDS,
  sharedWordsOf,
  similarReadingsOf,
  type LessonWord,
  type Member,
} from '../db/related-readings.js';
import type { Executor } from '../db/schema.js';
import { headlineKey } from '../domain/discovery/headline.js';

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

/**
 * How a lesson's words find the lessons that share two of them (see lessonsSimilarByText). Looked up one at
 * a time, the words read every lesson that has any of them: so they are taken while those lessons add up
 * to LOOKUP_BUDGET, up to CONTENT_WORDS. When that is at most PAIRS_WORDS words (a big library, where words
 * are in more lessons), one index query of every pair answers which lessons have two of them; it reads
 * only those, whose number grows with the words' counts: so the PAIRS_WORDS heaviest words whose lessons
 * add up to PAIRS_BUDGET. A small library has room for many words (titles and summaries are short: the
 * words that tell two reports on one subject from the rest are many, each in a few lessons).
 */
const CONTENT_WORDS = 32;
const LOOKUP_BUDGET = 500;
const PAIRS_WORDS = PAIRS_QUERY_UP_TO_WORDS;
const PAIRS_BUDGET = 2000;
/**
 * A word in more than this share of the library says little about what a lesson is about (and looking it
 * up reads a large part of the index)…
 */
const COMMON_SHARE = 0.05;
/** …unless the library is small: a topic of 4 lessons in a library of 16 is a quarter of it. */
const COMMON_MIN_CAP = 50;
/**
 * A word only in the article counts half as much as one in the title or summary (in both lessons; in the other
 * lesson's, less still when that article is long: ARTICLE_WORDS_PIVOT in src/db/related-readings.ts).
 */
const ARTICLE_ONLY = 0.5;
/**
 * A lesson is about what its first this many words say (title, summary, then article: ~25,000 characters, several
 * times the longest news article, so every real lesson is read whole). A text near the format's limits (200,000
 * characters) holds ~7,500 distinct words, each looked up in the library's counts: its related readings took
 * 145–990 ms at 100,000 lessons.
 */
export const RELATED_WORDS_WITHIN = 4_000;

/**
 * Related readings of a lesson: the lessons its similar-reading titles name (matched at import), then
 * lessons most similar by content. Never the lesson itself, never one twice, at most MAX_RELATED.
 * Two round trips: the stored titles and the lesson's words (together), then similar lessons.
 */
export async function relatedReadings(db: Executor, lessonId: string, member?: Member): Promise<RelatedReadings> {
  const [titles, shared] = await Promise.all([
    similarReadingsOf(db, lessonId, member),
    sharedWordsOf(db, lessonId, { maxShare: COMMON_SHARE, minCap: COMMON_MIN_CAP, withinPositions: RELATED_WORDS_WITHIN }),
  ]);
  const seen = new Set<string>([lessonId.toLowerCase()]);
  const lessons: RelatedLesson[] = [];
  const notInLibrary: string[] = [];
  const unmatched = new Set<string>();
  for (const title of titles) {
    if (!title.lesson) {
      // Stored before its import's matching told them apart: "Rice prices rise." and "Rice prices rise" are one.
      const key = headlineKey(title.title);
      if (!unmatched.has(key)) notInLibrary.push(title.title);
      unmatched.add(key);
    }
    else if (!seen.has(title.lesson.id) && lessons.length < MAX_RELATED) {
      seen.add(title.lesson.id);
      lessons.push({ ...title.lesson, reason: 'similar-reading' });
    }
  }

  if (lessons.length < MAX_RELATED) {
    const words = contentWords(shared.words, shared.librarySize);
    // Same topic = sharing at least two of the lesson's telling words (one, if it has only one).
    const similar = await lessonsSimilarByText(db, words, {
      minShared: Math.min(2, words.length),
      exceptLessonIds: [...seen],
      limit: MAX_RELATED - lessons.length,
      member,
    });
    lessons.push(...similar.map((lesson) => ({ ...lesson, reason: 'content' as const })));
  }
  return { lessons, notInLibrary };
}

/**
 * What the lesson is about, as weighted words: a word weighs its rarity (inverse document frequency over
 * whole texts) squared, as in the cosine of two tf-idf vectors (the other lesson's rarity factor comes with
 * the word), halved when it is only in the lesson's article. The heaviest that fit a budget of lessons (a
 * word that does not fit is passed over for a rarer one): the lookup budget if that takes more than
 * PAIRS_WORDS words, else the pairs budget.
 */
function contentWords(words: readonly LessonWord[], librarySize: number): WeightedLexeme[] {
  const weighed = words
    .map((word) => {
      const rarity = Math.log((librarySize + 1) / word.docs);
      return { lexeme: word.lexeme, docs: word.docs, weight: rarity * rarity * (word.inHead ? 1 : ARTICLE_ONLY) };
    })
    .sort((a, b) => b.weight - a.weight || a.docs - b.docs || (a.lexeme < b.lexeme ? -1 : 1));
  const fitting = (count: number, budget: number) => {
    const picked: WeightedLexeme[] = [];
    let left = budget;
    for (const word of weighed) {
      if (picked.length === count) break;
      if (word.docs > left) continue;
      picked.push({ lexeme: word.lexeme, weight: word.weight });
      left -= word.docs;
    }
    return picked;
  };
  const looked = fitting(CONTENT_WORDS, LOOKUP_BUDGET);
  return looked.length > PAIRS_WORDS ? looked : fitting(PAIRS_WORDS, PAIRS_BUDGET);
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
