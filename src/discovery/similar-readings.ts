import { atLeastKOf, candidatesAmong, distinctHeadlines, headlineCandidateWords, headlineOf } from '../domain/discovery/headline.js';
import {
  anyStoredTitles,
  runsParallelWorkers,
  bestHeadlineMatches,
  headLexemes,
  lessonsWithoutStoredReadings,
  deleteSimilarReadings,
  insertSimilarReadings,
  setSimilarReadingMatches,
  similarReadingTitles,
  storedTitlesPage,
  titlesNaming,
  titlesSharingAny,
  type HeadlineMatch,
  type HeadlineMatchFound,
  type HeadlineToMatch,
  type OtherLessonsTitle,
  type StoredSimilarReading,
} from '../db/headline-matching.js';
import {
  applyLexemeDocChanges,
  mergePendingSearchEntries,
  countLexemeDocChanges,
  lexemeDocCounts,
  librarySize,
  lexemesOf,
  startLexemeDocChanges,
  type WeightedLexeme,
} from '../db/lexeme-docs.js';
import type { Executor } from '../db/schema.js';

/**
 * A headline names a library lesson only when it scores at least this (0..1; see bestHeadlineMatch).
 * Tuned on the hand-made library in test/db/related-readings.test.ts and on the synthetic library of
 * `npm run bench -- matching`: a headline naming a lesson scores 0.75–1 (all or nearly all its words in the
 * lesson's title or summary, or a near-identical title); a headline about something else, even in the same
 * field, stays below 0.5, since its rare words are missing.
 */
export const MATCH_THRESHOLD = 0.62;

/** Lessons linked at a time after an import: bounds what is in memory, whatever the import's size. */
export const LINK_BATCH = 250;

/** Lessons counted at a time by lexemeCounts.after: one statement for 10,000 lessons would hold ~4 million words. */
const COUNT_AFTER_CHUNK = 2_500;

/**
 * Keeps the per-word document counts current around an import: `start` once in the import's
 * transaction, `before` ahead of writing each lesson's first copy (it takes out what the lesson counted so
 * far), `after` once every lesson is written (each lesson of the import once), and `apply` then: the
 * changes gather in a temporary table and reach lexeme_docs in one statement, its rows locked in one order
 * (two imports at once cannot deadlock on them, whatever their batches). `after` counts the whole import
 * in a few statements: counted a batch at a time, each batch's ~6,000 words were merged into the
 * temporary table again (4–5 s of a 10,000-file import, against ~1 s).
 */
export const lexemeCounts = {
  start: (trx: Executor) => startLexemeDocChanges(trx),
  before: (trx: Executor, lessonIds: readonly string[]) => countLexemeDocChanges(trx, lessonIds, -1),
  after: async (trx: Executor, lessonIds: readonly string[]) => {
    for (let from = 0; from < lessonIds.length; from += COUNT_AFTER_CHUNK) {
      await countLexemeDocChanges(trx, lessonIds.slice(from, from + COUNT_AFTER_CHUNK), 1);
    }
  },
  apply: async (trx: Executor) => {
    await applyLexemeDocChanges(trx);
    await mergePendingSearchEntries(trx);
  },
};

/**
 * From this many lessons, the titles an import matches against the whole library are shared among PostgreSQL's
 * parallel workers (where it runs them). Below it a title's candidates are few and cheap, and the import's other
 * work (the lessons CLI computes their vocabulary meanwhile) has the machine's other core: a 10,000-file import into
 * an empty library took 27.0 s with the workers against 25.2–26.1 s without; 10,000 files into a library of 90,000
 * 85.9–88.4 s against 108.2–110.9 s, and 100,000 files in one import 377.7 s against 538.6–601.6 s (BENCHMARKS.md).
 */
export const PARALLEL_MATCHING_FROM_LESSONS = 25_000;

/**
 * After an import wrote the lessons `writtenIds` (new or updated): matches their similar-reading titles
 * against the whole library, and the titles of lessons imported before against them (both ways), so
 * that a lesson imported later is linked from the lessons that name it. `unchangedIds` are the import's
 * unchanged lessons with titles: those whose titles were never matched (imported before this feature)
 * are matched too. Runs in the import's transaction once every lesson of it is written (a title may name
 * a lesson written after its own), LINK_BATCH lessons at a time forward (their titles read back from the
 * database, matched in one statement, stored in one) and BACKWARD_LIMITS.lessons at a time backward, so memory
 * does not grow with the import.
 *
 * The import's lessons' stored titles are deleted first: the backward step (which reads and writes only
 * other lessons' titles) then finds only those, and the forward step (which reads only lessons) stores the
 * import's titles anew. The two steps touch different rows, so their order changes no result. Before the
 * backward step, other lessons' titles that name a lesson of the import are matched again against the whole
 * library (the lesson may have changed: they would otherwise keep naming it, the backward step only ever
 * replacing a match by a better one).
 */
