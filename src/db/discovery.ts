import { sql } from 'kysely';
import { atLeastKOf } from '../domain/discovery/headline.js';
import type { LessonWords } from '../domain/discovery/recent-suggestions.js';
import { PREPARED } from './prepared.js';
import type { Executor } from './schema.js';

/**
 * Queries for search and related readings. Every one of them filters through a GIN index
 * (search_vector, head_vector, word_vector, similar_readings.lexemes) or a primary key; see
 * test/db/query-plans.test.ts.
 */

export interface FoundLesson {
  readonly id: string;
  readonly title: string;
  readonly date: string;
  readonly category: string;
}

interface FoundRow {
  id: string;
  title: string;
  article_date: string;
  category: string;
}

const toFound = (row: FoundRow): FoundLesson => ({ id: row.id, title: row.title, date: row.article_date, category: row.category });

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

// ---------------------------------------------------------------------------------------------------
// Similar-reading titles

/** The English lexemes of each text (accents folded, stemmed, stop words dropped), in input order. */
export async function lexemesOf(db: Executor, texts: readonly string[]): Promise<string[][]> {
  if (texts.length === 0) return [];
  const rows = await sql<{ ord: string; lexemes: string[] }>`
    select ord, tsvector_to_array(to_tsvector('newsdesk_english', text)) as lexemes
    from unnest(${sql.val([...texts])}::text[]) with ordinality as input(text, ord)`.execute(db);
  const result: string[][] = texts.map(() => []);
  for (const row of rows.rows) result[Number(row.ord) - 1] = row.lexemes;
  return result;
}

/**
 * In how many lessons' title or summary each lexeme occurs (0 when none). The lexemes go as one array
 * parameter: a batch's similar-reading titles can hold more distinct lexemes than the 65,535 parameters a
 * statement may have (a list `in ($1, …)` of them failed with "bind message has … parameter formats").
 */
export async function lexemeDocCounts(db: Executor, lexemes: readonly string[]): Promise<Map<string, number>> {
  const distinct = [...new Set(lexemes)];
  if (distinct.length === 0) return new Map();
  const rows = await db
    .selectFrom('lexeme_docs')
    .select(['lexeme', 'docs'])
    .where('lexeme', '=', (eb) => eb.fn.any(eb.val(distinct)))
    .execute();
  return new Map(rows.map((row) => [row.lexeme, row.docs]));
}

/** The lexeme_docs row holding the number of lessons (no real lexeme is empty). */
const LIBRARY_SIZE_KEY = '';

/**
 * An import's changes to the document counts gather in a temporary table of its transaction (dropped at
 * its end) and reach lexeme_docs once, by applyLexemeDocChanges.
 */
export async function startLexemeDocChanges(db: Executor): Promise<void> {
  await sql`
    create temporary table if not exists import_lexeme_changes (lexeme text primary key, docs int not null, text_docs int not null)
    on commit drop`.execute(db);
}

/**
 * Counts the lexemes of the given lessons (title and summary in `docs`, the whole text in `text_docs`), and
 * the library size by the number of them that exist, into the import's changes: −1 before the import
 * changes them, +1 after.
 */
export async function countLexemeDocChanges(db: Executor, lessonIds: readonly string[], delta: 1 | -1): Promise<void> {
  if (lessonIds.length === 0) return;
  const ids = sql.val([...lessonIds]);
  await sql`
    insert into import_lexeme_changes (lexeme, docs, text_docs)
    select lexeme, ${delta}::int * sum(head)::int, ${delta}::int * sum(text)::int from (
      select ${LIBRARY_SIZE_KEY}::text as lexeme, 1 as head, 1 as text from lessons where id = any(${ids}::uuid[])
      union all
      select lexeme, 1, 0 from lessons, unnest(tsvector_to_array(head_vector)) as lexeme where id = any(${ids}::uuid[])
      union all
      select lexeme, 0, 1 from lessons, unnest(tsvector_to_array(search_vector)) as lexeme where id = any(${ids}::uuid[])
    ) counted
    group by lexeme
    on conflict (lexeme) do update set
      docs = import_lexeme_changes.docs + excluded.docs, text_docs = import_lexeme_changes.text_docs + excluded.text_docs`.execute(db);
}

/** Moves lexeme_docs by the import's gathered changes, in one statement. */
export async function applyLexemeDocChanges(db: Executor): Promise<void> {
  // Sorted, so two imports at once lock the same rows in the same order ('' sorts first).
  await sql`
    insert into lexeme_docs (lexeme, docs, text_docs)
    select lexeme, docs, text_docs from import_lexeme_changes where docs <> 0 or text_docs <> 0
    order by lexeme
    on conflict (lexeme) do update set docs = lexeme_docs.docs + excluded.docs, text_docs = lexeme_docs.text_docs + excluded.text_docs`.execute(db);
  await sql`delete from import_lexeme_changes`.execute(db);
}

