import type { FoundLesson } from '../db/found-lesson.js';
import {
  autocompleteLessons,
  categoriesNamed,
  lessonsByIdPrefix,
  lessonsTitled,
  newestLessons,
  searchArticleOnly,
  searchWithoutWords,
  searchTitleOrSummary,
} from '../db/lesson-search.js';
import type { Executor } from '../db/schema.js';
import { MAX_TITLE_LENGTH } from '../domain/lesson.js';
import { suggestionOrder, suggestionWords, type RankedSuggestion, type RecentSuggestions } from '../domain/discovery/recent-suggestions.js';
import { autocompleteQueryParts, searchTermCount, searchTsQuery, titleWordsTsQuery } from '../domain/discovery/text-query.js';

export type { FoundLesson } from '../db/found-lesson.js';

export const SEARCH_PAGE_SIZE = 5;

/**
 * How many lessons whose title or summary match a search ranks at most: when more match, the newest this many
 * of them. A word in a large share of the library ("said", "year", a start like "pre") says little of what a lesson
 * is about: its matches score nearly alike, and ranking every one of them read them all (~35,000 lessons of
 * 100,000 for "said": 25,000 buffers, 130–260 ms a page on PostgreSQL). The newest of them are read in date order
 * until this many match (2,447 buffers, 4–6 ms), and ranked as before. A search with fewer matches ranks them all.
 */
export const SEARCH_CANDIDATES = 1_000;

/**
 * How many lessons matching only in their article (after the title and summary matches) a search ranks at most:
 * the newest this many. Ranking one reads its article's vector (TOASTed: ~13 µs and a dozen buffers), so these
 * are fewer: a search of four common words ranked 59,000 of them (1–1.7 s a page).
 */
export const ARTICLE_CANDIDATES = 250;

/** A search that more lessons match than it ranks (SEARCH_CANDIDATES, ARTICLE_CANDIDATES). */
export interface SearchBound {
  /** More than this many lessons match. */
  readonly moreThan: number;
  /** The newest this many lessons of the tier below were ranked. */
  readonly newest: number;
  /** The tier bounded: matches in title or summary (`head`), or in the article only (`article`; those in title or summary all come first). */
  readonly tier: 'head' | 'article';
}

export interface SearchPage {
  readonly query: string;
  readonly category: string | undefined;
  /** 1-based. */
  readonly page: number;
  readonly pageSize: number;
  readonly results: readonly FoundLesson[];
  readonly hasNext: boolean;
  /** No lesson has every word: these have some of them. */
  readonly partial: boolean;
  /**
   * More lessons match than are ranked: known on every page when the title and summary matches are bounded, and
   * from the first page that reaches the article-only matches when those are.
   */
  readonly bound?: SearchBound | undefined;
  /** Nothing found because every word is too common to be searched (`the`, `of it`): first pages only. */
  readonly onlyCommonWords?: boolean;
  /**
   * Nothing found because the text holds no word to search for at all: only punctuation, emoji or signs PostgreSQL's
   * parser reads as blanks (`½`, `①`): first pages only.
   */
  readonly nothingSearchable?: boolean;
}

/** How many candidates a search ranks per tier (the defaults above; tests use fewer). */
export interface SearchCandidates {
  readonly head: number;
  readonly article: number;
}

/**
 * Full-text search over the library: lessons whose title or summary match come first (ranked title above
 * summary), then the others that match, ranked by where the words are (some of them in the title or
 * summary above all of them only in the article). Every word must match (as a prefix: "cyber"
 * finds "cyberattacks"); "quoted words" must appear together. Case and accents are ignored. When no lesson
 * has every word, the lessons with some of them, in the same order (more of the words ranking higher).
 * Each of the two groups is ranked among its newest matches when it has more (SEARCH_CANDIDATES, ARTICLE_CANDIDATES).
 */
