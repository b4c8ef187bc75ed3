import { sql } from 'kysely';
import type { LessonWords } from '../domain/discovery/recent-suggestions.js';
import { toFound, type FoundLesson, type FoundRow } from './found-lesson.js';
import type { Executor } from './schema.js';

/**
 * Queries for search and the lesson autocomplete. Every one of them filters through a GIN index (search_vector,
 * word_vector) or a primary key; see test/db/query-plans.test.ts.
 */

/** Search ranking: a title hit outweighs a summary hit, which outweighs article hits ({D, C, B, A}). */
const SEARCH_WEIGHTS = sql.lit('{0, 0.05, 0.3, 1}');

/**
 * Lessons whose title or summary match, best first (title above summary), then newest.
 * Only title and summary vectors are ranked here: they are small, so ranking many matches stays cheap.
 */
export async function searchTitleOrSummary(
  db: Executor,
  query: string,
  options: { category?: string | undefined; limit: number; offset: number },
): Promise<FoundLesson[]> {
  const q = sql`to_tsquery('newsdesk_english', ${query})`;
  let select = db
    .selectFrom('lessons')
    .select(['id', 'title', 'article_date', 'category'])
    .where(sql<boolean>`head_vector @@ ${q}`);
  if (options.category) select = select.where(sql<string>`lower(category)`, '=', options.category.toLowerCase());
  const rows = await select
    .orderBy(sql`ts_rank(${SEARCH_WEIGHTS}, head_vector, ${q})`, 'desc')
    .orderBy('article_date', 'desc')
    .orderBy('id')
    .limit(options.limit)
    .offset(options.offset)
    .execute();
  return rows.map(toFound);
}

export async function countTitleOrSummaryMatches(db: Executor, query: string, category?: string): Promise<number> {
  let select = db
    .selectFrom('lessons')
    .select(sql<number>`count(*)::int`.as('count'))
    .where(sql<boolean>`head_vector @@ to_tsquery('newsdesk_english', ${query})`);
  if (category) select = select.where(sql<string>`lower(category)`, '=', category.toLowerCase());
  return (await select.executeTakeFirstOrThrow()).count;
}

/**
 * Lessons that match, but not in their title and summary alone, ranked by where the words are: `rankQuery`
 * (the same words, any of them) weighs each word found by its place, so a lesson with some of the words in
 * its title ranks above one with all of them only in its article.
 */
export async function searchArticleOnly(
  db: Executor,
  query: string,
  options: { category?: string | undefined; limit: number; offset: number; rankQuery?: string | undefined },
): Promise<FoundLesson[]> {
  const q = sql`to_tsquery('newsdesk_english', ${query})`;
  const rank = sql`to_tsquery('newsdesk_english', ${options.rankQuery ?? query})`;
  let select = db
    .selectFrom('lessons')
    .select(['id', 'title', 'article_date', 'category'])
    .where(sql<boolean>`search_vector @@ ${q}`)
    .where(sql<boolean>`not (head_vector @@ ${q})`);
  if (options.category) select = select.where(sql<string>`lower(category)`, '=', options.category.toLowerCase());
  const rows = await select
    .orderBy(sql`ts_rank(${SEARCH_WEIGHTS}, search_vector, ${rank})`, 'desc')
    .orderBy('article_date', 'desc')
    .orderBy('id')
    .limit(options.limit)
    .offset(options.offset)
    .execute();
  return rows.map(toFound);
}

/** How many matches autocomplete looks at before ordering them: bounds the cost of a very common prefix. */
const AUTOCOMPLETE_CANDIDATES = 100;

/**
 * With words checked outside the index (`rest`), how many lessons having the indexed word autocomplete reads
 * at most to find its candidates. Unbounded, a common word typed with the start of a word rarely beside it
 * ("market zo") read every lesson with the common word: 2,370 buffers and 98 ms a call at 100,000 lessons on
 * cold buffers (pg_stat_statements, 2026-12-02), where a one-word suggestion reads ~100. Past the bound the
 * suggestions may miss a match: they are suggestions, and `/lesson search` finds them all.
 */
export const AUTOCOMPLETE_SCANNED = 500;

/**
 * Autocomplete over whole words of title and summary (accents folded, every word a prefix): lessons
 * whose title has all the words first, then newest. `indexed` (one word) is looked up in the index;
 * `rest` (the other words) is checked on what it finds: `ts_match_vq` is the `@@` operator as a function,
 * which the planner never takes to the index.
 */
