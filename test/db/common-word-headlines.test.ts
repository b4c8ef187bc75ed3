import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { lexemeDocCounts, lexemesOf, librarySize } from '../../src/db/lexeme-docs.js';
import { atLeastKOf, headlineCandidates } from '../../src/domain/discovery/headline.js';
import type { Lesson } from '../../src/domain/lesson.js';
import { importLessons } from '../../src/lessons/import.js';
import { testDatabaseTargets, useTestDatabase } from '../support/databases.js';
import { makeLesson } from '../support/lessons.js';

/*
 * A library written from a small vocabulary (generated or templated lessons, as a load test's may be): every
 * headline's rarest words are common, and two of them are in most of the library. The import's matching
 * scores each title's candidates, so it grew with the square of the library (6,000 such lessons: 79 s, where
 * 12,000 now take 36 s). The candidates' condition now asks for more of the words when two would be expected
 * to find too many; a title naming a lesson has all its words there, so it still finds it.
 */
const VOCABULARY = [
  'harbor', 'glacier', 'lantern', 'meadow', 'orchid', 'pylon', 'quarry', 'raven', 'saddle', 'tundra', 'walnut', 'yarrow',
  'basalt', 'cobalt', 'dune', 'ember', 'fjord', 'granite', 'hazel', 'indigo', 'juniper', 'kelp', 'lichen', 'marble',
];
const LESSONS = 300;

/** A deterministic generator (the same library every run). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 4_294_967_296;
  };
}

function smallVocabularyLibrary(): { lessons: Lesson[]; absentTitles: Set<string> } {
  const next = random(7);
  const words = (count: number) => Array.from({ length: count }, () => VOCABULARY[Math.floor(next() * VOCABULARY.length)] as string);
  const titles = new Set<string>();
  const newTitle = () => {
    for (;;) {
      const title = [...new Set(words(9))].slice(0, 6).join(' ');
      if (!titles.has(title)) return title;
    }
  };
  const lessonTitles = Array.from({ length: LESSONS }, () => {
    const title = newTitle();
    titles.add(title);
    return title;
  });
  const absentTitles = new Set<string>();
  const lessons = lessonTitles.map((title, index) => {
    const absent = newTitle();
    absentTitles.add(absent);
    const other = (offset: number) => lessonTitles[(index + offset) % LESSONS] as string;
    return makeLesson({
      title,
      summary: `${title} ${words(10).join(' ')}.`,
      article: [`${title} ${words(30).join(' ')}.`, `${words(30).join(' ')}.`],
      similarReadings: [other(1 + Math.floor(next() * 50)), other(60 + Math.floor(next() * 50)), absent],
    });
  });
  return { lessons, absentTitles };
}

describe.each(testDatabaseTargets())('similar-reading titles of common words on $kind', (target) => {
  const database = useTestDatabase(target);

  it('a headline of common words looks among a bounded number of lessons, where two of its words would find most of the library', async () => {
    const { db } = database();
    const { lessons, absentTitles } = smallVocabularyLibrary();
    await importLessons(db, lessons);
    const library = await librarySize(db);
    expect(library).toBe(LESSONS);
    const headlines = [...lessons.slice(0, 20).map((lesson) => lesson.title), ...[...absentTitles].slice(0, 20)];
    const lexemes = await lexemesOf(db, headlines);
    const docs = await lexemeDocCounts(db, lexemes.flat());
    const found = async (query: string) =>
      Number((await sql<{ n: string }>`select count(*) as n from lessons where head_vector @@ ${query}::tsquery`.execute(db)).rows[0]?.n);
    for (const words of lexemes) {
      // Rarest first, as the import orders them.
      const counted = words.map((lexeme) => ({ lexeme, docs: docs.get(lexeme) ?? 0 })).sort((a, b) => a.docs - b.docs || a.lexeme.localeCompare(b.lexeme));
      const twoOfFive = await found(atLeastKOf(counted.slice(0, 5).map((word) => word.lexeme), 2) as string);
      const bounded = await found(headlineCandidates(counted, library) as string);
      expect(twoOfFive, words.join(' ')).toBeGreaterThan(LESSONS / 2);
      // The expectation (CANDIDATES_EXPECTED_AT_MOST, 64) assumes independent words; these are, so it holds
      // with room for chance.
      expect(bounded, words.join(' ')).toBeLessThanOrEqual(128);
    }
  });

  it('matched through the queue that parallel workers share, or in one backend: the same titles, links and scores', async () => {
    const { db } = database();
    const { lessons } = smallVocabularyLibrary();
    const stored = async () => db.selectFrom('similar_readings').selectAll().orderBy('lesson_id').orderBy('position').execute();
    const run = async (parallelMatching: boolean) => {
      await database().truncate();
      // The second import brings lessons the first one's titles name (the backward step), with titles of its own.
      await importLessons(db, lessons.slice(0, 200), { parallelMatching });
      await importLessons(db, lessons.slice(200), { parallelMatching });
      return stored();
    };
    const oneBackend = await run(false);
    expect(oneBackend.filter((title) => title.matched_lesson_id !== null).length).toBeGreaterThan(600);
    expect(await run(true)).toEqual(oneBackend);
  });

  it('every title naming a lesson is still matched at the best score a match can have', async () => {
    const { db } = database();
    const { lessons, absentTitles } = smallVocabularyLibrary();
    await importLessons(db, lessons);
    const titles = await db
      .selectFrom('similar_readings as s')
      .leftJoin('lessons as m', 'm.id', 's.matched_lesson_id')
      .select(['s.title', 's.score', 'm.title as matched_title'])
      .execute();
    const naming = titles.filter((title) => !absentTitles.has(title.title));
    expect(naming).toHaveLength(2 * LESSONS);
    // Every word of such a title is in the named lesson's title: it scores 1, and nothing scores more. Ties
    // (another lesson with all those words in its title or summary) go by rank: mostly the named lesson.
    expect(naming.filter((title) => title.score === null || title.score < 0.999)).toEqual([]);
    expect(naming.filter((title) => title.matched_title === title.title).length).toBeGreaterThan(0.9 * naming.length);
  });
});
