import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLibrary, insertLibrary, prng } from '../../bench/library-generator.js';
import type { WeightedLexeme } from '../../src/db/lexeme-docs.js';
import { lessonsSimilarByText } from '../../src/db/related-readings.js';
import { BATCH_TIMEOUTS } from '../../src/db/timeouts.js';
import { testDatabaseTargets, type TestDatabase } from '../support/databases.js';

/**
 * lessonsSimilarByText finds its candidates through the search vector's GIN index (lessons with at least
 * `minShared` of the words anywhere) and scores them on their vectors. Its result must equal the ranking
 * computed here from every lesson's words, for random word sets, weights and limits, over a small generated
 * library where many lessons share words in their title, summary or article. Weights are whole numbers, so
 * the sums are exact and ties (newest first, then id) are real ties.
 */
const LESSONS = 300;

interface LessonWords {
  id: string;
  date: string;
  head: Set<string>;
  text: Set<string>;
}

function reference(lessons: readonly LessonWords[], words: readonly WeightedLexeme[], minShared: number, except: readonly string[], limit: number): string[] {
  return lessons
    .filter((lesson) => !except.includes(lesson.id))
    .filter((lesson) => words.filter((word) => lesson.text.has(word.lexeme)).length >= minShared)
    .map((lesson) => ({
      lesson,
      score: words.reduce((sum, word) => sum + word.weight * (lesson.head.has(word.lexeme) ? 1 : lesson.text.has(word.lexeme) ? 0.5 : 0), 0),
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
    let articleOnly = 0;
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
      if (found.some((lesson) => words.some((word) => lesson.text.has(word.lexeme) && !lesson.head.has(word.lexeme)))) articleOnly += 1;
    }
    // The comparison covered real rankings, including lessons with some of the words only in their article.
    expect(compared).toBeGreaterThan(60);
    expect(articleOnly).toBeGreaterThan(10);
  });
});
