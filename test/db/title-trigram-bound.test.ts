import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { MATCH_THRESHOLD, scoreSimilarReading } from '../../src/discovery/similar-readings.js';
import type { Lesson } from '../../src/domain/lesson.js';
import { importLessons } from '../../src/lessons/import.js';
import { testDatabaseTargets, useTestDatabase } from '../support/databases.js';
import { makeLesson } from '../support/lessons.js';

/*
 * The import skips a candidate's trigram similarity where the two titles' counts of distinct trigrams show it
 * below the threshold (src/db/headline-matching.ts, similarityAtLeast). These titles make the similarity decide:
 * misspelt, cut short or lengthened versions of the library's titles, whose words the stemmer does not always
 * find again, against titles of very different lengths that share their words.
 */
const SUBJECTS = ['harbour', 'glacier', 'lantern', 'orchard', 'railway', 'quarry', 'museum', 'festival', 'bridge', 'reservoir'];
const TOWNS = ['Kawasaki', 'Sapporo', 'Nagoya', 'Fukuoka', 'Sendai', 'Matsuyama'];
const ACTIONS = ['reopens after repairs', 'plans expansion', 'draws record crowds', 'faces budget cuts', 'wins design award'];

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 4_294_967_296;
  };
}

function library(): Lesson[] {
  const next = random(11);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T;
  const titles: string[] = [];
  while (titles.length < 60) {
    // Short and long titles over the same words: their trigram counts differ by up to ~4×.
    const base = `${pick(TOWNS)} ${pick(SUBJECTS)} ${pick(ACTIONS)}`;
    const title = next() < 0.5 ? base : `${base} as ${pick(TOWNS)} ${pick(SUBJECTS)} ${pick(ACTIONS)} and the ${pick(SUBJECTS)} ${pick(ACTIONS)}`;
    if (!titles.includes(title)) titles.push(title);
  }
  const variants = (title: string): string[] => {
    const words = title.split(' ');
    const misspelt = words.map((word) => (word.length > 5 && next() < 0.6 ? `${word.slice(0, 2)}${word[3]}${word[2]}${word.slice(4)}` : word)).join(' ');
    const cut = words.slice(0, Math.max(3, Math.ceil(words.length / 2))).join(' ');
    const longer = `${title} in ${pick(TOWNS)}, officials say`;
    return [misspelt, cut, longer, `Émigrés return: ${cut.toUpperCase()}`];
  };
  return titles.map((title, index) =>
    makeLesson({
      title,
      summary: `${title}. ${pick(TOWNS)} ${pick(SUBJECTS)} news.`,
      article: [`${title}.`, `The ${pick(SUBJECTS)} of ${pick(TOWNS)} ${pick(ACTIONS)}.`],
      similarReadings: [...variants(titles[(index + 1) % titles.length] as string), ...variants(titles[(index + 7) % titles.length] as string)],
    }),
  );
}

describe.each(testDatabaseTargets())('similar-reading titles, the trigram bound, on $kind', (target) => {
  const database = useTestDatabase(target);

  it("each lesson's stored trigram count is the number of distinct trigrams pg_trgm makes of its folded title", async () => {
    const { db } = database();
    const titles = ['Émigrés return home', 'aaa aaa aaa', 'Nagoya: 100% renewable by 2030?', 'Ünïcödé ÇAFÉ'];
    await importLessons(
      db,
      titles.map((title) => makeLesson({ title, similarReadings: [] })),
    );
    const rows = await sql<{ title: string; stored: number; made: number; folded: string }>`
      select title, title_trigrams as stored, cardinality(show_trgm(title_fold)) as made, title_fold as folded from lessons order by title`.execute(db);
    expect(rows.rows).toHaveLength(titles.length);
    for (const row of rows.rows) expect(row.stored, row.title).toBe(row.made);
    // Folded: accents and case do not make trigrams of their own.
    expect(rows.rows.find((row) => row.title === 'Émigrés return home')?.folded).toBe('emigres return home');
  });

  it('the import stores, for every title, the match and score that scoring every candidate in full finds at the threshold', async () => {
    const { db } = database();
    const lessons = library();
    await importLessons(db, lessons);
    const stored = await sql<{ lesson_id: string; title: string; matched_lesson_id: string | null; score: number | null }>`
      select lesson_id, title, matched_lesson_id, score from similar_readings order by lesson_id, position`.execute(db);
    expect(stored.rows.length).toBeGreaterThan(400);
    let matched = 0;
    let skippedSome = false;
    for (const row of stored.rows) {
      // scoreSimilarReading applies no threshold: no candidate's similarity is skipped.
      const full = await scoreSimilarReading(db, row.title, row.lesson_id);
      if (full && full.score >= MATCH_THRESHOLD) {
        matched += 1;
        expect({ title: row.title, id: row.matched_lesson_id, score: Number(row.score) }).toEqual({
          title: row.title,
          id: full.lessonId,
          score: expect.closeTo(full.score, 6) as number,
        });
      } else {
        expect({ title: row.title, id: row.matched_lesson_id }).toEqual({ title: row.title, id: null });
      }
    }
    // Both kinds are there: titles that name a lesson, and titles that name none.
    expect(matched).toBeGreaterThan(100);
    expect(matched).toBeLessThan(stored.rows.length);
    // And the bound leaves similarities out here: some candidate pairs' counts are too far apart to reach it.
    const far = await sql<{ n: string }>`
      select count(*) as n from lessons a, lessons b
      where least(a.title_trigrams, b.title_trigrams) < ${MATCH_THRESHOLD}::float8 * greatest(a.title_trigrams, b.title_trigrams)`.execute(db);
    skippedSome = Number(far.rows[0]?.n) > 0;
    expect(skippedSome).toBe(true);
    // The bound itself: no two titles are more similar than their counts allow.
    const over = await sql<{ n: string }>`
      select count(*) as n from lessons a, lessons b
      where similarity(a.title_fold, b.title_fold) > least(a.title_trigrams, b.title_trigrams)::float8 / greatest(a.title_trigrams, b.title_trigrams) + 1e-6`.execute(db);
    expect(Number(over.rows[0]?.n)).toBe(0);
  });
});