export async function autocompleteLessons(
  db: Executor,
  query: { readonly indexed: string; readonly rest?: string | undefined },
  limit: number,
): Promise<(FoundLesson & { readonly inTitle: boolean })[]> {
  const whole = query.rest === undefined ? query.indexed : `${query.indexed} & ${query.rest}`;
  const rest = query.rest === undefined ? sql`true` : sql`ts_match_vq(word_vector, to_tsquery('newsdesk_words', ${query.rest}))`;
  const source =
    query.rest === undefined
      ? sql`lessons`
      : sql`(select id, title, article_date, category, word_vector from lessons
          where word_vector @@ to_tsquery('newsdesk_words', ${query.indexed}) limit ${AUTOCOMPLETE_SCANNED}) as scanned`;
  const rows = await sql<FoundRow & { in_title: boolean }>`
    select id, title, article_date, category, in_title from (
      select id, title, article_date, category,
        word_vector @@ to_tsquery('newsdesk_words', ${titleOnly(whole)}) as in_title
      from ${source}
      where word_vector @@ to_tsquery('newsdesk_words', ${query.indexed}) and ${rest}
      limit ${AUTOCOMPLETE_CANDIDATES}
    ) candidates
    order by in_title desc, article_date desc, id
    limit ${limit}`.execute(db);
  return rows.rows.map((row) => ({ ...toFound(row), inTitle: row.in_title }));
}

/**
 * The newest lessons (article date, then id: the suggestions' order) with the words of their title and
 * summary as the autocomplete index holds them (`word_vector`, weight A for the title), for suggestions from
 * memory (src/domain/discovery/recent-suggestions.ts). Reads the newest `limit` rows through
 * `lessons_article_date_idx`.
 */
export async function newestLessonWords(db: Executor, limit: number): Promise<LessonWords[]> {
  // Each lesson's words as one space-separated string, split here: pg parses a text[] a character at a time in
  // JavaScript (~30 ms of the bot's main thread for 2,000 lessons' ~84,000 words, and their garbage), where a
  // split is one native call. A lexeme of the word parser never holds a space.
  const rows = await sql<FoundRow & { words: string | null; title_words: string | null }>`
    select id, title, article_date, category, array_to_string(tsvector_to_array(word_vector), ' ') as words,
      array_to_string(tsvector_to_array(ts_filter(word_vector, '{a}')), ' ') as title_words
    from lessons
    order by article_date desc, id
    limit ${limit}`.execute(db);
  return rows.rows.map((row) => ({ ...toFound(row), words: spaceSeparated(row.words), titleWords: spaceSeparated(row.title_words) }));
}

const spaceSeparated = (text: string | null): string[] => (text ? text.split(' ') : []);

/** The same tsquery restricted to title words (weight A): `'word':*` becomes `'word':*A`. */
function titleOnly(query: string): string {
  return query.replace(/:\*/gu, ':*A');
}

/**
 * Lessons whose title is `typed` (case and accents aside, as `title_fold` folds them), newest first: by
 * `lessons_title_fold_idx`, or through the autocomplete's word index by every word of the title, whole (`words`),
 * whichever the planner finds narrower (the words alone read every lesson of a library whose titles share them).
 */
export async function lessonsTitled(db: Executor, typed: string, words: string, limit: number): Promise<FoundLesson[]> {
  const rows = await sql<FoundRow>`
    select id, title, article_date, category from lessons
    where word_vector @@ to_tsquery('newsdesk_words', ${words}) and title_fold = newsdesk_fold(${typed})
    order by article_date desc, id
    limit ${limit}`.execute(db);
  return rows.rows.map(toFound);
}

/** Lessons whose id starts with a hex prefix (a member pasting part of an ID), through the primary key. */
export async function lessonsByIdPrefix(db: Executor, prefix: string, limit: number): Promise<FoundLesson[]> {
  const hex = prefix.toLowerCase().replace(/-/gu, '');
  if (!/^[0-9a-f]{1,32}$/u.test(hex)) return [];
  const low = toUuid(hex.padEnd(32, '0'));
  const high = toUuid(hex.padEnd(32, 'f'));
  const rows = await db
    .selectFrom('lessons')
    .select(['id', 'title', 'article_date', 'category'])
    .where(sql<string>`id`, '>=', sql<string>`${low}::uuid`)
    .where(sql<string>`id`, '<=', sql<string>`${high}::uuid`)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(toFound);
}

function toUuid(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The library's categories, in order: one probe of `lessons_category_date_idx` per category (a loose index
 * scan), however many lessons each has.
 */
export async function libraryCategories(db: Executor, limit: number): Promise<string[]> {
  const rows = await sql<{ category: string }>`
    with recursive c(category) as (
      (select category from lessons order by category limit 1)
      union all
      select (select l.category from lessons l where l.category > c.category order by l.category limit 1)
      from c where c.category is not null
    )
    select category from c where category is not null limit ${limit}`.execute(db);
  return rows.rows.map((row) => row.category);
}

/** Newest lessons: what autocomplete offers before anything is typed. */
export async function newestLessons(db: Executor, limit: number): Promise<FoundLesson[]> {
  const rows = await db
    .selectFrom('lessons')
    .select(['id', 'title', 'article_date', 'category'])
    .orderBy('article_date', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(toFound);
}