export async function linkSimilarReadings(
  trx: Executor,
  writtenIds: readonly string[],
  unchangedIds: readonly string[] = [],
  options: { batchSize?: number; backward?: Partial<BackwardLimits>; parallel?: boolean } = {},
): Promise<void> {
  const size = Math.max(1, options.batchSize ?? LINK_BATCH);
  // A lesson written twice by the import (twice in its files) is linked once: its titles are stored once.
  const changed = new Map(writtenIds.map((id) => [id.toLowerCase(), id]));
  for (let start = 0; start < unchangedIds.length; start += size) {
    const batch = unchangedIds.slice(start, start + size);
    const unlinked = await lessonsWithoutStoredReadings(trx, batch);
    for (const id of batch) if (unlinked.has(id.toLowerCase()) && !changed.has(id.toLowerCase())) changed.set(id.toLowerCase(), id);
  }
  const changedIds = [...changed.values()];
  if (changedIds.length === 0) return;
  const library = await librarySize(trx);
  // Titles matched against the whole library (most of a big import's time) are shared among PostgreSQL's parallel
  // workers in a big library; the backward step's, each against a few lessons by id, are not.
  const inParallel = (options.parallel ?? library >= PARALLEL_MATCHING_FROM_LESSONS) && (await runsParallelWorkers(trx));
  for (let start = 0; start < changedIds.length; start += size) {
    await deleteSimilarReadings(trx, changedIds.slice(start, start + size));
  }
  // Document counts of the titles' words, read as titles bring new words: the library does not change while
  // titles are matched, so every step and batch uses them (bounded by the library's vocabulary).
  const docs = new Map<string, number>();
  // Titles that name a lesson the import changed may no longer name it: matched again, against the whole library.
  for (let start = 0; start < changedIds.length; start += size) {
    await rematch(trx, await titlesNaming(trx, changedIds.slice(start, start + size)), docs, library, inParallel);
  }
  await linkBackward(trx, changedIds, library, size, { ...BACKWARD_LIMITS, ...options.backward }, docs);
  await linkForward(trx, changedIds, size, docs, library, inParallel);
}

/**
 * A title's match (null: none), kept when the lesson it was matched for would not have been a candidate:
 * it then holds for the same title of any other lesson than the one it names.
 */
type KnownMatches = Map<string, HeadlineMatch | null>;

/** A forward batch's titles, read with their words and weighed, ready to be matched (readForward). */
interface ForwardBatch {
  readonly readings: readonly (StoredSimilarReading & { lessonId: string })[];
  readonly toMatch: readonly (HeadlineToMatch | undefined)[];
}

/**
 * Forward: these lessons' titles → any lesson of the library (their stored titles were deleted). Each batch's
 * titles are read and weighed while the batch before is matched (its statements queue behind that one on the
 * transaction's connection; the work between them, ~40 ms a batch of 250 lessons, kept the database waiting), and
 * each batch's titles are stored while the next batch's matching statement is built (nothing the forward step
 * matches reads the stored titles; the database waited for that statement's ~10–20 ms of this thread each batch).
 */
async function linkForward(
  trx: Executor,
  lessonIds: readonly string[],
  size: number,
  docs: Map<string, number>,
  library: number,
  inParallel: boolean,
): Promise<void> {
  // The library does not change while titles are matched forward: a title named by several lessons is matched once.
  const known: KnownMatches = new Map();
  // Two batches read ahead: the next one's are done when a batch's statement is built, so the database runs the
  // batch before's insert and the one after's reads meanwhile.
  const reads: Promise<ForwardBatch>[] = [];
  const read = (start: number) => {
    if (start >= lessonIds.length) return;
    const reading = readForward(trx, lessonIds.slice(start, start + size), docs, library);
    // Awaited in its round or below; until then a failure must not count as unhandled.
    reading.catch(() => undefined);
    reads.push(reading);
  };
  read(0);
  read(size);
  let storing: Promise<void> | undefined;
  // A statement failing fails those queued behind it (the transaction is aborted): the stored titles' own failure,
  // if any, is the one reported.
  const afterStoring = async <T>(waiting: Promise<T>): Promise<T> => {
    try {
      return await waiting;
    } catch (error) {
      await storing;
      throw error;
    }
  };
  try {
    for (let start = 0; reads.length > 0; start += size) {
      const batch: ForwardBatch = await afterStoring(reads.shift() as Promise<ForwardBatch>);
      read(start + 2 * size);
      const matches = await afterStoring(matchKnown(trx, batch.toMatch, known, inParallel));
      await storing;
      storing = storeForward(trx, batch, matches);
      storing.catch(() => undefined);
    }
    await storing;
  } finally {
    // Whatever failed, no statement of the transaction is still running when it ends.
    for (const reading of reads) await reading.catch(() => undefined);
    await storing?.catch(() => undefined);
  }
}

