import { sql, type RawBuilder } from 'kysely';
import { caseInsensitivePattern, sameLowerCasePattern } from '../domain/discovery/case-pattern.js';
import { RECENT_WORDS_PER_LESSON, type LessonWords } from '../domain/discovery/recent-suggestions.js';
import { toFound, type FoundLesson, type FoundRow } from './found-lesson.js';
import type { Executor } from './schema.js';

/**
 * Queries for search and the lesson autocomplete. Every one of them filters through an index: a GIN index
 * (search_vector, head_vector, word_vector), a primary key, or an index in date order read until enough lessons
 * match (a search's newest candidates); see test/db/query-plans.test.ts.
 */

/** Search ranking: a title hit outweighs a summary hit, which outweighs article hits ({D, C, B, A}). */
const SEARCH_WEIGHTS = sql.lit('{0, 0.05, 0.3, 1}');

/** A page of a search tier, and how many lessons of the tier it was ranked among. */
export interface RankedPage {
  readonly lessons: FoundLesson[];
  /** The tier's matches, counted up to `candidates + 1` (more than `candidates`: only the newest `candidates` were ranked). */
  readonly found: number;
}

/** Which lessons a search reads: matching `match`, in one of `categories` (stored names) or any. */
interface SearchFilter {
  readonly match: RawBuilder<boolean>;
  readonly categories: readonly string[] | undefined;
}

/**
 * The newest `bound` lessons of `filter` (article date, then id), with `columns`. A common word's newest matches are
 * the first rows of `lessons_article_date_idx` (or, in one category, `lessons_category_date_idx`) that match: the
 * index is read until `bound` match, where ranking every match read all of them (a word in a third of 100,000
 * lessons: the whole table). A rare word's few matches come from its GIN index, as before; the planner takes the
 * cheaper. Two stored categories named alike (`NHK`, `nhk`) are read one by one, each newest first.
 */
function newestMatches(filter: SearchFilter, columns: RawBuilder<unknown>, bound: number): RawBuilder<unknown> {
  const branch = (category: string | undefined) => sql`(select ${columns} from lessons
    where ${filter.match}${category === undefined ? sql`` : sql` and category = ${category}`}
    order by article_date desc, id limit ${bound})`;
  const { categories } = filter;
  if (categories === undefined || categories.length === 1) return branch(categories?.[0]);
  return sql`(select * from (${sql.join(categories.map(branch), sql` union all `)}) as branches order by article_date desc, id limit ${bound})`;
}

/**
 * One page of the newest `candidates` lessons of `filter`, ranked by `rank` (then newest), and how many match up to
 * `candidates + 1` (to tell whether more match), even for a page past the last. `rank` is computed on those
 * candidates only (with `search_vector`, each a TOASTed value read); `columns` are those it needs besides the listed ones.
 */
async function rankedNewest(
  db: Executor,
  filter: SearchFilter,
  options: { columns: RawBuilder<unknown>; rank: RawBuilder<unknown>; candidates: number; limit: number; offset: number },
): Promise<RankedPage> {
  const newest = newestMatches(filter, sql`id, title, article_date, category, ${options.columns}`, options.candidates + 1);
  const rows = await sql<{ [K in keyof FoundRow]: FoundRow[K] | null } & { found: number }>`
    with candidates as (
      select *, row_number() over (order by article_date desc, id) as newness from ${newest} as newest
    )
    select page.id, page.title, page.article_date, page.category, counted.found
    from (select count(*)::int as found from candidates) as counted
    left join lateral (
      select id, title, article_date, category from candidates
      where newness <= ${options.candidates}
      order by ${options.rank} desc, article_date desc, id
      limit ${options.limit} offset ${options.offset}
    ) as page on true`.execute(db);
  const lessons = rows.rows.flatMap((row) => (row.id === null ? [] : [toFound(row as FoundRow)]));
  return { lessons, found: rows.rows[0]?.found ?? 0 };
}

