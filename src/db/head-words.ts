import { sql, type RawBuilder } from 'kysely';

/**
 * A word in a candidate's title or summary counts fully, times HEAD_WORDS_PIVOT over the number of distinct words of
 * its title and summary when that is more: `min(1, 100 / distinct words)`, as article words do. A summary may hold
 * 20,000 characters (LESSON_LIMITS): one that long (1,824 distinct words) had many words of every other lesson at
 * full weight and was among the related readings of 60 of 60 lessons of a 300-lesson library (now none). Titles
 * and summaries of news lessons have far fewer (the held-out-like library's 20–29, the generated library's 42 at
 * most), so their related readings are the same as before. Related readings (related-readings.ts) and the title
 * matching (headline-matching.ts) weigh them so.
 */
export const HEAD_WORDS_PIVOT = 100;

/** A title-and-summary word's share of its weight in a lesson of this head vector (HEAD_WORDS_PIVOT; at most 1). */
export function headWordsShare(headVector: RawBuilder<unknown>): RawBuilder<number> {
  return sql<number>`least(1.0, ${HEAD_WORDS_PIVOT}::float8 / greatest(length(${headVector}), 1))`;
}
