import {
  autocompleteLessons,
  countTitleOrSummaryMatches,
  lessonsByIdPrefix,
  newestLessons,
  searchArticleOnly,
  searchTitleOrSummary,
  type FoundLesson,
} from '../db/discovery.js';
import type { Executor } from '../db/schema.js';
import { autocompleteQueryParts, searchTermCount, searchTsQuery } from '../domain/discovery/text-query.js';

export type { FoundLesson } from '../db/discovery.js';

export const SEARCH_PAGE_SIZE = 5;

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
}

/**
 * Full-text search over the library: lessons whose title or summary match come first (ranked title above
 * summary), then the others that match, ranked by where the words are (some of them in the title or
 * summary above all of them only in the article). Every word must match (as a prefix: "cyber"
 * finds "cyberattacks"); "quoted words" must appear together. Case and accents are ignored. When no lesson
 * has every word, the lessons with some of them, in the same order (more of the words ranking higher).
 */
export async function searchLibrary(
  db: Executor,
  text: string,
  options: { category?: string | undefined; page?: number; pageSize?: number } = {},
): Promise<SearchPage> {
  const page = Math.max(1, Math.floor(options.page ?? 1));
  const size = options.pageSize ?? SEARCH_PAGE_SIZE;
  const category = options.category?.trim() || undefined;
  const all = searchTsQuery(text, 'all');
  const empty = { query: text, category, page, pageSize: size, results: [], hasNext: false, partial: false };
  if (!all) return empty;
  const any = searchTsQuery(text, 'any') as string;
  const found = await searchPage(db, all, { category, page, size, rankQuery: any });
  if (found.results.length > 0 || searchTermCount(text) < 2) return { ...empty, ...found };
  // Past the last page of a search that has results, or none has every word?
  if (page > 1 && (await searchPage(db, all, { category, page: 1, size: 1 })).results.length > 0) return empty;
  return { ...empty, ...(await searchPage(db, any, { category, page, size })), partial: true };
}

/** One page of a tsquery's matches: title or summary matches first, then article-only ones. */
async function searchPage(
  db: Executor,
  query: string,
  options: { category: string | undefined; page: number; size: number; rankQuery?: string },
): Promise<{ results: FoundLesson[]; hasNext: boolean }> {
  const { category, page, size, rankQuery } = options;
  // One more than a page, to know whether there is a next one.
  const want = size + 1;
  const offset = (page - 1) * size;
  const head = await searchTitleOrSummary(db, query, { category, limit: want, offset });
  let results = head;
  if (head.length < want) {
    // Past the title/summary matches: continue with article-only matches.
    const headTotal = head.length > 0 ? offset + head.length : await countTitleOrSummaryMatches(db, query, category);
    const articleOffset = Math.max(0, offset - headTotal);
    results = [...head, ...(await searchArticleOnly(db, query, { category, limit: want - head.length, offset: articleOffset, rankQuery }))];
  }
  return { results: results.slice(0, size), hasNext: results.length > size };
}

/** Suggestions for a `lesson` option: words of title or summary, or the start of an ID; newest when empty. */
export async function suggestLessons(db: Executor, typed: string, limit = 25): Promise<FoundLesson[]> {
  const text = typed.slice(0, 100);
  if (text.trim() === '') return newestLessons(db, limit);
  const byId = /^[0-9a-f-]{4,36}$/iu.test(text.trim()) ? await lessonsByIdPrefix(db, text.trim(), limit) : [];
  const query = autocompleteQueryParts(text);
  const byWords = query ? await autocompleteLessons(db, query, limit) : await newestLessons(db, limit);
  const seen = new Set(byId.map((lesson) => lesson.id));
  return [...byId, ...byWords.filter((lesson) => !seen.has(lesson.id))].slice(0, limit);
}