/**
 * Why a search's tsquery keeps no word, when it keeps none: `common` when every word is too common to be indexed
 * (`the`, `of`); `none` when PostgreSQL's parser reads no word in it at all (`½`, `²`, `①`: signs it takes for
 * blanks, though they are Unicode digits). Undefined when a word is kept. Reads no table.
 */
export async function searchWithoutWords(db: Executor, query: string): Promise<'common' | 'none' | undefined> {
  const { rows } = await sql<{ kept: number; words: number }>`select numnode(to_tsquery('newsdesk_english', ${query}))::int as kept,
    numnode(to_tsquery('newsdesk_words', ${query}))::int as words`.execute(db);
  const row = rows[0];
  if (!row || row.kept > 0) return undefined;
  return row.words > 0 ? 'common' : 'none';
}

/**
 * Lessons whose title or summary match, best first (title above summary), then newest: among the newest
 * `candidates` of them (all of them when they are no more). Only title and summary vectors are ranked here: they
 * are small and stored in the row.
 */
export async function searchTitleOrSummary(
  db: Executor,
  query: string,
  options: { categories?: readonly string[] | undefined; limit: number; offset: number; candidates: number },
): Promise<RankedPage> {
  const q = sql`to_tsquery('newsdesk_english', ${query})`;
  return rankedNewest(db, { match: sql<boolean>`head_vector @@ ${q}`, categories: options.categories }, {
    columns: sql`ts_rank(${SEARCH_WEIGHTS}, head_vector, ${q}) as rank`,
    rank: sql`rank`,
    candidates: options.candidates,
    limit: options.limit,
    offset: options.offset,
  });
}

/**
 * Lessons that match, but not in their title and summary alone, ranked by where the words are: `rankQuery`
 * (the same words, any of them) weighs each word found by its place, so a lesson with some of the words in
 * its title ranks above one with all of them only in its article. Among the newest `candidates` of them: ranking
 * reads each one's article vector (TOASTed, ~13 µs and a dozen buffers each), so a common word's tens of
 * thousands are not ranked.
 */
