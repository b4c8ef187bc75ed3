import type { Lesson } from '../domain/lesson.js';
import { distinctHeadlines, headlineCandidates, headlineOf } from '../domain/discovery/headline.js';
import {
  adjustLexemeDocCounts,
  bestHeadlineMatch,
  headLexemes,
  lexemeDocCounts,
  librarySize,
  lessonsWithoutStoredReadings,
  lexemesOf,
  replaceSimilarReadings,
  setSimilarReadingMatch,
  titlesSharingLexemes,
  type HeadlineMatch,
  type StoredSimilarReading,
  type WeightedLexeme,
} from '../db/discovery.js';
import type { Executor } from '../db/schema.js';

/**
 * A headline names a library lesson only when it scores at least this (0..1; see bestHeadlineMatch).
 * Tuned on the hand-made library in test/db/related-readings.test.ts and on the synthetic library of
 * `npm run bench -- matching`: a headline naming a lesson scores 0.75–1 (all or nearly all its words in the
 * lesson's title or summary, or a near-identical title); a headline about something else, even in the same
 * field, stays below 0.5, since its rare words are missing.
 */
export const MATCH_THRESHOLD = 0.62;

/** Big batches look at every other lesson's titles instead of filtering them by shared words first. */
const FILTER_TITLES_UP_TO_LEXEMES = 2000;

/**
 * Keeps the per-word document counts current around an import: call `before` ahead of writing the
 * batch (it takes out what the batch's lessons counted so far) and `after` once it is written.
 */
export const lexemeCounts = {
  before: (trx: Executor, lessonIds: readonly string[]) => adjustLexemeDocCounts(trx, lessonIds, -1),
  after: (trx: Executor, lessonIds: readonly string[]) => adjustLexemeDocCounts(trx, lessonIds, 1),
};

/**
 * After an import wrote `changed` lessons (new or updated): matches their similar-reading titles against
 * the whole library, and the titles of lessons imported before against them (both ways), so that a
 * lesson imported later is linked from the lessons that name it. Runs in the import's transaction.
 */
export async function linkSimilarReadings(
  trx: Executor,
  written: readonly Lesson[],
  unchanged: readonly Lesson[] = [],
): Promise<void> {
  // An unchanged lesson whose titles were never matched (imported before this feature) is matched now.
  const unlinked = await lessonsWithoutStoredReadings(
    trx,
    unchanged.filter((lesson) => lesson.similarReadings.length > 0).map((lesson) => lesson.id),
  );
  const changed = [...written, ...unchanged.filter((lesson) => unlinked.has(lesson.id.toLowerCase()))];
  if (changed.length === 0) return;
  const library = await librarySize(trx);
  const headlinesByLesson = changed.map((lesson) => distinctHeadlines(lesson.similarReadings));
  const allHeadlines = [...new Set(headlinesByLesson.flat())];
  const lexemes = await lexemesOf(trx, allHeadlines);
  const lexemesByHeadline = new Map(allHeadlines.map((headline, index) => [headline, lexemes[index] ?? []]));
  const docs = await lexemeDocCounts(trx, lexemes.flat());
  const weigh = (words: readonly string[]) => weighted(words, docs, library);

  // Forward: this lesson's titles → any lesson of the library.
  for (const [index, lesson] of changed.entries()) {
    const readings: StoredSimilarReading[] = [];
    for (const [position, headline] of (headlinesByLesson[index] ?? []).entries()) {
      const words = lexemesByHeadline.get(headline) ?? [];
      const match = await matchHeadline(trx, headline, weigh(words), { exceptLessonId: lesson.id });
      readings.push({ position, title: headline, lexemes: words, matchedLessonId: match?.lessonId ?? null, score: match?.score ?? null });
    }
    await replaceSimilarReadings(trx, lesson.id, readings);
  }

  // Backward: titles of other lessons that may name one of these.
  const changedIds = changed.map((lesson) => lesson.id);
  const heads = await headLexemes(trx, changedIds);
  const union = [...new Set([...heads.values()].flat())];
  const titles = await titlesSharingLexemes(trx, union.length <= FILTER_TITLES_UP_TO_LEXEMES ? union : [], changedIds);
  const titleDocs = await lexemeDocCounts(trx, titles.flatMap((title) => title.lexemes));
  for (const title of titles) {
    const match = await matchHeadline(trx, title.title, weighted(title.lexemes, titleDocs, library), {
      exceptLessonId: title.lessonId,
      onlyLessonIds: changedIds,
    });
    if (match && (title.score === null || match.score > title.score)) await setSimilarReadingMatch(trx, title, match);
  }
}

/**
 * The best-scoring library lesson for one similar-reading title, whatever its score (the threshold is
 * not applied): for tuning and benchmarks.
 */
export async function scoreSimilarReading(
  db: Executor,
  title: string,
  exceptLessonId: string,
): Promise<HeadlineMatch | undefined> {
  const headline = headlineOf(title);
  const [words = []] = await lexemesOf(db, [headline]);
  const [docs, library] = await Promise.all([lexemeDocCounts(db, words), librarySize(db)]);
  return bestMatch(db, headline, weighted(words, docs, library), { exceptLessonId });
}

/** A headline with no searchable word (only stop words or punctuation) names nothing. */
async function bestMatch(
  db: Executor,
  headline: string,
  lexemes: readonly WeightedLexeme[],
  options: { exceptLessonId: string; onlyLessonIds?: readonly string[] },
): Promise<HeadlineMatch | undefined> {
  const candidates = headlineCandidates(lexemes.map((l) => l.lexeme));
  return candidates ? bestHeadlineMatch(db, { text: headline, lexemes, candidates }, options) : undefined;
}

async function matchHeadline(
  trx: Executor,
  headline: string,
  lexemes: readonly WeightedLexeme[],
  options: { exceptLessonId: string; onlyLessonIds?: readonly string[] },
): Promise<HeadlineMatch | undefined> {
  const match = await bestMatch(trx, headline, lexemes, options);
  return match && match.score >= MATCH_THRESHOLD ? match : undefined;
}

/** Rarest first, weighted by inverse document frequency (a word in no lesson weighs most). */
function weighted(lexemes: readonly string[], docs: ReadonlyMap<string, number>, library: number): WeightedLexeme[] {
  return lexemes
    .map((lexeme) => ({ lexeme, weight: Math.log(1 + (library + 1) / (1 + (docs.get(lexeme) ?? 0))) }))
    .sort((a, b) => b.weight - a.weight || a.lexeme.localeCompare(b.lexeme));
}