async function readForward(trx: Executor, lessonIds: readonly string[], docs: Map<string, number>, library: number): Promise<ForwardBatch> {
  const lessons = await similarReadingTitles(trx, lessonIds);
  const headlinesByLesson = lessons.map((lesson) => distinctHeadlines(lesson.similarReadings));
  const allHeadlines = [...new Set(headlinesByLesson.flat())];
  const lexemes = await lexemesOf(trx, allHeadlines);
  const lexemesByHeadline = new Map(allHeadlines.map((headline, index) => [headline, lexemes[index] ?? []]));
  await countWords(trx, lexemes.flat(), docs);
  const weigh = (words: readonly string[]) => weighted(words, docs, library);
  const readings: (StoredSimilarReading & { lessonId: string })[] = [];
  const toMatch: (HeadlineToMatch | undefined)[] = [];
  for (const [index, lesson] of lessons.entries()) {
    for (const [position, headline] of (headlinesByLesson[index] ?? []).entries()) {
      const words = lexemesByHeadline.get(headline) ?? [];
      readings.push({ lessonId: lesson.id, position, title: headline, lexemes: words, matchedLessonId: null, score: null });
      toMatch.push(toHeadlineMatch(headline, weigh(words), lesson.id, library));
    }
  }
  return { readings, toMatch };
}

async function storeForward(trx: Executor, batch: ForwardBatch, matches: readonly (HeadlineMatch | undefined)[]): Promise<void> {
  await insertSimilarReadings(
    trx,
    batch.readings.map((reading, index) => {
      const match = matches[index];
      return match ? { ...reading, matchedLessonId: match.lessonId, score: match.score } : reading;
    }),
  );
}

/**
 * Backward: titles of lessons outside the import (its lessons' titles were deleted, and are matched forward)
 * that may name one of `lessonIds`; a title takes one of them when it scores better than what it names now.
 * A title's candidates among these lessons are found here, from their title-and-summary words
 * (candidatesAmong: the lessons the head_vector index would find for it), and each title is then scored
 * against its own few candidates only, looked up by id: through the index, each of the library's titles
 * would have been matched against the whole library (a 250-file import into a library of 90,000 lessons ran
 * one statement past the CLI's two-minute bound). The titles are read once for BACKWARD_LIMITS.lessons lessons of
 * the import, a page at a time, or in one statement through the lexemes' index when those lessons have few words
 * and few titles share one.
 */
async function linkBackward(
  trx: Executor,
  lessonIds: readonly string[],
  library: number,
  batchSize: number,
  limits: BackwardLimits,
  docs: Map<string, number>,
): Promise<void> {
  // No title stored (an import into an empty library: its own lessons' titles were deleted): none to link back.
  if (!(await anyStoredTitles(trx))) return;
  const perChunk = Math.max(1, limits.lessons);
  for (let start = 0; start < lessonIds.length; start += perChunk) {
    const chunk = lessonIds.slice(start, start + perChunk);
    const lessonsByWord = new Map<string, string[]>();
    for (let from = 0; from < chunk.length; from += batchSize) {
      for (const [lessonId, lexemes] of await headLexemes(trx, chunk.slice(from, from + batchSize))) {
        for (const lexeme of lexemes) {
          const lessons = lessonsByWord.get(lexeme);
          if (lessons) lessons.push(lessonId);
          else lessonsByWord.set(lexeme, [lessonId]);
        }
      }
    }
    await linkBackwardTo(trx, lessonsByWord, docs, library, limits);
  }
}

/** How linkBackward reads and scores (smaller in tests, so that every path runs on a small library). */
export interface BackwardLimits {
  /** Lessons of an import looked up at once (their title-and-summary words in memory). */
  readonly lessons: number;
  /** Stored titles read at a time. */
  readonly titlesPage: number;
  /** At most this many title–lesson pairs scored in one statement. */
  readonly pairsPerStatement: number;
  /**
   * Up to this many distinct words, the titles sharing one are first looked up through the lexemes' index, at most
   * `filterUpToTitles` of them; when more share one (or the words are more), every title is read, page by page.
   */
  readonly filterUpToLexemes: number;
  readonly filterUpToTitles: number;
}

