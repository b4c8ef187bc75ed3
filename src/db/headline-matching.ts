import { sql, type RawBuilder } from 'kysely';
import { tsLiteral } from '../domain/discovery/text-query.js';
import type { WeightedLexeme } from './lexeme-docs.js';
import { headWordsShare } from './head-words.js';
import type { Executor } from './schema.js';

/**
 * The similar-reading titles of lessons as an import stores them: each title's best match in the library (found
 * through the head_vector index, or in parallel workers), and the stored rows the backward step goes through.
 */

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
 *     counts fully, less in a title and summary of more than HEAD_WORDS_PIVOT distinct words (headWordsShare: a
 *     summary near its limit covered nearly every headline), only in the article half), rare words weighing more;
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
  // Each headline's weights are a slice [lo, hi] of one flat list (1-based, as SQL arrays); its lexemes are a JSON
  // list of its own: a slice of a flat tsquery[] starts by walking the list from its start (its items' lengths
  // vary), which cost a statement of 2,842 titles a third of its time.
  const lexemes = headlines.map((headline) => JSON.stringify(headline.lexemes.map((l) => tsLiteral(l.lexeme))));
  const weights: number[] = [];
  const lo: number[] = [];
  const hi: number[] = [];
  for (const headline of headlines) {
    lo.push(weights.length + 1);
    for (const l of headline.lexemes) weights.push(l.weight);
    hi.push(weights.length);
  }
  const total = (headline: HeadlineToMatch) => {
    const sum = headline.lexemes.reduce((s, l) => s + l.weight, 0);
    return sum > 0 ? sum : 1;
  };
  const anyWord = (headline: HeadlineToMatch) => headline.lexemes.map((l) => tsLiteral(l.lexeme)).join(' | ') || "''";
  // By id: each headline's few lessons by primary key (offset 0: the candidates' condition is not pushed into
  // that lookup, where the planner could take the head_vector index over the whole library instead).
  const source = byId
    ? sql`(select id, article_date, head_vector, search_vector, title_fold, title_trigrams from lessons where id = any(hl.only_ids) offset 0) lessons`
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
    ? sql`exists (select from lessons e where e.id = h.except_id and e.head_vector @@ h.candidates ${only})`
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
    -- The tsqueries parsed once each, as the statement's parameters are read: cast where a candidate used them, each
    -- was parsed again for every candidate (6 % of the matching's time).
    from unnest(
      ${sql.val(headlines.map((h) => h.text))}::text[],
      ${sql.val(headlines.map((h) => h.candidates))}::tsquery[],
      ${sql.val(headlines.map(anyWord))}::tsquery[],
      ${sql.val(headlines.map((h) => h.exceptLessonId))}::uuid[],
      ${sql.val(headlines.map(total))}::float8[],
      ${sql.val(lexemes)}::text[],
      ${sql.val(lo)}::int[],
      ${sql.val(hi)}::int[],
      ${sql.val(idLo)}::int[],
      ${sql.val(idHi)}::int[],
      ${sql.val(atLeast)}::float8[]
    ) with ordinality as h(text, candidates, any_word, except_id, total, lexemes, lo, hi, id_lo, id_hi, at_least, ord)
    -- What is the same for every candidate of a headline, computed once for it (offset 0: not per candidate).
    cross join lateral (
      select ${lexemeList(sql`h.lexemes`)} as lexemes, (${sql.val(weights)}::float8[])[h.lo:h.hi] as weights,
        f.folded, ${trigramCount(sql`f.folded`)} as trigrams, (${sql.val(onlyIds)}::uuid[])[h.id_lo:h.id_hi] as only_ids
      from (select newsdesk_fold(h.text) as folded) f
      offset 0
    ) hl
    left join lateral (
      select id, score from (
        select c.id, c.article_date,
          greatest(
            coalesce((
              select sum(w.weight * (case
                when c.head_vector @@ w.lexeme then c.head_share
                when c.search_vector @@ w.lexeme then 0.5 else 0 end) order by w.n)
              from unnest(hl.lexemes, hl.weights) with ordinality as w(lexeme, weight, n)
            ), 0) / h.total,
            c.sim
          ) as score,
          ts_rank(c.head_vector, h.any_word) as rank
        from (
          select found.*, greatest(max(greatest(found.sim, found.head_weight * found.head_share / h.total)) over (), h.at_least) - 1e-9 as bar
          from (
            select id, article_date, head_vector, search_vector, ${similarityAtLeast(sql`title_fold`, sql`title_trigrams`, sql`hl.folded`, sql`hl.trigrams`, sql`h.at_least`)} as sim,
              coalesce((
                select sum(w.weight) from unnest(hl.lexemes, hl.weights) as w(lexeme, weight) where head_vector @@ w.lexeme
              ), 0) as head_weight, ${headWordsShare(sql`head_vector`)} as head_share
            from ${source}
            where head_vector @@ h.candidates and id <> h.except_id
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


/**
 * The trigram similarity of a lesson's folded title and a headline's, or 0 where it is below `atLeast` for
 * certain: pg_trgm's similarity is shared / (a + b - shared) over the two strings' distinct trigrams, so at most
 * min(a, b) / max(a, b) of their counts (the lesson's stored in `title_trigrams`). Computing it made both
 * strings' trigrams each time, most of a candidate's cost. A similarity below `atLeast` (the score a match must
 * reach) changes no best match that reaches it, nor its score, nor the bar below which candidates are not
 * scored in full (at least `atLeast`); the margin covers similarity's float4 rounding.
 */
function similarityAtLeast(title: RawBuilder<unknown>, titleTrigrams: RawBuilder<unknown>, folded: RawBuilder<unknown>, trigrams: RawBuilder<unknown>, atLeast: RawBuilder<unknown>) {
  return sql`(case when least(${titleTrigrams}, ${trigrams}) < (${atLeast} - 1e-6) * greatest(${titleTrigrams}, ${trigrams}) then 0
    else similarity(${title}, ${folded})::float8 end)`;
}

/** A headline's lexemes, given as a JSON list of tsquery texts, as a tsquery[] in their order. */
function lexemeList(json: RawBuilder<unknown>) {
  return sql`array(select l.lexeme::tsquery from json_array_elements_text(${json}::json) with ordinality as l(lexeme, n) order by l.n)`;
}

/** A folded text's count of distinct trigrams, as `lessons.title_trigrams` stores its title's (pg_trgm's own, show_trgm). */
function trigramCount(folded: RawBuilder<unknown>) {
  return sql`coalesce(array_length(show_trgm(${folded}), 1), 0)`;
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
    /** Each headline's lexemes, a JSON list of tsquery texts. */
    lexemes: readonly string[];
    weights: readonly number[];
    reportExcept: boolean;
  },
): Promise<HeadlineMatchFound[]> {
  const { headlines, columns } = input;
  await sql`truncate headline_match_queue`.execute(db);
  await sql`
    insert into headline_match_queue (ord, candidates, any_word, except_id, total, at_least, lexemes, weights, folded, trigrams)
    select h.ord, h.candidates::tsquery, h.any_word::tsquery, h.except_id, h.total, h.at_least,
      ${lexemeList(sql`h.lexemes`)}, (${sql.val([...input.weights])}::float8[])[h.lo:h.hi], f.folded,
      ${trigramCount(sql`f.folded`)}
    from unnest(
      ${sql.val(headlines.map((h) => h.text))}::text[],
      ${sql.val([...columns.candidates])}::text[],
      ${sql.val([...columns.anyWord])}::text[],
      ${sql.val(headlines.map((h) => h.exceptLessonId))}::uuid[],
      ${sql.val([...columns.total])}::float8[],
      ${sql.val([...input.lexemes])}::text[],
      ${sql.val([...columns.lo])}::int[],
      ${sql.val([...columns.hi])}::int[],
      ${sql.val([...columns.atLeast])}::float8[]
    ) with ordinality as h(text, candidates, any_word, except_id, total, lexemes, lo, hi, at_least, ord)
    cross join lateral (select newsdesk_fold(h.text) as folded) f`.execute(db);
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
                when l.head_vector @@ w.lexeme then c.head_share
                when l.search_vector @@ w.lexeme then 0.5 else 0 end) order by w.n)
              from lessons l, headline_match_queue q, unnest(q.lexemes, q.weights) with ordinality as w(lexeme, weight, n)
              where l.id = c.id and q.ord = c.ord
            ), 0) / c.total,
            c.sim
          ) as score
        from (
          select found.*,
            greatest(max(greatest(found.sim, found.head_weight * found.head_share / found.total)) over (partition by found.ord), found.at_least) - 1e-9 as bar
          from (
            select q.ord, q.total, q.at_least, l.id, l.article_date,
              ${similarityAtLeast(sql`l.title_fold`, sql`l.title_trigrams`, sql`q.folded`, sql`q.trigrams`, sql`q.at_least`)} as sim,
              newsdesk_head_weight(l.head_vector, q.lexemes, q.weights) as head_weight, ${headWordsShare(sql`l.head_vector`)} as head_share,
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
 * Whether any similar-reading title is stored: when none is (an import into an empty library, its own lessons'
 * titles deleted), the backward step has nothing to read, and its lookups of the import's lessons are skipped.
 */
export async function anyStoredTitles(db: Executor): Promise<boolean> {
  // The first key of the primary key's index (an EXISTS is planned as a sequential scan).
  const first = await db.selectFrom('similar_readings').select('lesson_id').orderBy('lesson_id').orderBy('position').limit(1).executeTakeFirst();
  return first !== undefined;
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