export async function searchLibrary(
  db: Executor,
  text: string,
  options: { category?: string | undefined; page?: number; pageSize?: number; candidates?: SearchCandidates } = {},
): Promise<SearchPage> {
  const found = await searchMatches(db, text, options);
  if (found.page > 1 || found.results.length > 0) return found;
  // Nothing found: said apart when no word could be searched (`the`, `of it`; `🎉`, `½`), which no other words would mend.
  const all = searchTsQuery(text, 'all');
  if (all === undefined) return { ...found, nothingSearchable: true };
  const without = await searchWithoutWords(db, all);
  return without === 'common' ? { ...found, onlyCommonWords: true } : without === 'none' ? { ...found, nothingSearchable: true } : found;
}

async function searchMatches(
  db: Executor,
  text: string,
  options: { category?: string | undefined; page?: number; pageSize?: number; candidates?: SearchCandidates },
): Promise<SearchPage> {
  const page = Math.max(1, Math.floor(options.page ?? 1));
  const size = options.pageSize ?? SEARCH_PAGE_SIZE;
  const category = options.category?.trim() || undefined;
  const candidates = options.candidates ?? { head: SEARCH_CANDIDATES, article: ARTICLE_CANDIDATES };
  const all = searchTsQuery(text, 'all');
  const empty = { query: text, category, page, pageSize: size, results: [], hasNext: false, partial: false };
  if (!all) return empty;
  // The stored categories so named (case aside), filtered on as they are: their index and statistics apply.
  const categories = category === undefined ? undefined : await categoriesNamed(db, category);
  if (categories?.length === 0) return empty;
  const any = searchTsQuery(text, 'any');
  const found = await searchPage(db, all, { categories, page, size, candidates, rankQuery: any ?? all });
  if (found.results.length > 0 || searchTermCount(text) < 2 || any === undefined) return { ...empty, ...found };
  // Past the last page of a search that has results, or none has every word?
  if (page > 1 && (await searchPage(db, all, { categories, page: 1, size: 1, candidates })).results.length > 0) return empty;
  return { ...empty, ...(await searchPage(db, any, { categories, page, size, candidates })), partial: true };
}

/**
 * One page of a tsquery's matches: title or summary matches first, then article-only ones, each group ranked
 * among its newest `candidates` (a page's lessons are a slice of one list, the same for every page).
 */
async function searchPage(
  db: Executor,
  query: string,
  options: { categories: readonly string[] | undefined; page: number; size: number; candidates: SearchCandidates; rankQuery?: string },
): Promise<{ results: FoundLesson[]; hasNext: boolean; bound?: SearchBound }> {
  const { categories, page, size, candidates, rankQuery } = options;
  // One more than a page, to know whether there is a next one.
  const want = size + 1;
  const offset = (page - 1) * size;
  const head = await searchTitleOrSummary(db, query, { categories, limit: want, offset, candidates: candidates.head });
  // Found up to one more than are ranked: more than that match, and the list ends with the ranked ones.
  const headBound = head.found > candidates.head ? { bound: { moreThan: candidates.head, newest: candidates.head, tier: 'head' as const } } : {};
  if (head.lessons.length === want) return { results: head.lessons.slice(0, size), hasNext: true, ...headBound };
  if (head.found > candidates.head) return { results: head.lessons, hasNext: false, ...headBound };
  // Past the title/summary matches: continue with article-only matches.
  const articleOffset = Math.max(0, offset - head.found);
  const article = await searchArticleOnly(db, query, { categories, limit: want - head.lessons.length, offset: articleOffset, candidates: candidates.article, rankQuery });
  const results = [...head.lessons, ...article.lessons];
  const articleBound =
    article.found > candidates.article
      ? { bound: { moreThan: head.found + candidates.article, newest: candidates.article, tier: 'article' as const } }
      : {};
  return { results: results.slice(0, size), hasNext: results.length > size, ...articleBound };
}

/**
 * Suggestions for a `lesson` option: words of title or summary, or the start of an ID; newest when empty.
 * With `recent` (the newest lessons' words in memory), the words are matched there first: when at least
 * `limit` of the newest lessons match, they are the answer (newest first, title matches before them), with no
 * database round trip; otherwise the database's matches are added to theirs.
 */