/**
 * Moves the GIN indexes' pending entries of an import into the indexes proper. GIN collects new entries
 * in a pending list (fast inserts) that every search reads in full until it is merged: an import's
 * matching, run in the same transaction right after thousands of inserts, would scan thousands of
 * pending entries per headline (measured: ~19 ms a match instead of ~0.4 ms on 10,000 lessons).
 */
export async function mergePendingSearchEntries(db: Executor): Promise<void> {
  await sql`
    select gin_clean_pending_list(i.indexrelid::regclass)
    from pg_index i join pg_class c on c.oid = i.indexrelid join pg_am am on am.oid = c.relam
    where am.amname = 'gin' and i.indrelid in ('lessons'::regclass, 'similar_readings'::regclass)`.execute(db);
}

/** How many lessons the library holds, as counted at import (applyLexemeDocChanges; no scan of lessons). */
export async function librarySize(db: Executor): Promise<number> {
  const row = await db.selectFrom('lexeme_docs').select('docs').where('lexeme', '=', LIBRARY_SIZE_KEY).executeTakeFirst();
  return row?.docs ?? 0;
}

export interface WeightedLexeme {
  readonly lexeme: string;
  /** How much finding it says: rare words say more (inverse document frequency). */
  readonly weight: number;
}

export interface HeadlineMatch {
  readonly lessonId: string;
  readonly score: number;
}

export interface HeadlineMatchFound {
  readonly match: HeadlineMatch | undefined;
  readonly exceptIsCandidate: boolean;
}

export interface HeadlineToMatch {
  readonly text: string;
  /** Its lexemes, in the order their weights are summed (rarest first: see similar-readings.ts). */
  readonly lexemes: readonly WeightedLexeme[];
  /** The tsquery that finds its candidates in titles and summaries (headlineCandidates). */
  readonly candidates: string;
  /** The lesson whose title it is: never its own match. */
  readonly exceptLessonId: string;
  /**
   * Only these lessons may be its match (an import's lessons that are candidates for it, found without the
   * index): they are looked up by id, not through the head_vector index. Given for every headline of a call or none.
   */
  readonly onlyLessonIds?: readonly string[];
  /** Its match only matters at this score or more (a title that names a lesson already): as options.atLeast, for it alone. */
  readonly atLeast?: number;
}

/**
 * For each headline, the library lesson it most likely names, with its score (0..1), or undefined when no
 * lesson contains enough of its words; in the headlines' order. One statement for all of them: each
 * headline's candidates are found through the head_vector index (a lateral lookup per headline). Score:
 * the larger of
 *   - coverage: the weighted share of the headline's lexemes found in the lesson (in title or summary
 *     counts fully, only in the article half), rare words weighing more;
 *   - trigram similarity of the headline and the lesson's title (accents and case folded).
 * Ties go to the lesson whose text ranks higher for the headline's words, then the newest, then the id.
 * `onlyLessonIds`: only these lessons may be named (for every headline). `exceptIsCandidate` says whether
 * the excepted lesson would have been a candidate (with `reportExcept`; false otherwise): when it would not,
 * the match holds for the same headline excepting any other lesson than the one matched.
 */