export const BACKWARD_LIMITS: BackwardLimits = {
  lessons: 2_500,
  titlesPage: 2_000,
  pairsPerStatement: 5_000,
  filterUpToLexemes: 500,
  filterUpToTitles: 10_000,
};

async function linkBackwardTo(
  trx: Executor,
  lessonsByWord: ReadonlyMap<string, readonly string[]>,
  docs: Map<string, number>,
  library: number,
  limits: BackwardLimits,
): Promise<void> {
  let pending: { title: OtherLessonsTitle; headline: HeadlineToMatch }[] = [];
  let pairs = 0;
  const score = async () => {
    const matches = (await matchHeadlines(trx, pending.map((entry) => entry.headline))).map((found) => found.match);
    // Later titles, or the next lessons of the import, read the titles again with the scores stored here.
    await setSimilarReadingMatches(
      trx,
      pending.flatMap(({ title }, index) => {
        const match = matches[index];
        return match && (title.score === null || match.score > title.score) ? [{ lessonId: title.lessonId, position: title.position, match }] : [];
      }),
    );
    pending = [];
    pairs = 0;
  };
  const consider = async (titles: readonly OtherLessonsTitle[]) => {
    await countWords(trx, titles.flatMap((title) => title.lexemes), docs);
    for (const title of titles) {
      // A title scoring 1, the most a score can be, keeps its lesson: a new one must score better.
      if (title.score !== null && title.score >= 1) continue;
      const headline = toHeadlineMatch(title.title, weighted(title.lexemes, docs, library), title.lessonId, library);
      const onlyLessonIds = headline && candidatesAmong(lessonsByWord, headline.candidateWords);
      if (!headline || !onlyLessonIds || onlyLessonIds.length === 0) continue;
      // Only a better score than the title's own matters: candidates that cannot reach it are not scored in full.
      pending.push({ title, headline: { ...headline, onlyLessonIds, ...(title.score === null ? {} : { atLeast: title.score }) } });
      pairs += onlyLessonIds.length;
      if (pairs >= limits.pairsPerStatement) await score();
    }
  };
  const few =
    lessonsByWord.size <= limits.filterUpToLexemes ? await titlesSharingAny(trx, [...lessonsByWord.keys()], limits.filterUpToTitles + 1) : undefined;
  if (few && few.length <= limits.filterUpToTitles) await consider(few);
  else {
    let after: OtherLessonsTitle | undefined;
    for (;;) {
      const page = await storedTitlesPage(trx, after, Math.max(1, limits.titlesPage));
      if (page.length === 0) break;
      after = page[page.length - 1];
      await consider(page);
    }
  }
  if (pending.length > 0) await score();
}

/** Reads the document counts of the words not in `docs` yet. */
async function countWords(trx: Executor, lexemes: readonly string[], docs: Map<string, number>): Promise<void> {
  const unknown = [...new Set(lexemes)].filter((lexeme) => !docs.has(lexeme));
  if (unknown.length === 0) return;
  const counted = await lexemeDocCounts(trx, unknown);
  for (const lexeme of unknown) docs.set(lexeme, counted.get(lexeme) ?? 0);
}

/** Titles matched against the whole library in one statement: about what the forward step's statements hold. */
const REMATCH_TITLES_PER_STATEMENT = 1_000;

