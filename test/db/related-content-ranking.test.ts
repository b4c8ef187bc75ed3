import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLibrary, insertLibrary, prng } from '../../bench/library-generator.js';
import type { WeightedLexeme } from '../../src/db/lexeme-docs.js';
import { ARTICLE_WORDS_PIVOT, lessonsSimilarByText } from '../../src/db/related-readings.js';
import { importLessons } from '../../src/lessons/import.js';
import { BATCH_TIMEOUTS } from '../../src/db/timeouts.js';
import { testDatabaseTargets, type TestDatabase } from '../support/databases.js';
import { makeLesson } from '../support/lessons.js';

/**
 * lessonsSimilarByText finds its candidates through the search vector's GIN index (lessons with at least
 * `minShared` of the words anywhere) and scores them on their vectors. Its result must equal the ranking
 * computed here from every lesson's words, for random word sets, weights and limits, over a small generated
 * library where many lessons share words in their title, summary or article, and a few long lessons (articles of
 * more than ARTICLE_WORDS_PIVOT distinct words, whose article-only words count less). Weights are whole numbers,
 * and the reference computes each score in the SQL's order, so ties (newest first, then id) are real ties.
 */
const LESSONS = 300;
/** Distinct words of the long lessons' texts, about: the pivot, twice and five times it. */
const LONG_WORDS = [ARTICLE_WORDS_PIVOT, 2 * ARTICLE_WORDS_PIVOT, 5 * ARTICLE_WORDS_PIVOT];

interface LessonWords {
  id: string;
  date: string;
  head: Set<string>;
  text: Set<string>;
}

/** What an article-only word counts for (of its weight): half, less in an article of many distinct words. */
const articleOnly = (lesson: LessonWords) => 0.5 * Math.min(1, ARTICLE_WORDS_PIVOT / lesson.text.size);

function reference(lessons: readonly LessonWords[], words: readonly WeightedLexeme[], minShared: number, except: readonly string[], limit: number): string[] {
  return lessons
    .filter((lesson) => !except.includes(lesson.id))
    .filter((lesson) => words.filter((word) => lesson.text.has(word.lexeme)).length >= minShared)
    .map((lesson) => ({
      lesson,
      score: words.reduce((sum, word) => sum + word.weight * (lesson.head.has(word.lexeme) ? 1 : lesson.text.has(word.lexeme) ? articleOnly(lesson) : 0), 0),
    }))
    .sort((a, b) => b.score - a.score || b.lesson.date.localeCompare(a.lesson.date) || (a.lesson.id < b.lesson.id ? -1 : 1))
    .slice(0, limit)
    .map((entry) => entry.lesson.id);
}

describe.each(testDatabaseTargets())('content ranking of related readings on $kind', (target) => {
  // Lessons of a topic share its words (in 20 topics), in their title, summary or article.
  const library = generateLibrary({ lessons: LESSONS, vocabulary: 2000, articleParagraphs: 2 });
  let database: TestDatabase;
  let lessons: LessonWords[];

  beforeAll(async () => {
    database = await target.open({ timeouts: BATCH_TIMEOUTS });
    await insertLibrary(database.db, library);
    // The long lessons: articles of the library's words (lexemes of their own made up to reach their length).
    const lexemes = (await sql<{ lexeme: string }>`select lexeme from lexeme_docs where lexeme <> '' order by lexeme`.execute(database.db)).rows.map((row) => row.lexeme);
    const random = prng(3);
    await importLessons(
      database.db,
      LONG_WORDS.map((words, i) => {
        const own = Array.from({ length: Math.max(0, words - lexemes.length) }, (_, n) => `qlong${'abc'[i]}x${n.toString(20).replace(/[0-9]/gu, (d) => 'klmnopqrst'[Number(d)]!)}`);
        const chosen = [...lexemes, ...own].map((word) => ({ word, key: random() })).sort((a, b) => a.key - b.key).slice(0, words).map((entry) => entry.word);
        return makeLesson({ date: `2030-01-0${i + 1}`, title: `Long lesson ${['one', 'two', 'three'][i]}`, summary: 'A long read.', article: [chosen.join(' ')], similarReadings: [] });
      }),
    );
    const rows = await sql<{ id: string; article_date: string; head: string[]; text: string[] }>`
      select id, article_date, tsvector_to_array(head_vector) as head, tsvector_to_array(search_vector) as text from lessons`.execute(database.db);
    lessons = rows.rows.map((row) => ({ id: row.id, date: row.article_date, head: new Set(row.head), text: new Set(row.text) }));
  }, 300_000);
  afterAll(async () => {
    await database?.close();
  });

  it('equals the ranking computed from every lesson’s words', async () => {
    const lexemes = await sql<{ lexeme: string }>`
      select lexeme from lexeme_docs where lexeme <> '' and text_docs between 3 and 120 order by lexeme`.execute(database.db);
    expect(lexemes.rows.length).toBeGreaterThan(50);
    const random = prng(7);
    let compared = 0;
    let articleOnlyFound = 0;
    let longCandidates = 0;
    const long = lessons.filter((lesson) => lesson.text.size > ARTICLE_WORDS_PIVOT);
    expect(long.length).toBeGreaterThanOrEqual(2);
    for (let round = 0; round < 60; round++) {
      const count = 1 + Math.floor(random() * 10);
      const words = Array.from({ length: count }, () => lexemes.rows[Math.floor(random() * lexemes.rows.length)]!)
        .filter((word, index, all) => all.findIndex((other) => other.lexeme === word.lexeme) === index)
        .map((word) => ({ lexeme: word.lexeme, weight: 1 + Math.floor(random() * 6) }));
      const minShared = Math.min(1 + Math.floor(random() * 2), words.length);
      const except = [library.ids[Math.floor(random() * LESSONS)] as string];
      const limit = 1 + Math.floor(random() * 5);
      const expected = reference(lessons, words, minShared, except, limit);
      const actual = await lessonsSimilarByText(database.db, words, { minShared, exceptLessonIds: except, limit });
      expect(actual.map((lesson) => lesson.id)).toEqual(expected);
      compared += expected.length;
      const found = lessons.filter((lesson) => expected.includes(lesson.id));
      if (found.some((lesson) => words.some((word) => lesson.text.has(word.lexeme) && !lesson.head.has(word.lexeme)))) articleOnlyFound += 1;
      if (long.some((lesson) => words.filter((word) => lesson.text.has(word.lexeme)).length >= minShared)) longCandidates += 1;
    }
    // The comparison covered real rankings, including lessons with some of the words only in their article.
    expect(compared).toBeGreaterThan(60);
    expect(articleOnlyFound).toBeGreaterThan(10);
    // …and rankings where a long lesson was a candidate.
    expect(longCandidates).toBeGreaterThan(10);
  });
});