export async function bestHeadlineMatches(
  db: Executor,
  headlines: readonly HeadlineToMatch[],
  options: { atLeast?: number | undefined; reportExcept?: boolean | undefined; inParallel?: boolean | undefined } = {},
): Promise<HeadlineMatchFound[]> {
  if (headlines.length === 0) return [];
  const byId = headlines[0]?.onlyLessonIds !== undefined;
  if (headlines.some((headline) => (headline.onlyLessonIds !== undefined) !== byId)) {
    throw new Error('bestHeadlineMatches: onlyLessonIds for every headline or for none');
  }
  // Each headline's own lessons (byId) are a slice [idLo, idHi] of one flat list too.
  const onlyIds: string[] = [];
  const idLo: number[] = [];
  const idHi: number[] = [];
  for (const headline of headlines) {
    idLo.push(onlyIds.length + 1);
    for (const id of headline.onlyLessonIds ?? []) onlyIds.push(id);
    idHi.push(onlyIds.length);
  }
  // Each headline's lexemes are a slice [lo, hi] of one flat list (1-based, as SQL arrays).
  const lexemes: string[] = [];
  const weights: number[] = [];
  const lo: number[] = [];
  const hi: number[] = [];
  for (const headline of headlines) {
    lo.push(lexemes.length + 1);
    for (const l of headline.lexemes) {
      lexemes.push(`'${escapeLexeme(l.lexeme)}'`);
      weights.push(l.weight);
    }
    hi.push(lexemes.length);
  }
  const total = (headline: HeadlineToMatch) => {
    const sum = headline.lexemes.reduce((s, l) => s + l.weight, 0);
    return sum > 0 ? sum : 1;
  };
  const anyWord = (headline: HeadlineToMatch) => headline.lexemes.map((l) => `'${escapeLexeme(l.lexeme)}'`).join(' | ') || "''";
  // By id: each headline's few lessons by primary key (offset 0: the candidates' condition is not pushed into
  // that lookup, where the planner could take the head_vector index over the whole library instead).
  const source = byId
    ? sql`(select id, article_date, head_vector, search_vector, title_fold from lessons where id = any(hl.only_ids) offset 0) lessons`
    : sql`lessons`;
  const only = byId ? sql`and e.id = any(hl.only_ids)` : sql``;
  // Only candidates that may score as much as the best are scored in full (their article read, their rank).
  // A candidate's score is at least its similarity and its title-and-summary words' weight (`low`), and at
  // most its similarity or that weight plus half the others' (were they all in its article): one whose
  // bound is below the highest `low` of the headline's candidates, or below `atLeast` (or the headline's own), cannot be the best
  // (nor tie with it), so whenever the best scores `atLeast` or more it is the same lesson with the same
  // score. The margin covers rounding.
  const atLeast = headlines.map((headline) => Math.max(options.atLeast ?? 0, headline.atLeast ?? 0));
  // Coverage sums weight × presence in the lexemes' order, as one expression `w1 * p1 + w2 * p2 + …` would.
  // A lexeme not in title or summary but in search_vector is in the article (search_vector is their union),
  // so the article is read (detoasted) only for such a lexeme of a candidate that may win.
  const exceptIsCandidate = options.reportExcept
    ? sql`exists (select from lessons e where e.id = h.except_id and e.head_vector @@ h.candidates::tsquery ${only})`
    : sql`false`;
  // In parallel workers through the queue (bestHeadlineMatchesQueued). By id (an import's backward step: a few
  // lessons a headline, by primary key) always in one statement: joined through the queue, thousands of ids at
  // once, the planner may read the library whole.
  if (options.inParallel && !byId) {
    return bestHeadlineMatchesQueued(db, {
      headlines,
      columns: { candidates: headlines.map((h) => h.candidates), anyWord: headlines.map(anyWord), total: headlines.map(total), atLeast, lo, hi },
      lexemes,
      weights,
      reportExcept: options.reportExcept === true,
    });
  }
  const rows = await sql<{ ord: string; id: string | null; score: number | null; except_is_candidate: boolean }>`
    select h.ord, best.id, best.score, ${exceptIsCandidate} as except_is_candidate
    from unnest(
      ${sql.val(headlines.map((h) => h.text))}::text[],
      ${sql.val(headlines.map((h) => h.candidates))}::text[],
      ${sql.val(headlines.map(anyWord))}::text[],
      ${sql.val(headlines.map((h) => h.exceptLessonId))}::uuid[],
      ${sql.val(headlines.map(total))}::float8[],
      ${sql.val(lo)}::int[],
      ${sql.val(hi)}::int[],
      ${sql.val(idLo)}::int[],
      ${sql.val(idHi)}::int[],
      ${sql.val(atLeast)}::float8[]
    ) with ordinality as h(text, candidates, any_word, except_id, total, lo, hi, id_lo, id_hi, at_least, ord)
    -- What is the same for every candidate of a headline, computed once for it (offset 0: not per candidate).
    cross join lateral (
      select (${sql.val(lexemes)}::tsquery[])[h.lo:h.hi] as lexemes, (${sql.val(weights)}::float8[])[h.lo:h.hi] as weights,
        newsdesk_fold(h.text) as folded, (${sql.val(onlyIds)}::uuid[])[h.id_lo:h.id_hi] as only_ids
      offset 0
    ) hl
    left join lateral (
      select id, score from (
        select c.id, c.article_date,
          greatest(
            coalesce((
              select sum(w.weight * (case
                when c.head_vector @@ w.lexeme then 1.0
                when c.search_vector @@ w.lexeme then 0.5 else 0 end) order by w.n)
              from unnest(hl.lexemes, hl.weights) with ordinality as w(lexeme, weight, n)
            ), 0) / h.total,
            c.sim
          ) as score,
          ts_rank(c.head_vector, h.any_word::tsquery) as rank
        from (
          select found.*, greatest(max(greatest(found.sim, found.head_weight / h.total)) over (), h.at_least) - 1e-9 as bar
          from (
            select id, article_date, head_vector, search_vector, similarity(title_fold, hl.folded)::float8 as sim,
              coalesce((
                select sum(w.weight) from unnest(hl.lexemes, hl.weights) as w(lexeme, weight) where head_vector @@ w.lexeme
              ), 0) as head_weight
            from ${source}
            where head_vector @@ h.candidates::tsquery and id <> h.except_id
            offset 0
          ) found
        ) c
        where c.sim >= c.bar or 0.5 * h.total + 0.5 * c.head_weight >= c.bar * h.total
      ) scored
      order by score desc, rank desc, article_date desc, id
      limit 1
    ) best on true`.execute(db);
  const found: HeadlineMatchFound[] = headlines.map(() => ({ match: undefined, exceptIsCandidate: false }));
  for (const row of rows.rows) {
    found[Number(row.ord) - 1] = {
      match: row.id === null ? undefined : { lessonId: row.id, score: Number(row.score) },
      exceptIsCandidate: row.except_is_candidate,
    };
  }
  return found;
}

