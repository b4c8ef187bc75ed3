import { sql } from 'kysely';
import { atLeastKOf } from '../domain/discovery/headline.js';
import { tsLiteral } from '../domain/discovery/text-query.js';
import { toFound, type FoundLesson, type FoundRow } from './found-lesson.js';
import { headWordsShare } from './head-words.js';
import { LIBRARY_SIZE_KEY, type WeightedLexeme } from './lexeme-docs.js';
import { PREPARED } from './prepared.js';
import type { Executor } from './schema.js';

/**
 * Related readings on the command path (lookups only): a lesson's similar-reading titles with the lessons they
 * name, the words it shares with others, and lessons like it by content. Each goes through a GIN index or a
 * primary key; see test/db/query-plans.test.ts.
 */

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
      -- A title naming the lesson itself is never matched to it, and is not a reading elsewhere either: left out.
      and not (s.matched_lesson_id is null
        and newsdesk_fold(s.title) = (select own.title_fold from lessons own where own.id = ${lessonId}::uuid))
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
 * library's size. Only the words first found within the text's first `withinPositions` words (title, summary,
 * then article, as the search vector numbers them). One statement: the lesson's search vector by primary key,
 * its words' counts by key.
 */
export async function sharedWordsOf(
  db: Executor,
  lessonId: string,
  options: { maxShare: number; minCap: number; withinPositions: number },
): Promise<{ librarySize: number; words: LessonWord[] }> {
  // Each word's count by key (a subquery per word: the library's words are many, the lesson's a few hundred),
  // looked up once (`offset 0` keeps the subquery apart: merged into the outer query, each word's count was looked
  // up three times, once for its column and once for each bound); only words a text's first `withinPositions`
  // words hold (a 200,000-character article holds ~7,500 distinct words: that many lookups, three times over).
  // A word's positions come in order, so its first is where it first appears.
  const rows = await sql<{ lexeme: string | null; docs: number | null; in_head: boolean | null; size: number | null }>`${PREPARED}
    with size as (select text_docs as n from lexeme_docs where lexeme = ${LIBRARY_SIZE_KEY})
    select null as lexeme, null::int as docs, null::boolean as in_head, (select n from size) as size
    union all
    select lexeme, docs, in_head, null from (
      select w.lexeme, (select d.text_docs from lexeme_docs d where d.lexeme = w.lexeme) as docs,
        'A' = any(w.weights) or 'B' = any(w.weights) as in_head
      from lessons l cross join lateral unnest(l.search_vector) as w(lexeme, positions, weights)
      where l.id = ${lessonId}::uuid and w.positions[1] <= ${options.withinPositions}
      offset 0
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
 * the words they share, a word counting fully in their title or summary and half in their article only (less
 * in an article of more than ARTICLE_WORDS_PIVOT distinct words); newest first among equals. With the member's
 * read mark, looked up for the few lessons returned.
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

/**
 * A word only in a candidate's article counts half its weight, times ARTICLE_WORDS_PIVOT over the number of
 * distinct words of the candidate's text when that is more: `0.5 × min(1, 250 / distinct words)`. Pivoted length
 * normalisation: BM25's length factor for a word found once with b = 1 and the pivot for the average length (ts_rank's
 * normalisation 2 or 8, "divided by the length / number of unique words"), from the pivot on, never above 1. The
 * longer an article, the more of the language it holds, and the less it says that it has a given word: one near
 * the format's limits (a ~190,000-character article: 5,000–10,000 distinct words) has nearly every word of every
 * other lesson, and collected half of every word's weight, so it was among the related readings of most lessons
 * (117 of 499 random lessons' lists in the 100,000-lesson bench library, now 9: lists with a free place that no other
 * lesson sharing two of the words takes). 250 is about a full news report's: the examples have 21–100 distinct
 * words, the generated library 123–195, so their related readings are the same as before. Title and summary words
 * count fully at any length. At most 1, so a candidate's greatest score (below) still bounds its score.
 */
export const ARTICLE_WORDS_PIVOT = 250;

export async function lessonsSimilarByText(
  db: Executor,
  words: readonly WeightedLexeme[],
  options: { minShared: number; exceptLessonIds: readonly string[]; limit: number; member?: Member | undefined },
): Promise<(FoundLesson & { read: boolean })[]> {
  if (words.length === 0 || options.limit <= 0) return [];
  const literal = (word: WeightedLexeme) => tsLiteral(word.lexeme);
  const minShared = Math.max(1, Math.min(options.minShared, words.length));
  // The lookups: one index scan per word, from a list of the words (a nested loop). Written as a union of one
  // select per word, 20 or more of them (a lesson of many rare words: one near the format's limits) were costed
  // past PostgreSQL's parallel threshold, and starting its workers took 70–80 ms on a loaded two-core machine for
  // ~1 ms of lookups (6 ms without them).
  const candidates =
    words.length <= PAIRS_QUERY_UP_TO_WORDS
      ? sql`search_vector @@ ${atLeastKOf(words.map((word) => word.lexeme), minShared, words.length)}::tsquery`
      : sql`id = any(array(select hit.id
          from unnest(${sql.val(words.map(literal))}::text[]::tsquery[]) as word(query)
          cross join lateral (select id from lessons where search_vector @@ word.query) hit
          group by hit.id having count(*) >= ${minShared}))`;
  // Each word counts its weight in the title or summary, at most half of it in the article only. The title and summary's
  // vector is in the row; the whole text's is TOASTed (a few pages a lesson). So first, from the row alone, each
  // candidate's least score (its title and summary words) and greatest (as if every other word were in its
  // article); only a candidate whose greatest reaches the `limit`-th best least score can be among the best,
  // and only those are read whole. Same answer as scoring every candidate (the same related readings for 800
  // random lessons of the 100,000-lesson bench library); 137.9 → 94.5 buffers a statement on 200 of them. Cold
  // buffers made this statement the bench's most expensive (BENCHMARKS.md, "What a first run spends").
  const inHead = (word: WeightedLexeme) => sql`head_vector @@ ${literal(word)}::tsquery`;
  // A title or summary word's share of its weight: less in a title and summary of more than HEAD_WORDS_PIVOT distinct words
  // (read from the row's vector header). The greatest score's article words count 0.5, a bound whatever the article.
  const headShare = headWordsShare(sql`head_vector`);
  const least = sql`(${sql.join(words.map((word) => sql`(case when ${inHead(word)} then ${word.weight}::float8 else 0 end)`), sql` + `)}) * ${headShare}`;
  const greatest = sql.join(words.map((word) => sql`(case when ${inHead(word)} then ${headShare} else 0.5 end) * ${word.weight}::float8`), sql` + `);
  // `words` is the candidate's search vector without positions, detoasted once (not once per word: `kept` stays a
  // subquery of its own, offset 0); its `length`, the number of distinct words, is read from its header. An
  // article-only word counts half, times ARTICLE_WORDS_PIVOT / distinct words when those are more (at most 1,
  // so `greatest_score` stays a bound). Only candidates kept are read, as before.
  const articleOnly = sql`0.5 * least(1.0, ${ARTICLE_WORDS_PIVOT}::float8 / length(words))`;
  const score = sql.join(
    words.map(
      (word) => sql`${word.weight}::float8 * (case
        when ${inHead(word)} then ${headShare}
        when words @@ ${literal(word)}::tsquery then ${articleOnly} else 0 end)`,
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