export async function searchArticleOnly(
  db: Executor,
  query: string,
  options: { categories?: readonly string[] | undefined; limit: number; offset: number; candidates: number; rankQuery?: string | undefined },
): Promise<RankedPage> {
  const q = sql`to_tsquery('newsdesk_english', ${query})`;
  const rank = sql`to_tsquery('newsdesk_english', ${options.rankQuery ?? query})`;
  // The title and summary first: a lesson they match is left out without reading its article's vector.
  return rankedNewest(db, { match: sql<boolean>`not (head_vector @@ ${q}) and search_vector @@ ${q}`, categories: options.categories }, {
    columns: sql`search_vector`,
    rank: sql`ts_rank(${SEARCH_WEIGHTS}, search_vector, ${rank})`,
    candidates: options.candidates,
    limit: options.limit,
    offset: options.offset,
  });
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
 * `lessons_article_date_idx`. A lesson of more than `wordsPerLesson` distinct words (a summary of thousands of
 * words) comes with its title's words only, marked `titleOnly`: 2,000 lessons of 20,000-character summaries were
 * 3.6 million words to send, split and index (1.7 s on the database, 2.1 s of the bot's thread).
 */
export async function newestLessonWords(db: Executor, limit: number, wordsPerLesson = RECENT_WORDS_PER_LESSON): Promise<LessonWords[]> {
  // Each lesson's words as one space-separated string, split here: pg parses a text[] a character at a time in
  // JavaScript (~30 ms of the bot's main thread for 2,000 lessons' ~84,000 words, and their garbage), where a
  // split is one native call. A lexeme of the word parser never holds a space. length() of a tsvector is its
  // number of lexemes, read from its header.
  const rows = await sql<FoundRow & { words: string | null; title_words: string | null; title_only: boolean }>`
    select id, title, article_date, category,
      case when length(word_vector) <= ${wordsPerLesson} then array_to_string(tsvector_to_array(word_vector), ' ') end as words,
      array_to_string(tsvector_to_array(ts_filter(word_vector, '{a}')), ' ') as title_words,
      length(word_vector) > ${wordsPerLesson} as title_only
    from lessons
    order by article_date desc, id
    limit ${limit}`.execute(db);
  return rows.rows.map((row) => {
    const titleWords = spaceSeparated(row.title_words);
    return row.title_only
      ? { ...toFound(row), words: titleWords, titleWords, titleOnly: true }
      : { ...toFound(row), words: spaceSeparated(row.words), titleWords };
  });
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
 * The library's categories, in order (the first `limit`, or all), from `lesson_categories` (kept by triggers on
 * `lessons`) through its primary key.
 */
export async function libraryCategories(db: Executor, limit?: number): Promise<string[]> {
  const query = db.selectFrom('lesson_categories').select('name').orderBy('name');
  const rows = await (limit === undefined ? query : query.limit(limit)).execute();
  return rows.map((row) => row.name);
}

/** Typed text of this many characters holds a trigram for `lesson_categories_name_trgm_idx`; shorter text, none. */
const TRIGRAM_LENGTH = 3;

/**
 * The first `limit` of the library's categories that contain `typed`, case aside, those starting with it first, each
 * group in order: a pattern of each typed character's case forms (caseInsensitivePattern: PostgreSQL's own case
 * folding follows the database's locale). Text of 3 characters or more: every match from the trigram index, then
 * sorted (`offset 0` keeps the planner from walking the primary key instead, through most of a large library: 45
 * against 109 ms at 100,000 categories). Shorter text holds no trigram: the primary key is walked, in order, until
 * `limit` match.
 */
export async function categoriesContaining(db: Executor, typed: string, limit: number): Promise<string[]> {
  if (typed === '') {
    const rows = await db.selectFrom('lesson_categories').select('name').orderBy('name').limit(limit).execute();
    return rows.map((row) => row.name);
  }
  const pattern = caseInsensitivePattern(typed);
  const starts = `^${pattern}`;
  const group = (tier: number, where: RawBuilder<unknown>) =>
    [...typed].length >= TRIGRAM_LENGTH
      ? sql`(select name, ${sql.lit(tier)} as tier from (select name from lesson_categories where ${where} offset 0) as matched order by name limit ${limit})`
      : sql`(select name, ${sql.lit(tier)} as tier from lesson_categories where ${where} order by name limit ${limit})`;
  const rows = await sql<{ name: string }>`
    select name from (
      ${group(0, sql`name ~ ${starts}`)}
      union all
      ${group(1, sql`name ~ ${pattern} and name !~ ${starts}`)}
    ) as found
    order by tier, name limit ${limit}`.execute(db);
  return rows.rows.map((row) => row.name);
}

/**
 * The library's categories named `name`, case aside (`NHK` and `nhk` are one filter), as stored: a search filters
 * on them as they are, which `lessons_category_date_idx` reads newest first and the planner has statistics of
 * (`lower(category)` had none: it took a category for 0.5% of the library and ranked every match of a common word).
 * Case is compared here, as the service checks a category and the paging ids digest it: PostgreSQL's lower() leaves a
 * final `Σ` a `σ` and makes `İ` an `i`, so a category of capitals (`ΕΙΔΗΣΕΙΣ`) picked from its suggestions matched no
 * lesson. The candidates come from the trigram index (sameLowerCasePattern: every name JavaScript lowers alike, and
 * a few more), compared here.
 */
export async function categoriesNamed(db: Executor, name: string): Promise<string[]> {
  const rows = await db.selectFrom('lesson_categories').select('name').where('name', '~', sameLowerCasePattern(name)).orderBy('name').execute();
  const wanted = name.toLowerCase();
  return rows.map((row) => row.name).filter((category) => category.toLowerCase() === wanted);
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
