import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLibrary, insertLibrary, prng } from '../../bench/library-generator.js';
import { lessonsSimilarByContent, type WeightedLexeme } from '../../src/db/discovery.js';
import type { DB } from '../../src/db/schema.js';
import { BATCH_TIMEOUTS } from '../../src/db/timeouts.js';
import { testDatabaseTargets, type TestDatabase } from '../support/databases.js';

/**
 * lessonsSimilarByContent reads a candidate's article vector only where it can change the ranking. Its
 * result must equal the full ranking, which reads every candidate's article: checked against that ranking
 * (the query as it was before, kept here as the reference) for random sets of shared words, weights and
 * limits, over a small generated library where many lessons share words in their title, summary or article.
 */
const LESSONS = 300;

async function reference(db: Kysely<DB>, words: readonly WeightedLexeme[], minShared: number, except: string[], limit: number): Promise<string[]> {
  const literal = (lexeme: string) => `'${lexeme.replace(/\\/gu, '\\\\').replace(/'/gu, "''")}'`;
  const anyWord = words.map((w) => literal(w.lexeme)).join(' | ');
  const shared = sql.join(words.map((w) => sql`(head_vector @@ ${literal(w.lexeme)}::tsquery)::int`), sql` + `);
  const presence = sql.join(
    words.map(
      (w) => sql`${w.weight}::float8 * (case
        when head_vector @@ ${literal(w.lexeme)}::tsquery then 1.0
        when article_vector @@ ${literal(w.lexeme)}::tsquery then 0.5 else 0 end)`,
    ),
    sql` + `,
  );
  const rows = await sql<{ id: string }>`
    select id from (
      select id, article_date, head_vector, ts_filter(search_vector, '{c}') as article_vector from lessons
      where head_vector @@ ${anyWord}::tsquery and id <> all(${sql.val(except)}::uuid[]) and ${shared} >= ${minShared} offset 0
    ) c
    order by (${presence}) desc, ts_rank(head_vector, ${anyWord}::tsquery) desc, article_date desc, id
    limit ${limit}`.execute(db);
  return rows.rows.map((row) => row.id);
}

describe.each(testDatabaseTargets())('content ranking of related readings on $kind', (target) => {
  // Lessons of a topic share its words (in 20 topics), in their title, summary or article.
  const library = generateLibrary({ lessons: LESSONS, vocabulary: 2000, articleParagraphs: 2 });
  let database: TestDatabase;

  beforeAll(async () => {
    database = await target.open({ timeouts: BATCH_TIMEOUTS });
    await insertLibrary(database.db, library);
  }, 300_000);
  afterAll(async () => {
    await database?.close();
  });

  it('equals the ranking that reads every candidate’s article', async () => {
    const lexemes = await sql<{ lexeme: string; docs: number }>`
      select lexeme, docs from lexeme_docs where lexeme <> '' and docs between 3 and 120 order by lexeme`.execute(database.db);
    expect(lexemes.rows.length).toBeGreaterThan(50);
    const random = prng(7);
    let compared = 0;
    let withArticleOnlyWords = 0;
    for (let round = 0; round < 60; round++) {
      const count = 1 + Math.floor(random() * 8);
      const words = Array.from({ length: count }, () => lexemes.rows[Math.floor(random() * lexemes.rows.length)]!)
        .filter((word, index, all) => all.findIndex((other) => other.lexeme === word.lexeme) === index)
        .map((word) => ({ lexeme: word.lexeme, weight: 0.5 + random() * 5 }));
      const minShared = Math.min(1 + Math.floor(random() * 2), words.length);
      const except = [library.ids[Math.floor(random() * LESSONS)] as string];
      const limit = 1 + Math.floor(random() * 5);
      const expected = await reference(database.db, words, minShared, except, limit);
      const actual = await lessonsSimilarByContent(database.db, words, { minShared, exceptLessonIds: except, limit });
      expect(actual.map((lesson) => lesson.id)).toEqual(expected);
      compared += expected.length;
      if (words.length > minShared) withArticleOnlyWords += 1;
    }
    // The comparison covered real rankings, including word sets where a candidate may lack words in its title.
    expect(compared).toBeGreaterThan(60);
    expect(withArticleOnlyWords).toBeGreaterThan(10);
  });
});