function escapeLexeme(lexeme: string): string {
  return lexeme.replace(/\\/gu, '\\\\').replace(/'/gu, "''");
}

/**
 * Whether this database runs a statement's parallel plan in worker processes (PostgreSQL as configured by
 * default; not PGlite, a single process, nor a server with `max_parallel_workers_per_gather = 0`).
 */
export async function runsParallelWorkers(db: Executor): Promise<boolean> {
  const row = await sql<{ runs: boolean }>`
    select current_setting('max_parallel_workers_per_gather')::int > 0 and current_setting('max_parallel_workers')::int > 0 as runs`.execute(db);
  return row.rows[0]?.runs === true;
}

/**
 * bestHeadlineMatches (every headline against the whole library) with the headlines in `headline_match_queue`,
 * so that PostgreSQL's parallel workers each take a share of them (see the migration
 * 2026-12-07-01-parallel-headline-matching): the candidates, their similarity and their title-and-summary words'
 * weight in the workers, the rest (each headline's bar, the few candidates scored in full, the best) in the
 * statement's own backend. The same score, bar, order and ties as the one-statement form, so the same matches.
 * Only in the caller's transaction: the queue's rows are written and truncated there, never committed.
 */
async function bestHeadlineMatchesQueued(
  db: Executor,
  input: {
    headlines: readonly HeadlineToMatch[];
    columns: {
      candidates: readonly string[];
      anyWord: readonly string[];
      total: readonly number[];
      atLeast: readonly number[];
      lo: readonly number[];
      hi: readonly number[];
    };
    lexemes: readonly string[];
    weights: readonly number[];
    reportExcept: boolean;
  },
): Promise<HeadlineMatchFound[]> {
  const { headlines, columns } = input;
  await sql`truncate headline_match_queue`.execute(db);
  await sql`
    insert into headline_match_queue (ord, candidates, any_word, except_id, total, at_least, lexemes, weights, folded)
    select h.ord, h.candidates::tsquery, h.any_word::tsquery, h.except_id, h.total, h.at_least,
      (${sql.val([...input.lexemes])}::tsquery[])[h.lo:h.hi], (${sql.val([...input.weights])}::float8[])[h.lo:h.hi], newsdesk_fold(h.text)
    from unnest(
      ${sql.val(headlines.map((h) => h.text))}::text[],
      ${sql.val([...columns.candidates])}::text[],
      ${sql.val([...columns.anyWord])}::text[],
      ${sql.val(headlines.map((h) => h.exceptLessonId))}::uuid[],
      ${sql.val([...columns.total])}::float8[],
      ${sql.val([...columns.lo])}::int[],
      ${sql.val([...columns.hi])}::int[],
      ${sql.val([...columns.atLeast])}::float8[]
    ) with ordinality as h(text, candidates, any_word, except_id, total, lo, hi, at_least, ord)`.execute(db);
  // The planner's row count of the queue (truncated since it last knew it).
  await sql`analyze headline_match_queue`.execute(db);
  const excepts = input.reportExcept
    ? sql`union all
      select q.ord, null, null,
        exists (select from lessons e where e.id = q.except_id and e.head_vector @@ q.candidates)
      from headline_match_queue q`
    : sql``;
  // `found` is a subquery of its own (offset 0) so that its expressions, all parallel safe, are computed below
  // the Gather, in the workers; the windows above the Gather see every candidate of a headline. Only the
  // candidates that may win are read again (by primary key) and scored in full.
  const rows = await sql<{ ord: number; id: string | null; score: number | null; except_is_candidate: boolean | null }>`
    select ord, id, score, null::boolean as except_is_candidate from (
      select c.ord, c.id, c.score,
        row_number() over (partition by c.ord order by c.score desc, c.rank desc, c.article_date desc, c.id) as place
      from (
        select c.ord, c.id, c.article_date, c.rank,
          greatest(
            coalesce((
              select sum(w.weight * (case
                when l.head_vector @@ w.lexeme then 1.0
                when l.search_vector @@ w.lexeme then 0.5 else 0 end) order by w.n)
              from lessons l, headline_match_queue q, unnest(q.lexemes, q.weights) with ordinality as w(lexeme, weight, n)
              where l.id = c.id and q.ord = c.ord
            ), 0) / c.total,
            c.sim
          ) as score
        from (
          select found.*,
            greatest(max(greatest(found.sim, found.head_weight / found.total)) over (partition by found.ord), found.at_least) - 1e-9 as bar
          from (
            select q.ord, q.total, q.at_least, l.id, l.article_date,
              similarity(l.title_fold, q.folded)::float8 as sim,
              newsdesk_head_weight(l.head_vector, q.lexemes, q.weights) as head_weight,
              ts_rank(l.head_vector, q.any_word) as rank
            from headline_match_queue q join lessons l on l.head_vector @@ q.candidates and l.id <> q.except_id
            offset 0
          ) found
        ) c
        where c.sim >= c.bar or 0.5 * c.total + 0.5 * c.head_weight >= c.bar * c.total
      ) c
    ) ranked
    where place = 1
    ${excepts}`.execute(db);
  const found: HeadlineMatchFound[] = headlines.map(() => ({ match: undefined, exceptIsCandidate: false }));
  for (const row of rows.rows) {
    const index = Number(row.ord) - 1;
    const before = found[index] ?? { match: undefined, exceptIsCandidate: false };
    found[index] =
      row.except_is_candidate === null
        ? { ...before, match: row.id === null ? undefined : { lessonId: row.id, score: Number(row.score) } }
        : { ...before, exceptIsCandidate: row.except_is_candidate };
  }
  return found;
}

export interface StoredSimilarReading {
  readonly position: number;
  readonly title: string;
  readonly lexemes: readonly string[];
  readonly matchedLessonId: string | null;
  readonly score: number | null;
}

/** Deletes the similar-reading titles of these lessons (an import, before it stores them again). One statement. */
export async function deleteSimilarReadings(db: Executor, lessonIds: readonly string[]): Promise<void> {
  if (lessonIds.length === 0) return;
  await db.deleteFrom('similar_readings').where('lesson_id', '=', (eb) => eb.fn.any(eb.val([...lessonIds]))).execute();
}

/** Six columns: a statement of 10,000 rows stays under PostgreSQL's 65,535 parameters. */
const SIMILAR_READING_ROWS_PER_STATEMENT = 10_000;

/** Stores similar-reading titles (of lessons that have none stored: see deleteSimilarReadings), in one statement per 10,000. */
export async function insertSimilarReadings(db: Executor, readings: readonly (StoredSimilarReading & { readonly lessonId: string })[]): Promise<void> {
  for (let start = 0; start < readings.length; start += SIMILAR_READING_ROWS_PER_STATEMENT) {
    await db
      .insertInto('similar_readings')
      .values(
        readings.slice(start, start + SIMILAR_READING_ROWS_PER_STATEMENT).map((reading) => ({
          lesson_id: reading.lessonId,
          position: reading.position,
          title: reading.title,
          lexemes: [...reading.lexemes],
          matched_lesson_id: reading.matchedLessonId,
          score: reading.score,
        })),
      )
      .execute();
  }
}

export interface OtherLessonsTitle {
  readonly lessonId: string;
  readonly position: number;
  readonly title: string;
  readonly lexemes: readonly string[];
  /** Its score (null when it names none). */
  readonly score: number | null;
}

/**
 * Stored similar-reading titles in key order, a page at a time after `after` (the last of the previous page):
 * an import looks through them for titles that may name its lessons (linkSimilarReadings' backward step). The
 * import deleted its own lessons' titles first (deleteSimilarReadings), so these are other lessons' titles.
 */
export async function storedTitlesPage(
  db: Executor,
  after: { readonly lessonId: string; readonly position: number } | undefined,
  limit: number,
): Promise<OtherLessonsTitle[]> {
  let query = db.selectFrom('similar_readings').select(TITLE_COLUMNS);
  if (after) query = query.where((eb) => eb(eb.refTuple('lesson_id', 'position'), '>', eb.tuple(after.lessonId, after.position)));
  return (await query.orderBy('lesson_id').orderBy('position').limit(limit).execute()).map(toOtherLessonsTitle);
}

/**
 * Up to `limit` stored titles with one of these lexemes, through the lexemes' index, in no order: when fewer
 * come back, that is all of them (storedTitlesPage's titles, for an import of a few lessons). Not paged: a
 * page in key order would sort every title found again each time.
 */
export async function titlesSharingAny(db: Executor, lexemes: readonly string[], limit: number): Promise<OtherLessonsTitle[]> {
  if (lexemes.length === 0) return [];
  const rows = await db
    .selectFrom('similar_readings')
    .select(TITLE_COLUMNS)
    .where(sql<boolean>`lexemes && ${sql.val([...lexemes])}::text[]`)
    .limit(limit)
    .execute();
  return rows.map(toOtherLessonsTitle);
}

/**
 * Stored titles that name one of these lessons now (through the index on matched_lesson_id): an import that
 * changed those lessons matches them again, since they may no longer name them.
 */
export async function titlesNaming(db: Executor, lessonIds: readonly string[]): Promise<OtherLessonsTitle[]> {
  if (lessonIds.length === 0) return [];
  const rows = await db
    .selectFrom('similar_readings')
    .select(TITLE_COLUMNS)
    .where('matched_lesson_id', '=', (eb) => eb.fn.any(eb.val([...lessonIds])))
    .execute();
  return rows.map(toOtherLessonsTitle);
}

const TITLE_COLUMNS = ['lesson_id', 'position', 'title', 'lexemes', 'matched_lesson_id', 'score'] as const;

function toOtherLessonsTitle(row: {
  lesson_id: string;
  position: number;
  title: string;
  lexemes: string[];
  matched_lesson_id: string | null;
  score: number | null;
}): OtherLessonsTitle {
  // A title whose lesson was deleted keeps its score (the foreign key only empties the lesson): it names nothing.
  const score = row.matched_lesson_id === null || row.score === null ? null : Number(row.score);
  return { lessonId: row.lesson_id, position: row.position, title: row.title, lexemes: row.lexemes, score };
}

/** Sets the lesson each title names, and its score (null: none): one statement for all of them. */
export async function setSimilarReadingMatches(
  db: Executor,
  matches: readonly { readonly lessonId: string; readonly position: number; readonly match: HeadlineMatch | null }[],
): Promise<void> {
  if (matches.length === 0) return;
  await sql`
    update similar_readings s set matched_lesson_id = m.matched_lesson_id, score = m.score
    from unnest(
      ${sql.val(matches.map((m) => m.lessonId))}::uuid[],
      ${sql.val(matches.map((m) => m.position))}::int[],
      ${sql.val(matches.map((m) => m.match?.lessonId ?? null))}::uuid[],
      ${sql.val(matches.map((m) => m.match?.score ?? null))}::real[]
    ) as m(lesson_id, position, matched_lesson_id, score)
    where s.lesson_id = m.lesson_id and s.position = m.position`.execute(db);
}

/** Which of the given lessons have no similar-reading rows stored (lower-cased ids). */
export async function lessonsWithoutStoredReadings(db: Executor, lessonIds: readonly string[]): Promise<Set<string>> {
  if (lessonIds.length === 0) return new Set();
  const rows = await sql<{ id: string }>`
    select id from unnest(${sql.val(lessonIds.map((id) => id.toLowerCase()))}::uuid[]) as t(id)
    where not exists (select 1 from similar_readings s where s.lesson_id = t.id)`.execute(db);
  return new Set(rows.rows.map((row) => row.id));
}

/** The similar-reading titles of lessons as imported (the lessons' own list, before matching). */
export async function similarReadingTitles(db: Executor, lessonIds: readonly string[]): Promise<{ id: string; similarReadings: string[] }[]> {
  if (lessonIds.length === 0) return [];
  const rows = await db.selectFrom('lessons').select(['id', 'similar_readings']).where('id', 'in', [...lessonIds]).execute();
  return rows.map((row) => ({ id: row.id, similarReadings: row.similar_readings }));
}

/** The head lexemes (title and summary) of lessons, by id. */
export async function headLexemes(db: Executor, lessonIds: readonly string[]): Promise<Map<string, string[]>> {
  if (lessonIds.length === 0) return new Map();
  const rows = await sql<{ id: string; lexemes: string[] }>`
    select id, tsvector_to_array(head_vector) as lexemes from lessons
    where id = any(${sql.val([...lessonIds])}::uuid[])`.execute(db);
  return new Map(rows.rows.map((row) => [row.id, row.lexemes]));
}

// ---------------------------------------------------------------------------------------------------
// Related readings (the command path: lookups only)

export interface RelatedTitleRow {
  readonly position: number;
  readonly title: string;
  readonly lesson: (FoundLesson & { readonly read: boolean }) | null;
}

export interface Member {
  readonly guildId: string;
  readonly userId: string;
}

/** Whether the member has a reader row for the lesson in `lessonId` (false without a member). */
function readBy(member: Member | undefined, lessonId: ReturnType<typeof sql>) {
  return member
    ? sql<boolean>`exists (select 1 from lesson_readers r
        where r.lesson_id = ${lessonId} and r.guild_id = ${member.guildId} and r.user_id = ${member.userId})`
    : sql<boolean>`false`;
}

/**
 * Which of these lessons the member has read (a reader row: opened its dialogue or article, or marked it
 * read). By the reader rows' primary key (lesson, server, member): related readings served from the cache
 * only need the asking member's marks.
 */
export async function lessonsReadByMember(db: Executor, member: Member, lessonIds: readonly string[]): Promise<Set<string>> {
  if (lessonIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('lesson_readers')
    .select('lesson_id')
    .where('lesson_id', 'in', [...lessonIds])
    .where('guild_id', '=', member.guildId)
    .where('user_id', '=', member.userId)
    .execute();
  return new Set(rows.map((row) => row.lesson_id));
}

/**
 * A lesson's similar-reading titles in export order, each with the library lesson it names, if any,
 * and whether the member has read that lesson.
 */
export async function similarReadingsOf(db: Executor, lessonId: string, member?: Member): Promise<RelatedTitleRow[]> {
  const rows = await sql<{
    position: number;
    title: string;
    id: string | null;
    lesson_title: string | null;
    article_date: string | null;
    category: string | null;
    read: boolean;
  }>`${PREPARED}
    select s.position, s.title, l.id, l.title as lesson_title, l.article_date, l.category,
      ${readBy(member, sql`l.id`)} as read
    from similar_readings s left join lessons l on l.id = s.matched_lesson_id
    where s.lesson_id = ${lessonId}::uuid
    order by s.position`.execute(db);
  return rows.rows.map((row) => ({
    position: row.position,
    title: row.title,
    lesson:
      row.id && row.lesson_title && row.article_date && row.category
        ? { id: row.id, title: row.lesson_title, date: row.article_date, category: row.category, read: row.read }
        : null,
  }));
}

/** One of a lesson's words, with what related readings need to weigh it. */
export interface LessonWord {
  readonly lexeme: string;
  /** In how many lessons' whole text it occurs. */
  readonly docs: number;
  /** Whether it is in the lesson's title or summary (else only in its article). */
  readonly inHead: boolean;
}

/**
 * The words of a lesson's whole text that at least one other lesson has too, leaving out those in more than
 * `maxShare` of the library (with at least `minCap` kept, so a small library keeps its topic words); and the
 * library's size. One statement: the lesson's search vector by primary key, its words' counts by key.
 */
export async function sharedWordsOf(
  db: Executor,
  lessonId: string,
  options: { maxShare: number; minCap: number },
): Promise<{ librarySize: number; words: LessonWord[] }> {
  // Each word's count by key (a subquery per word: the library's words are many, the lesson's a few hundred).
  const rows = await sql<{ lexeme: string | null; docs: number | null; in_head: boolean | null; size: number | null }>`${PREPARED}
    with size as (select text_docs as n from lexeme_docs where lexeme = ${LIBRARY_SIZE_KEY})
    select null as lexeme, null::int as docs, null::boolean as in_head, (select n from size) as size
    union all
    select lexeme, docs, in_head, null from (
      select w.lexeme, (select d.text_docs from lexeme_docs d where d.lexeme = w.lexeme) as docs,
        'A' = any(w.weights) or 'B' = any(w.weights) as in_head
      from lessons l cross join lateral unnest(l.search_vector) as w(lexeme, positions, weights)
      where l.id = ${lessonId}::uuid
    ) words
    where docs >= 2 and docs <= greatest(${options.minCap}, floor(coalesce((select n from size), 0) * ${options.maxShare}::float8))`.execute(db);
  const size = rows.rows.find((row) => row.lexeme === null)?.size;
  return {
    librarySize: Number(size ?? 0),
    words: rows.rows
      .filter((row) => row.lexeme !== null)
      .map((row) => ({
        lexeme: row.lexeme as string,
        docs: Number(row.docs),
        inHead: row.in_head === true,
      })),
  };
}

/**
 * Lessons that have at least `minShared` of the given words anywhere in their text, ranked by the weight of
 * the words they share, a word counting fully in their title or summary and half in their article only;
 * newest first among equals. With the member's read mark, looked up for the few lessons returned.
 *
 * The candidates, by the search vector's GIN index: for a few words, one tsquery "two of these words" (every
 * pair), which the index answers exactly, so only the candidates' rows are read; for more words (a small
 * library, or rare words), one lookup per word, counted per lesson (a tsquery of hundreds of pairs gets an
 * estimate that makes the planner scan the table), then the candidates by primary key.
 */
/**
 * Up to this many words, one tsquery of every pair finds the candidates (28 pairs); more, a lookup per word.
 * With 16 words (120 pairs) over 10,000 generated lessons the planner chose a sequential scan: 600 ms.
 */
export const PAIRS_QUERY_UP_TO_WORDS = 8;

export async function lessonsSimilarByText(
  db: Executor,
  words: readonly WeightedLexeme[],
  options: { minShared: number; exceptLessonIds: readonly string[]; limit: number; member?: Member | undefined },
): Promise<(FoundLesson & { read: boolean })[]> {
  if (words.length === 0 || options.limit <= 0) return [];
  const literal = (word: WeightedLexeme) => `'${escapeLexeme(word.lexeme)}'`;
  const minShared = Math.max(1, Math.min(options.minShared, words.length));
  const candidates =
    words.length <= PAIRS_QUERY_UP_TO_WORDS
      ? sql`search_vector @@ ${atLeastKOf(words.map((word) => word.lexeme), minShared, words.length)}::tsquery`
      : sql`id = any(array(select id from (${sql.join(
          words.map((word) => sql`select id from lessons where search_vector @@ ${literal(word)}::tsquery`),
          sql` union all `,
        )}) hits group by id having count(*) >= ${minShared}))`;
  // Each word counts its weight in the title or summary, half of it in the article only. The title and summary's
  // vector is in the row; the whole text's is TOASTed (a few pages a lesson). So first, from the row alone, each
  // candidate's least score (its title and summary words) and greatest (as if every other word were in its
  // article); only a candidate whose greatest reaches the `limit`-th best least score can be among the best,
  // and only those are read whole. Same answer as scoring every candidate (the same related readings for 800
  // random lessons of the 100,000-lesson bench library); 137.9 → 94.5 buffers a statement on 200 of them. Cold
  // buffers made this statement the bench's most expensive (BENCHMARKS.md, "What a first run spends").
  const inHead = (word: WeightedLexeme) => sql`head_vector @@ ${literal(word)}::tsquery`;
  const least = sql.join(words.map((word) => sql`(case when ${inHead(word)} then ${word.weight}::float8 else 0 end)`), sql` + `);
  const greatest = sql.join(words.map((word) => sql`(case when ${inHead(word)} then 1.0 else 0.5 end) * ${word.weight}::float8`), sql` + `);
  // `words` is the candidate's search vector without positions, detoasted once (not once per word: `kept` stays a
  // subquery of its own, offset 0).
  const score = sql.join(
    words.map(
      (word) => sql`${word.weight}::float8 * (case
        when ${inHead(word)} then 1.0
        when words @@ ${literal(word)}::tsquery then 0.5 else 0 end)`,
    ),
    sql` + `,
  );
  const rows = await sql<FoundRow & { read: boolean }>`
    with c as materialized (
      select id, ${least} as least_score, ${greatest} as greatest_score
      from lessons
      where ${candidates} and id <> all(${sql.val([...options.exceptLessonIds])}::uuid[])
    ), bar as (
      select least_score from c order by least_score desc offset ${options.limit - 1} limit 1
    )
    select id, title, article_date, category, ${readBy(options.member, sql`top.id`)} as read
    from (
      select id, title, article_date, category, ${score} as score
      from (
        select l.id, l.title, l.article_date, l.category, l.head_vector, strip(l.search_vector) as words
        from c join lessons l on l.id = c.id
        where c.greatest_score >= coalesce((select least_score from bar), 0) - 1e-9
        offset 0
      ) kept
      order by score desc, article_date desc, id limit ${options.limit}
    ) top
    order by score desc, article_date desc, id`.execute(db);
  return rows.rows.map((row) => ({ ...toFound(row), read: row.read }));
}