export async function suggestLessons(db: Executor, typed: string, limit = 25, recent?: RecentSuggestions): Promise<FoundLesson[]> {
  const text = typed.slice(0, 100);
  const byId = looksLikeIdStart(text) ? await lessonsByIdPrefix(db, text.trim(), limit) : [];
  const byWords = await suggestByWords(db, text, limit, recent);
  const seen = new Set(byId.map((lesson) => lesson.id));
  return [...byId, ...byWords.filter((lesson) => !seen.has(lesson.id))].slice(0, limit);
}

/**
 * The lessons a member's typed option names (words of a title, or the start of an ID), as suggestLessons finds
 * them; none for text with neither (`%%%`, `!!!`, one letter). Suggestions offer the newest lessons for such text,
 * but an option that names nothing matches nothing: it was answered "more than one lesson matches".
 */
export async function lessonsNamed(db: Executor, typed: string, limit: number, recent?: RecentSuggestions): Promise<FoundLesson[]> {
  const text = typed.slice(0, 100);
  if (!looksLikeIdStart(text) && autocompleteQueryParts(text) === undefined) return [];
  return suggestLessons(db, typed, limit, recent);
}

/**
 * The suggestions the newest lessons in memory give by themselves, when they are the whole answer (at least
 * `limit` match; nothing looks like an ID): for when the database is too busy to be asked.
 */
export function suggestFromMemory(typed: string, limit: number, recent: RecentSuggestions): FoundLesson[] | undefined {
  const text = typed.slice(0, 100);
  if (looksLikeIdStart(text)) return undefined;
  const words = suggestionWords(text);
  const found = words ? recent.match(words, limit) : undefined;
  return found?.full ? found.lessons.map(unranked) : undefined;
}

/** A member pasting (the start of) a lesson's ID. */
/**
 * The lessons whose title is exactly what was typed (case and accents aside), newest first: a member who types a
 * whole title gets that lesson, even where its words begin a thousand others' ("Market report on tax" beside
 * "… on taxis") or where it is the start of another title ("Rice prices" beside "Rice prices hit record").
 */
export async function lessonsTitledExactly(db: Executor, typed: string, limit: number): Promise<FoundLesson[]> {
  const text = typed.trim();
  const words = text.length <= MAX_TITLE_LENGTH ? titleWordsTsQuery(text) : undefined;
  return words === undefined ? [] : lessonsTitled(db, text, words, limit);
}

/** The start of a lesson's id as typed: four hex digits or more, with its dashes (`----` alone is no id). */
const looksLikeIdStart = (text: string) => /^(?=(?:-*[0-9a-f]){4})[0-9a-f-]{4,36}$/iu.test(text.trim());

const unranked = ({ id, title, date, category }: RankedSuggestion): FoundLesson => ({ id, title, date, category });

async function suggestByWords(db: Executor, text: string, limit: number, recent: RecentSuggestions | undefined): Promise<FoundLesson[]> {
  const words = recent ? suggestionWords(text) : undefined;
  const inMemory = recent && words ? recent.match(words, limit) : undefined;
  if (inMemory?.full) return inMemory.lessons.map(unranked);
  const query = autocompleteQueryParts(text);
  if (!query) return inMemory ? inMemory.lessons.map(unranked) : newestLessons(db, limit);
  const found = await autocompleteLessons(db, query, limit);
  if (!inMemory) return found.map(unranked);
  // Fewer than `limit` of the newest match: theirs are all of them there, and the database's matches are older or the
  // same; or a lesson held by its title only (a summary of hundreds of words) may match by its summary: the database's
  // matches have it, unless the index found more than its candidates first.
  const merged = new Map<string, RankedSuggestion>(inMemory.lessons.map((lesson) => [lesson.id, lesson]));
  for (const lesson of found) if (!merged.has(lesson.id)) merged.set(lesson.id, lesson);
  return [...merged.values()].sort(suggestionOrder).slice(0, limit).map(unranked);
}