/** Matches stored titles against the whole library, as the forward step matches an import's own, and stores the result (or none). */
async function rematch(trx: Executor, titles: readonly OtherLessonsTitle[], docs: Map<string, number>, library: number, inParallel: boolean): Promise<void> {
  for (let start = 0; start < titles.length; start += REMATCH_TITLES_PER_STATEMENT) {
    const some = titles.slice(start, start + REMATCH_TITLES_PER_STATEMENT);
    await countWords(trx, some.flatMap((title) => title.lexemes), docs);
    const found = await matchHeadlines(
      trx,
      some.map((title) => toHeadlineMatch(title.title, weighted(title.lexemes, docs, library), title.lessonId, library)),
      { inParallel },
    );
    await setSimilarReadingMatches(
      trx,
      some.map((title, index) => ({ lessonId: title.lessonId, position: title.position, match: found[index]?.match ?? null })),
    );
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
  const [found] = await bestMatches(db, [toHeadlineMatch(headline, weighted(words, docs, library), exceptLessonId, library)]);
  return found?.match;
}

/**
 * What a headline is matched with, or undefined for a headline with no searchable word (only stop words or
 * punctuation): it names nothing. Candidates are found by the headline's rarest words that some lesson's
 * title or summary has: a word in none (a headline's own wording, "jolts", "50th") still weighs in the
 * score, but looking for it there finds nothing.
 */
function toHeadlineMatch(
  headline: string,
  lexemes: readonly (WeightedLexeme & { readonly docs: number })[],
  exceptLessonId: string,
  library: number,
): (HeadlineToMatch & { readonly candidateWords: { readonly words: readonly string[]; readonly need: number } }) | undefined {
  const counted = lexemes.filter((l) => l.docs > 0);
  // No word counted at all (lessons written without an import's counts): every word may find candidates.
  const candidateWords = headlineCandidateWords(counted.length > 0 ? counted : lexemes, library);
  const candidates = candidateWords && atLeastKOf(candidateWords.words, candidateWords.need);
  return candidateWords && candidates ? { text: headline, lexemes, candidates, candidateWords, exceptLessonId } : undefined;
}

const NOTHING_FOUND: HeadlineMatchFound = { match: undefined, exceptIsCandidate: false };

/** The best match of each headline (none where it names nothing), in one statement for all. */
async function bestMatches(
  db: Executor,
  headlines: readonly (HeadlineToMatch | undefined)[],
  options: { atLeast?: number; reportExcept?: boolean; inParallel?: boolean } = {},
): Promise<HeadlineMatchFound[]> {
  const searched = headlines.flatMap((headline, index) => (headline ? [{ headline, index }] : []));
  const found = await bestHeadlineMatches(
    db,
    searched.map((s) => s.headline),
    options,
  );
  const matches: HeadlineMatchFound[] = headlines.map(() => NOTHING_FOUND);
  for (const [i, s] of searched.entries()) matches[s.index] = found[i] ?? NOTHING_FOUND;
  return matches;
}

/** bestMatches, keeping only the matches scoring MATCH_THRESHOLD or more. */
async function matchHeadlines(
  trx: Executor,
  headlines: readonly (HeadlineToMatch | undefined)[],
  options: { reportExcept?: boolean; inParallel?: boolean } = {},
): Promise<HeadlineMatchFound[]> {
  // Candidates that cannot reach the threshold are left out in the database (the best match is the same).
  return (await bestMatches(trx, headlines, { ...options, atLeast: MATCH_THRESHOLD })).map((found) =>
    found.match && found.match.score >= MATCH_THRESHOLD ? found : { ...found, match: undefined },
  );
}

/**
 * matchHeadlines for the forward step, each title matched once where its match is known (`known`, kept
 * across batches): the best lesson for a title excepting lesson A is the best for it excepting lesson B
 * when A would not have been a candidate and B is not that best (the best of all is then the best of all
 * but B; none reaching the threshold in all, none does in fewer). The others are matched, one lesson per
 * title a round.
 */
async function matchKnown(
  trx: Executor,
  headlines: readonly (HeadlineToMatch | undefined)[],
  known: KnownMatches,
  inParallel: boolean,
): Promise<(HeadlineMatch | undefined)[]> {
  const matches: (HeadlineMatch | undefined)[] = headlines.map(() => undefined);
  let pending = headlines.flatMap((headline, index) => (headline ? [{ headline, index }] : []));
  while (pending.length > 0) {
    const asked: typeof pending = [];
    const askedTexts = new Set<string>();
    const later: typeof pending = [];
    for (const entry of pending) {
      const seen = known.get(entry.headline.text);
      if (seen !== undefined && seen?.lessonId.toLowerCase() !== entry.headline.exceptLessonId.toLowerCase()) matches[entry.index] = seen ?? undefined;
      else if (askedTexts.has(entry.headline.text)) later.push(entry);
      else {
        askedTexts.add(entry.headline.text);
        asked.push(entry);
      }
    }
    const found = await matchHeadlines(
      trx,
      asked.map((entry) => entry.headline),
      { reportExcept: true, inParallel },
    );
    for (const [i, entry] of asked.entries()) {
      const result = found[i] ?? NOTHING_FOUND;
      matches[entry.index] = result.match;
      if (!result.exceptIsCandidate) known.set(entry.headline.text, result.match ?? null);
    }
    pending = later;
  }
  return matches;
}

/** Rarest first, weighted by inverse document frequency (a word in no lesson weighs most). */
function weighted(lexemes: readonly string[], docs: ReadonlyMap<string, number>, library: number): (WeightedLexeme & { docs: number })[] {
  return lexemes
    .map((lexeme) => {
      const count = docs.get(lexeme) ?? 0;
      return { lexeme, docs: count, weight: Math.log(1 + (library + 1) / (1 + count)) };
    })
    .sort((a, b) => b.weight - a.weight || a.lexeme.localeCompare(b.lexeme));
}
